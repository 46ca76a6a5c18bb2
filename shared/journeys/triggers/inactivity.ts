// `on: inactivity`: `inactivity.days` after the last purchase, at send.hour local time, if no
// purchase came since. Each lapse (last purchase) is its own entry, so a returning customer who
// lapses again enters again; a lapse discovered weeks late (an import) does not fire at all.
import { addDays, localDateTimeAt, zonedTimeToUtc } from '../../domain/local-time.ts';
import { occasionHourOf } from '../../domain/journey.ts';
import type { DateTriggerModule } from './types.ts';

export const inactivityTrigger: DateTriggerModule<{ on: 'inactivity'; inactivity: { days: number } }> = {
  kind: 'inactivity',
  next({ trigger, journey, profile, now, entered, lateBy }) {
    const last = profile.profile.purchases?.lastPurchaseAt;
    if (!last) return undefined;
    const entryId = `inactive#${new Date(last).toISOString()}`;
    if (entered.includes(entryId)) return undefined;
    const zone = profile.profile.timeZone ?? journey.send.defaultTimeZone;
    const day = addDays(localDateTimeAt(new Date(last), zone), trigger.inactivity.days);
    const hour = occasionHourOf(journey, profile.profile.purchases?.purchaseHours, zone, now);
    const dueAt = zonedTimeToUtc({ ...day, hour, minute: 0 }, zone);
    if (dueAt.getTime() < now.getTime() - lateBy) return undefined;
    return {
      dueAt,
      entryId,
      detail: { occasion: 'inactivity', lastPurchaseAt: last, days: trigger.inactivity.days },
    };
  },
};
