// A customer's purchase aggregates, recomputed from the recorded orders and refunds. Because the
// result depends only on the set of records (and the clock), a redelivered or out-of-order event
// cannot change the outcome: the same records always give the same aggregates.
import type { PurchaseHours } from './best-send-hour.ts';
import { DAY_MS } from './clock.ts';
import type { Milli } from './money.ts';

export interface OrderRecord {
  orderId: string;
  amountMilli: Milli;
  currency: string;
  purchasedAt: string;
  couponCode?: string;
}

export interface RefundRecord {
  orderId: string;
  refundKey: string;
  amountMilli: Milli;
  refundedAt: string;
}

export interface PurchaseAggregates {
  orderCount: number;
  /** Lifetime spend net of refunds, milli-units of the program currency. */
  totalSpendMilli: Milli;
  /** Net spend of orders placed in the 365 days up to `asOf`. */
  rollingSpendMilli: Milli;
  refundedMilli: Milli;
  averageOrderValueMilli: Milli;
  couponOrderCount: number;
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  /** Orders per local hour, for `send: { hour: best }`; set by the purchase path (the profile's zone). */
  purchaseHours?: PurchaseHours;
  asOf: string;
}

export const ROLLING_WINDOW_DAYS = 365;

/** Net amount of each order after its refunds (never below zero: over-refunds are capped). */
export function netOrderAmounts(orders: OrderRecord[], refunds: RefundRecord[]): Map<string, Milli> {
  const refunded = new Map<string, Milli>();
  for (const refund of refunds)
    refunded.set(refund.orderId, (refunded.get(refund.orderId) ?? 0) + refund.amountMilli);
  return new Map(
    orders.map((order) => [
      order.orderId,
      Math.max(0, order.amountMilli - (refunded.get(order.orderId) ?? 0)),
    ]),
  );
}

export function summarisePurchases(
  orders: OrderRecord[],
  refunds: RefundRecord[],
  asOf: Date,
): PurchaseAggregates {
  const net = netOrderAmounts(orders, refunds);
  const windowStart = asOf.getTime() - ROLLING_WINDOW_DAYS * DAY_MS;
  let totalSpendMilli = 0;
  let rollingSpendMilli = 0;
  let firstPurchaseAt: string | null = null;
  let lastPurchaseAt: string | null = null;
  for (const order of orders) {
    const amount = net.get(order.orderId) ?? 0;
    const at = Date.parse(order.purchasedAt);
    totalSpendMilli += amount;
    if (at > windowStart) rollingSpendMilli += amount;
    if (firstPurchaseAt === null || at < Date.parse(firstPurchaseAt)) firstPurchaseAt = order.purchasedAt;
    if (lastPurchaseAt === null || at > Date.parse(lastPurchaseAt)) lastPurchaseAt = order.purchasedAt;
  }
  // What the refunds took off spend, capped per order like spend itself (a refund of 500 on an
  // 80 order refunds 80); refunds of orders not recorded yet count once the order arrives.
  const refundedMilli = orders.reduce(
    (sum, order) => sum + order.amountMilli - (net.get(order.orderId) ?? order.amountMilli),
    0,
  );
  return {
    orderCount: orders.length,
    totalSpendMilli,
    rollingSpendMilli,
    refundedMilli,
    averageOrderValueMilli: orders.length === 0 ? 0 : Math.round(totalSpendMilli / orders.length),
    couponOrderCount: orders.filter((order) => order.couponCode).length,
    firstPurchaseAt: firstPurchaseAt && new Date(firstPurchaseAt).toISOString(),
    lastPurchaseAt: lastPurchaseAt && new Date(lastPurchaseAt).toISOString(),
    asOf: asOf.toISOString(),
  };
}
