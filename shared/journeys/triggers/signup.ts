// `on: signup`: once, `signup.days` after the customer was first seen, at send.hour local time.
import { signupDue } from '../../domain/occasions.ts';
import { DAY_MS } from '../../domain/clock.ts';
import { occasionHourOf } from '../../domain/journey.ts';
import type { DateTriggerModule } from './types.ts';

export const signupTrigger: DateTriggerModule<{ on: 'signup'; signup: { days: number } }> = {
  kind: 'signup',
  next({ trigger, journey, profile, now, entered, lateBy }) {
    if (entered.includes('signup')) return undefined;
    const zone = profile.profile.timeZone ?? journey.send.defaultTimeZone;
    const hour = occasionHourOf(journey, profile.profile.purchases?.purchaseHours, zone, now);
    const due = signupDue(new Date(profile.profile.createdAt), trigger.signup.days, zone, hour);
    // Same-day signups after send.hour are still welcomed; one imported long after is not, weeks late.
    if (due.dueAt.getTime() < now.getTime() - Math.max(lateBy, DAY_MS)) return undefined;
    return {
      dueAt: due.dueAt,
      entryId: 'signup',
      detail: { occasion: 'signup', firstSeenAt: profile.profile.createdAt, days: trigger.signup.days },
    };
  },
};
