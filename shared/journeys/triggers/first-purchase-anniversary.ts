// `on: first-purchase-anniversary`: at send.hour local time on each anniversary of the first
// purchase (Feb 29 on Feb 28 in common years); the entry id is the anniversary's year.
import { occasionHourOf } from '../../domain/journey.ts';
import { nextAnniversaryDue } from '../../domain/occasions.ts';
import type { DateTriggerModule } from './types.ts';

export const firstPurchaseAnniversaryTrigger: DateTriggerModule<{ on: 'first-purchase-anniversary' }> = {
  kind: 'first-purchase-anniversary',
  next({ journey, profile, now, entered, lateBy }) {
    const first = profile.profile.purchases?.firstPurchaseAt;
    if (!first) return undefined;
    const zone = profile.profile.timeZone ?? journey.send.defaultTimeZone;
    const hour = occasionHourOf(journey, profile.profile.purchases?.purchaseHours, zone, now);
    let after = new Date(now.getTime() - lateBy);
    for (let guard = 0; guard < 100; guard++) {
      const due = nextAnniversaryDue(new Date(first), after, zone, hour);
      const entryId = `anniversary#${due.period}`;
      if (!entered.includes(entryId))
        return {
          dueAt: due.dueAt,
          entryId,
          detail: {
            occasion: 'first-purchase-anniversary',
            year: Number(due.period),
            years: due.years,
            firstPurchaseAt: first,
          },
        };
      after = due.dueAt;
    }
    return undefined;
  },
};
