// When a customer's occasions fall, in their own time zone: birthdays (once a year, Feb 29 moved
// in common years), first-purchase anniversaries and N days after signup. Pure date rules for the
// journey engine's date triggers (shared/journeys/triggers).
import { addDays, isLeapYear, type LocalDate, localDateTimeAt, zonedTimeToUtc } from './local-time.ts';

export interface BirthdayRules {
  /** Local hour of day (0-23) the greeting is due in the customer's time zone. */
  sendHour: number;
  /** Where a Feb 29 birthday falls in common years. */
  leapDayIn: 'feb-28' | 'mar-01';
}

/** Month and day of a `MM-DD` / `YYYY-MM-DD` birthday (already validated by the contract). */
export function birthdayMonthDay(birthday: string): { month: number; day: number } | undefined {
  const match = /^(?:\d{4}-)?(\d{2})-(\d{2})$/.exec(birthday);
  if (!match) return undefined;
  return { month: Number(match[1]), day: Number(match[2]) };
}

/** The local date a birthday is celebrated in a given year (Feb 29 moves in common years). */
export function birthdayInYear(
  monthDay: { month: number; day: number },
  year: number,
  leapDayIn: BirthdayRules['leapDayIn'],
): LocalDate {
  if (monthDay.month === 2 && monthDay.day === 29 && !isLeapYear(year)) {
    return leapDayIn === 'feb-28' ? { year, month: 2, day: 28 } : { year, month: 3, day: 1 };
  }
  return { year, ...monthDay };
}

export interface BirthdayDue {
  /** The birthday's year: the journey entry, so one greeting per customer per year. */
  year: number;
  dueAt: Date;
}

/**
 * The next greeting to schedule: the first birthday whose year has not been greeted yet and
 * whose local day has not ended. A birthday that is today but past the send hour is still due
 * (now), so editing a birthday to today still greets — but never twice in the same year.
 */
export function nextBirthdayDue(input: {
  birthday: string;
  timeZone: string;
  now: Date;
  config: BirthdayRules;
  /** The latest year already greeted (or claimed), if any. */
  greetedYear?: number | undefined;
}): BirthdayDue | undefined {
  const monthDay = birthdayMonthDay(input.birthday);
  if (!monthDay) return undefined;
  const today = localDateTimeAt(input.now, input.timeZone);
  for (let year = today.year; year <= today.year + 8; year++) {
    if (input.greetedYear !== undefined && year <= input.greetedYear) continue;
    const date = birthdayInYear(monthDay, year, input.config.leapDayIn);
    const dueAt = zonedTimeToUtc({ ...date, hour: input.config.sendHour, minute: 0 }, input.timeZone);
    const endOfDay = zonedTimeToUtc({ ...date, hour: 23, minute: 59 }, input.timeZone);
    if (endOfDay.getTime() > input.now.getTime()) return { year, dueAt };
  }
  return undefined;
}

export interface OccasionDue {
  dueAt: Date;
  /** The anniversary's year, or "signup". */
  period: string;
  /** Whole years since the anchor on that day (anniversaries). */
  years: number;
}

/** The first anniversary of `anchor` due strictly after `after` (Feb 29 on Feb 28 in common years). */
export function nextAnniversaryDue(
  anchor: Date,
  after: Date,
  timeZone: string,
  sendHour: number,
): OccasionDue {
  const first = localDateTimeAt(anchor, timeZone);
  for (let years = 1; ; years++) {
    const year = first.year + years;
    const date = birthdayInYear({ month: first.month, day: first.day }, year, 'feb-28');
    const dueAt = zonedTimeToUtc({ ...date, hour: sendHour, minute: 0 }, timeZone);
    if (dueAt.getTime() > after.getTime()) return { dueAt, period: String(year), years };
  }
}

/** Due `days` after signup at the send hour, local time (once). */
export function signupDue(signedUpAt: Date, days: number, timeZone: string, sendHour: number): OccasionDue {
  const day = addDays(localDateTimeAt(signedUpAt, timeZone), days);
  return {
    dueAt: zonedTimeToUtc({ ...day, hour: sendHour, minute: 0 }, timeZone),
    period: 'signup',
    years: 0,
  };
}
