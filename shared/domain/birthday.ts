// The birthday campaign's rules: which local day and hour a customer's greeting is due, once per
// year, how Feb 29 birthdays are celebrated in common years, and the coupon that comes with it.
import { createHash } from 'node:crypto';
import { DAY_MS } from './clock.ts';
import { isLeapYear, type LocalDate, localDateTimeAt, zonedTimeToUtc } from './local-time.ts';
import type { Milli } from './money.ts';

export interface BirthdayConfig {
  /** Campaign id: the send ledger's campaign ("birthday"). */
  campaign: string;
  enabled: boolean;
  /** Local hour of day (0-23) the greeting is due in the customer's time zone. */
  sendHour: number;
  /** Zone for customers whose profile has none. */
  defaultTimeZone: string;
  /** Where a Feb 29 birthday falls in common years. */
  leapDayIn: 'feb-28' | 'mar-01';
  template: string;
  coupon: {
    prefix: string;
    expiresAfterDays: number;
    /** Coupon value in the program currency per loyalty tier. */
    valueByTier: Record<string, Milli>;
    /** Tier assumed for customers without one (a key of valueByTier). */
    defaultTier: string;
  };
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
  leapDayIn: BirthdayConfig['leapDayIn'],
): LocalDate {
  if (monthDay.month === 2 && monthDay.day === 29 && !isLeapYear(year)) {
    return leapDayIn === 'feb-28' ? { year, month: 2, day: 28 } : { year, month: 3, day: 1 };
  }
  return { year, ...monthDay };
}

export interface BirthdayDue {
  /** The birthday's year: the send ledger period, so one greeting per customer per year. */
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
  config: Pick<BirthdayConfig, 'sendHour' | 'leapDayIn'>;
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

/**
 * A greeting held up by a scheduler outage is still sent this long after its time (a belated
 * greeting with a valid coupon beats none); after that the year is skipped, never sent weeks late.
 */
export const LATE_GREETING_MS = 7 * DAY_MS;

/** When the greeting for a given year is due (send hour, local time, on that year's birthday). */
export function birthdayDueIn(
  year: number,
  birthday: string,
  timeZone: string,
  config: Pick<BirthdayConfig, 'sendHour' | 'leapDayIn'>,
): Date | undefined {
  const monthDay = birthdayMonthDay(birthday);
  if (!monthDay) return undefined;
  return zonedTimeToUtc(
    { ...birthdayInYear(monthDay, year, config.leapDayIn), hour: config.sendHour, minute: 0 },
    timeZone,
  );
}

export interface BirthdayCoupon {
  code: string;
  tier: string;
  valueMilli: Milli;
  expiresAt: string;
}

/**
 * A customer's coupon for a year: the code is derived from (customer, year, attempt) so a
 * re-fired timer finds the same code; `attempt` moves on only if a code is taken by someone else.
 */
export function birthdayCoupon(input: {
  customerId: string;
  year: number;
  tier: string | undefined;
  issuedAt: Date;
  attempt: number;
  config: BirthdayConfig['coupon'];
}): BirthdayCoupon {
  const tier = input.tier && input.tier in input.config.valueByTier ? input.tier : input.config.defaultTier;
  const digest = createHash('sha256')
    .update(`birthday|${input.customerId}|${input.year}|${input.attempt}`)
    .digest();
  return {
    code: `${input.config.prefix}${input.year % 100}-${base32(digest).slice(0, 8)}`,
    tier,
    valueMilli: input.config.valueByTier[tier] ?? 0,
    expiresAt: new Date(input.issuedAt.getTime() + input.config.expiresAfterDays * DAY_MS).toISOString(),
  };
}

// Crockford base32: no I, L, O, U, so codes survive being read aloud or typed from a phone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}
