// The loyalty report's standard periods — the last 7, 30 and 90 days and the three calendar months
// before this one — which the weekly run stores and the console shows; pure, so the email
// history's retention can be checked against how far back they reach.
import { DAY_MS } from './clock.ts';

const ROLLING_DAYS = [7, 30, 90] as const;
const CALENDAR_MONTHS = 3;

/** How far back the oldest standard period can start (the calendar months, and this one's days so far). */
export const REPORT_LOOKBACK_DAYS = Math.max(...ROLLING_DAYS, 31 * (CALENDAR_MONTHS + 1));

/** The periods a run at `now` reports on, each with its inclusive start and exclusive end. */
export function standardPeriods(now: Date): { period: string; from: Date; to: Date }[] {
  const rolling = ROLLING_DAYS.map((days) => ({
    period: `last-${days}-days`,
    from: new Date(now.getTime() - days * DAY_MS),
    to: now,
  }));
  const months = Array.from({ length: CALENDAR_MONTHS }, (_, back) => {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back - 1, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    return { period: `month-${from.toISOString().slice(0, 7)}`, from, to };
  });
  return [...rolling, ...months];
}
