// The one write path for order events: record the fact once (by orderId / refund content), then
// recompute the customer's aggregates AND loyalty standing (tier, points) from all recorded facts
// and store them in one write with an optimistic version check. Redelivery, reordering and
// concurrent events therefore converge.
import { createHash } from 'node:crypto';
import { purchaseHoursOf } from '../domain/best-send-hour.ts';
import type { Clock } from '../domain/clock.ts';
import { computeLoyalty } from '../domain/loyalty.ts';
import {
  advanceLoyalty,
  type StoredLoyalty,
  type TierChangeRecord,
  unannouncedChanges,
} from '../domain/loyalty-changes.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
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
  loyalty: StoredLoyalty;
  /** Tier changes stored but not yet confirmed as published (see announceTierChanges). */
  unannounced: TierChangeRecord[];
  history: PurchaseHistory;
}

const MAX_RACE_RETRIES = 8;

export async function recordPurchase(
  store: CustomerStore,
  clock: Clock,
  purchase: PurchaseCompleted,
  program: LoyaltyProgram,
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
  return { ...(await refreshAggregates(store, clock, program, purchase.customerId)), recorded };
}

/** Refund events carry no id of their own: the same (order, amount, time) is the same refund. */
export function refundKeyOf(refund: OrderRefunded): string {
  return createHash('sha256')
    .update(`${refund.orderId}|${toMilli(refund.amount)}|${new Date(refund.refundedAt).toISOString()}`)
    .digest('hex')
    .slice(0, 16);
}

export async function recordRefund(
  store: CustomerStore,
  clock: Clock,
  refund: OrderRefunded,
  program: LoyaltyProgram,
): Promise<AggregatesChange> {
  const amountMilli = toMilli(refund.amount);
  const refundedAt = new Date(refund.refundedAt).toISOString();
  const refundKey = refundKeyOf(refund);
  const recorded = await store.recordRefundOnce(
    refund.customerId,
    { orderId: refund.orderId, refundKey, amountMilli, refundedAt },
    clock.now(),
  );
  return { ...(await refreshAggregates(store, clock, program, refund.customerId)), recorded };
}

/**
 * Recomputes and stores a customer's aggregates and loyalty standing; skips the write when nothing
 * changed. Also the entry point for a tier review (anniversary timer): same computation, later clock.
 */
export async function refreshAggregates(
  store: CustomerStore,
  clock: Clock,
  program: LoyaltyProgram,
  customerId: string,
): Promise<Omit<AggregatesChange, 'recorded'>> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const history = await store.loadPurchaseHistory(customerId);
    const now = clock.now();
    const stored = history.stored;
    const before = stored?.profile.purchases;
    // The purchase-hour histogram rides on this write (send-time optimisation): no request of its own.
    const after = {
      ...summarisePurchases(history.orders, history.refunds, now),
      purchaseHours: purchaseHoursOf(history.orders, purchaseHoursZone(stored?.profile ?? {})),
    };
    const computed = computeLoyalty(program, history.orders, history.refunds, now);
    const loyalty = advanceLoyalty(program, stored?.loyalty, computed, now);
    const result = { customerId, before, after, loyalty, history };
    if (before && stored?.loyalty && sameState(before, after) && sameState(stored.loyalty, loyalty)) {
      // Nothing new to store, but a crash after an earlier write may have left changes unannounced.
      return {
        ...result,
        after: before,
        loyalty: stored.loyalty,
        unannounced: unannouncedChanges(stored.loyalty, stored.tierAnnouncedSeq),
      };
    }
    if (await store.saveAggregates(customerId, after, stored?.aggVersion ?? 0, now, loyalty)) {
      return { ...result, unannounced: unannouncedChanges(loyalty, stored?.tierAnnouncedSeq ?? 0) };
    }
  }
  throw new Error(`aggregates for customer ${customerId} kept changing under us; retrying the event`);
}

/** The zone purchase hours are counted in: the profile's, else UTC (sent at the same instants). */
export function purchaseHoursZone(profile: { timeZone?: string | undefined }): string {
  return profile.timeZone ?? 'UTC';
}

/**
 * After the customer's time zone changed (or was first given after their purchases), recounts the
 * purchase hours in the new zone, so the histogram does not depend on which event came first.
 * One Query of the orders, only then; the aggregates' version check orders it with purchases.
 */
export async function recountPurchaseHours(store: CustomerStore, customerId: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const history = await store.loadPurchaseHistory(customerId);
    const stored = history.stored;
    const purchases = stored?.profile.purchases;
    if (!stored || !purchases) return;
    const purchaseHours = purchaseHoursOf(history.orders, purchaseHoursZone(stored.profile));
    if (canonicalJson(purchases.purchaseHours) === canonicalJson(purchaseHours)) return;
    const createdAt = new Date(stored.profile.createdAt);
    if (await store.saveAggregates(customerId, { ...purchases, purchaseHours }, stored.aggVersion, createdAt, stored.loyalty))
      return;
  }
  throw new Error(`aggregates for customer ${customerId} kept changing under us; retrying the event`);
}

/** Equal apart from the instant they were computed at; key order does not matter. */
function sameState<T extends { asOf: string }>(a: T, b: T): boolean {
  return canonicalJson({ ...a, asOf: '' }) === canonicalJson({ ...b, asOf: '' });
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function toMilli(amount: number | string): number {
  const milli = decimalToMilli(amount);
  // The contract schema has already refused anything that is not a plain decimal.
  if (milli === undefined) throw new Error('amount passed validation but is not a decimal');
  return milli;
}
