// When a file-defined timer campaign is next due for a customer. A first-purchase anniversary
// is due at the campaign's send hour, local time, on each anniversary of the first purchase
// (Feb 29 on Feb 28 in common years); a days-since-signup campaign once, N days after signup.
import { addDays, isLeapYear, localDateTimeAt, zonedTimeToUtc } from './local-time.ts';

export interface CampaignDue {
  dueAt: Date;
  /** The ledger period: the anniversary's year, or "signup". */
  period: string;
  /** Whole years since the anchor on that day (anniversaries). */
  years: number;
}

/** The first anniversary of `anchor` due strictly after `after`. */
export function nextAnniversaryDue(
  anchor: Date,
  after: Date,
  timeZone: string,
  sendHour: number,
): CampaignDue {
  const first = localDateTimeAt(anchor, timeZone);
  for (let years = 1; ; years++) {
    const year = first.year + years;
    const leapDay = first.month === 2 && first.day === 29 && !isLeapYear(year);
    const dueAt = zonedTimeToUtc(
      { year, month: first.month, day: leapDay ? 28 : first.day, hour: sendHour, minute: 0 },
      timeZone,
    );
    if (dueAt.getTime() > after.getTime()) return { dueAt, period: String(year), years };
  }
}

/** Due `days` after signup at the send hour, local time (once). */
export function signupDue(signedUpAt: Date, days: number, timeZone: string, sendHour: number): CampaignDue {
  const day = addDays(localDateTimeAt(signedUpAt, timeZone), days);
  return {
    dueAt: zonedTimeToUtc({ ...day, hour: sendHour, minute: 0 }, timeZone),
    period: 'signup',
    years: 0,
  };
}
