// The one write path for order events: record the fact once (by orderId / refund content), then
// recompute the customer's aggregates from all recorded facts and store them with an optimistic
// version check. Redelivery, reordering and concurrent events therefore converge.
import { createHash } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { decimalToMilli } from '../domain/money.ts';
import { type PurchaseAggregates, summarisePurchases } from '../domain/purchase-history.ts';
import type { OrderRefunded, PurchaseCompleted } from '../events/contracts.ts';
import type { CustomerStore, PurchaseHistory } from '../store/customers.ts';

export interface AggregatesChange {
  customerId: string;
  /** True if this delivery recorded a new fact; false for a redelivery. */
  recorded: boolean;
  before: PurchaseAggregates | undefined;
  after: PurchaseAggregates;
  history: PurchaseHistory;
}

const MAX_RACE_RETRIES = 8;

export async function recordPurchase(
  store: CustomerStore,
  clock: Clock,
  purchase: PurchaseCompleted,
): Promise<AggregatesChange> {
  const recorded = await store.recordOrderOnce(
    purchase.customerId,
    {
      orderId: purchase.orderId,
      amountMilli: toMilli(purchase.amount),
      currency: purchase.currency,
      purchasedAt: new Date(purchase.purchasedAt).toISOString(),
      ...(purchase.couponCode ? { couponCode: purchase.couponCode } : {}),
    },
    clock.now(),
  );
  return { ...(await refreshAggregates(store, clock, purchase.customerId)), recorded };
}

export async function recordRefund(store: CustomerStore, clock: Clock, refund: OrderRefunded): Promise<AggregatesChange> {
  const amountMilli = toMilli(refund.amount);
  const refundedAt = new Date(refund.refundedAt).toISOString();
  // Refund events carry no id of their own: the same (order, amount, time) is the same refund.
  const refundKey = createHash('sha256').update(`${refund.orderId}|${amountMilli}|${refundedAt}`).digest('hex').slice(0, 16);
  const recorded = await store.recordRefundOnce(
    refund.customerId,
    { orderId: refund.orderId, refundKey, amountMilli, refundedAt },
    clock.now(),
  );
  return { ...(await refreshAggregates(store, clock, refund.customerId)), recorded };
}

/** Recomputes and stores a customer's aggregates; skips the write when nothing changed. */
export async function refreshAggregates(
  store: CustomerStore,
  clock: Clock,
  customerId: string,
): Promise<Omit<AggregatesChange, 'recorded'>> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const history = await store.loadPurchaseHistory(customerId);
    const now = clock.now();
    const before = history.stored?.profile.purchases;
    const after = summarisePurchases(history.orders, history.refunds, now);
    if (before && sameAggregates(before, after)) return { customerId, before, after: before, history };
    if (await store.saveAggregates(customerId, after, history.stored?.aggVersion ?? 0, now)) {
      return { customerId, before, after, history };
    }
  }
  throw new Error(`aggregates for customer ${customerId} kept changing under us; retrying the event`);
}

function sameAggregates(a: PurchaseAggregates, b: PurchaseAggregates): boolean {
  const { asOf: _a, ...restA } = a;
  const { asOf: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

function toMilli(amount: number | string): number {
  const milli = decimalToMilli(amount);
  // The contract schema has already refused anything that is not a plain decimal.
  if (milli === undefined) throw new Error('amount passed validation but is not a decimal');
  return milli;
}
