// How long the per-email history stays in the table: each email's send-ledger entry and journey
// send outcome, each holdout record, each issued coupon (counted from its own expiry) and each
// counted unsubscribe carry `expiresAt` (the table's TTL), so storage follows the audience of the
// last EMAIL_HISTORY_DAYS, not every email ever sent. The setting may not be shorter than any
// window a reader looks back over, nor than the longest a request or event for an item can take
// to come again: the send ledger is the exactly-once guard (docs/guarantees.md).
import * as z from 'zod';
import { DAY_MS } from './clock.ts';
import { REPORT_LOOKBACK_DAYS } from './report-periods.ts';
import { ATTRIBUTION_DAYS } from './step-results.ts';

/** A year of reports, year-over-year comparisons and `explain`, whole, with a month to spare. */
export const EMAIL_HISTORY_DEFAULT_DAYS = 400;

/** How long a dead-letter queue keeps a message (infra/aws/constructs/work-queue.ts: the stack's one value). */
export const DEAD_LETTER_DAYS = 14;

/**
 * The longest a message can live, counted from when it was put on its queue: EventBridge retries a
 * delivery for 24 hours, and a standard queue's message expires by its ORIGINAL enqueue time, also in
 * the dead-letter queue, after at most DEAD_LETTER_DAYS. An operator's redrive (the only replay: the
 * stack keeps no EventBridge archive) enqueues it anew, and it is read again at once, so between two
 * readings of the same request or event lie at most this many days (plus a deferral's wait).
 */
export const MESSAGE_LIFETIME_DAYS = 1 + DEAD_LETTER_DAYS;

/** An unsubscribe link's validity unless the sender is told otherwise (UNSUBSCRIBE_TOKEN_TTL_DAYS). */
export const UNSUBSCRIBE_LINK_DEFAULT_DAYS = 90;

/** Epoch seconds `days` after `at`: the value of the table's TTL attribute. */
export function expiresAfter(at: Date, days: number): number {
  return Math.floor((at.getTime() + days * DAY_MS) / 1000);
}

/** When an item of the history written (or, for a coupon, ending) at `at` may go, in epoch seconds. */
export type HistoryExpiry = (at: Date) => number;

export function historyExpiry(days: number): HistoryExpiry {
  return (at) => expiresAfter(at, days);
}

/** A window some reader of the history looks back over. */
export interface HistoryReader {
  days: number;
  reads: string;
}

/**
 * What reads the history, and how far back. Not here, because they read items that never expire:
 * `reentry` (once, or at most once per period) and the journey's own run read the run's state item
 * (JOURNEY#<id>#STATE, its enteredAt and recent entry ids); the frequency cap reads the customer's
 * SENDCAP item.
 */
export const HISTORY_READERS: readonly HistoryReader[] = [
  {
    days: REPORT_LOOKBACK_DAYS,
    reads:
      "the weekly report's longest standard period (three calendar months and this one's days), whose sends, holdouts and conversions it counts",
  },
  { days: UNSUBSCRIBE_LINK_DEFAULT_DAYS, reads: "an unsubscribe link's validity, within which a replayed link must find its count marker" },
  { days: ATTRIBUTION_DAYS, reads: 'the attribution window, over which a purchase is credited to the sends before it' },
  {
    days: MESSAGE_LIFETIME_DAYS,
    reads: 'a send request or SES event coming again (EventBridge retries 1 day, a dead-letter queue keeps 14)',
  },
];

/** Why `days` of history is too short for one of `readers` (the longest), or undefined. */
export function historyTooShort(days: number, readers: readonly HistoryReader[] = HISTORY_READERS): string | undefined {
  const longest = readers.reduce((a, b) => (b.days > a.days ? b : a));
  return days < longest.days ? `must be at least ${longest.days} days: ${longest.reads}` : undefined;
}

/** The retention in days, validated against every reader (a deploy's `-c emailHistoryDays`, a function's env). */
export const emailHistoryDays = z.coerce
  .number()
  .int()
  .positive()
  .superRefine((days, ctx) => {
    const tooShort = historyTooShort(days);
    if (tooShort) ctx.addIssue({ code: 'custom', message: tooShort });
  });

/** Every function that writes the history reads its retention from this variable (wiring `access.emailHistory`). */
export const EMAIL_HISTORY_ENV = 'EMAIL_HISTORY_DAYS';

export const emailHistoryEnv = z.object({ [EMAIL_HISTORY_ENV]: emailHistoryDays.default(EMAIL_HISTORY_DEFAULT_DAYS) });
