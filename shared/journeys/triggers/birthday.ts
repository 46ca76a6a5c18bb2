// `on: birthday`: at send.hour local time on the customer's birthday, once per year (the entry id
// is the year), Feb 29 celebrated on Feb 28 or Mar 01 in common years.
import { occasionHourOf } from '../../domain/journey.ts';
import { nextBirthdayDue } from '../../domain/occasions.ts';
import type { DateTriggerModule } from './types.ts';

const YEAR = /^birthday#(\d{4})$/;

export const birthdayTrigger: DateTriggerModule<{
  on: 'birthday';
  birthday: { leapDayIn: 'feb-28' | 'mar-01' };
}> = {
  kind: 'birthday',
  dateChangedAt: (profile) => profile.profile.birthdayChangedAt,
  next({ trigger, journey, profile, now, entered, lateBy }) {
    const birthday = profile.profile.birthday;
    if (!birthday) return undefined;
    const greetedYear = Math.max(0, ...entered.map((id) => Number(YEAR.exec(id)?.[1] ?? 0))) || undefined;
    const timeZone = profile.profile.timeZone ?? journey.send.defaultTimeZone;
    const sendHour = occasionHourOf(journey, profile.profile.purchases?.purchaseHours, timeZone, now);
    const due = nextBirthdayDue({
      birthday,
      timeZone,
      now: new Date(now.getTime() - lateBy),
      config: { sendHour, leapDayIn: trigger.birthday.leapDayIn },
      greetedYear,
    });
    return (
      due && {
        dueAt: due.dueAt,
        entryId: `birthday#${due.year}`,
        detail: { occasion: 'birthday', year: due.year },
      }
    );
  },
};
