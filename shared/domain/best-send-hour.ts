// Send-time optimisation (`send: { hour: best }`): the local hour a customer most often buys at,
// learned from their own orders — what Braze Intelligent Timing and Klaviyo Smart Send Time do
// with opens. Purchases are what we see, and a purchase hour is when the customer has time to shop.
// The learning is a 24-slot histogram kept on the profile with the purchase aggregates, so it
// costs no request of its own; sending reads it from the profile the engine already loads.
import { localDateTimeAt, nextLocalTimeOfDay, zonedTimeToUtc } from './local-time.ts';

/** Below this many orders the histogram is noise: the journey's default hour is used instead. */
export const MIN_ORDERS_FOR_BEST_HOUR = 3;
/** Where `hour: best` is the journey default, the hour a customer without a learned hour gets. */
export const BEST_HOUR_FALLBACK = 9;

/** How many orders were placed in each local hour (0..23) of `timeZone`. */
export interface PurchaseHours {
  timeZone: string;
  counts: number[];
}

/** A send hour as a journey states it: a fixed local hour, or the customer's learned one. */
export type SendHour = number | 'best';

export function purchaseHoursOf(orders: readonly { purchasedAt: string }[], timeZone: string): PurchaseHours {
  const counts = Array.from({ length: 24 }, () => 0);
  for (const order of orders) {
    const hour = localDateTimeAt(new Date(order.purchasedAt), timeZone).hour;
    counts[hour] = (counts[hour] ?? 0) + 1;
  }
  return { timeZone, counts };
}

/**
 * The learned hour: with at least MIN_ORDERS_FOR_BEST_HOUR orders, the hour whose count plus half
 * of each neighbour's is highest (a customer who buys at 19:50 and 20:10 peaks at one hour, not
 * two); ties go to the hour with more orders of its own, then the earlier hour.
 */
export function learnedPurchaseHour(hours: PurchaseHours | undefined): { hour: number; orders: number } | undefined {
  const counts = hours?.counts ?? [];
  const orders = counts.reduce((sum, count) => sum + count, 0);
  if (orders < MIN_ORDERS_FOR_BEST_HOUR) return undefined;
  const at = (hour: number) => counts[(hour + 24) % 24] ?? 0;
  let best = 0;
  const score = (hour: number) => 2 * at(hour) + at(hour - 1) + at(hour + 1);
  for (let hour = 1; hour < 24; hour++) {
    if (score(hour) > score(best) || (score(hour) === score(best) && at(hour) > at(best))) best = hour;
  }
  return { hour: best, orders };
}

export interface ResolvedSendHour {
  /** Local hour in the zone the send is timed in. */
  hour: number;
  /** How it was chosen, for explain: "learned from 5 orders", "no learned hour (2 orders)". */
  why: string;
}

/**
 * The local hour (in `timeZone`, the zone the send is timed in) a send goes out at. A learned hour
 * is kept in the zone the purchases were counted in (a customer without a zone: UTC) and moved to
 * `timeZone` as of `now`.
 */
export function resolveSendHour(
  spec: SendHour,
  hours: PurchaseHours | undefined,
  timeZone: string,
  fallback: number,
  now: Date,
): ResolvedSendHour {
  if (spec !== 'best') return { hour: spec, why: `fixed hour ${spec}` };
  const learned = learnedPurchaseHour(hours);
  if (!learned || !hours) {
    const orders = hours?.counts.reduce((sum, count) => sum + count, 0) ?? 0;
    return { hour: fallback, why: `best hour: default ${fallback} (${orders} of ${MIN_ORDERS_FOR_BEST_HOUR} orders needed)` };
  }
  const hour =
    hours.timeZone === timeZone
      ? learned.hour
      : localDateTimeAt(
          zonedTimeToUtc({ ...localDateTimeAt(now, hours.timeZone), hour: learned.hour, minute: 0 }, hours.timeZone),
          timeZone,
        ).hour;
  return { hour, why: `best hour ${hour}, learned from ${learned.orders} orders` };
}

/** The next instant the local clock in `timeZone` shows `hour` — now, if it shows it already. */
export function nextLocalHour(now: Date, hour: number, timeZone: string): Date {
  return localDateTimeAt(now, timeZone).hour === hour ? now : nextLocalTimeOfDay(now, hour, timeZone);
}
