// The one write path for order events: record the fact once (by orderId / refund content), then
// recompute the customer's aggregates AND loyalty standing (tier, points), and for a purchase its
// lifecycle stage and predictions, from all recorded facts and store them in one write with an
// optimistic version check. Redelivery, reordering and
// concurrent events therefore converge.
import { createHash } from 'node:crypto';
import { purchaseHoursOf } from '../domain/best-send-hour.ts';
import type { Clock } from '../domain/clock.ts';
import { type CustomerPrediction, predictCustomer, purchaseSummary } from '../domain/customer-predictions.ts';
import {
  decideLifecycle,
  type LifecycleFacts,
  lifecycleFactsFrom,
  type LifecycleThresholds,
  type StoredLifecycle,
} from '../domain/lifecycle.ts';
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
import type { FittedPredictionModel } from '../store/predictions.ts';
import { purchaseFacts } from './predictions.ts';
import { LOST_RACE, retryOnRace } from '../store/race.ts';

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
  /** The lifecycle stage now stored (a purchase decides it; undefined before any was). */
  lifecycle: StoredLifecycle | undefined;
}

/** What a purchase or refund moves besides the aggregates, decided here and stored in the same write. */
export interface StandingMoves {
  /** The lifecycle stage follows the purchase dates (purchases only: a refund moves no date). */
  lifecycle?: LifecycleThresholds;
  /** The customer's predictions from the stored fit (none before the first fit). */
  predictionModel?: FittedPredictionModel | undefined;
}

export async function recordPurchase(
  store: CustomerStore,
  clock: Clock,
  purchase: PurchaseCompleted,
  program: LoyaltyProgram,
  moves: StandingMoves = {},
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
  return { ...(await refreshAggregates(store, clock, program, purchase.customerId, moves)), recorded };
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
  moves: StandingMoves = {},
): Promise<AggregatesChange> {
  const amountMilli = toMilli(refund.amount);
  const refundedAt = new Date(refund.refundedAt).toISOString();
  const refundKey = refundKeyOf(refund);
  const recorded = await store.recordRefundOnce(
    refund.customerId,
    { orderId: refund.orderId, refundKey, amountMilli, refundedAt },
    clock.now(),
  );
  return { ...(await refreshAggregates(store, clock, program, refund.customerId, moves)), recorded };
}

/**
 * Recomputes and stores a customer's aggregates and loyalty standing (and what `moves` asks for);
 * skips the write when nothing changed. Also the entry point for a tier review (anniversary
 * timer): same computation, later clock.
 */
export async function refreshAggregates(
  store: CustomerStore,
  clock: Clock,
  program: LoyaltyProgram,
  customerId: string,
  moves: StandingMoves = {},
): Promise<Omit<AggregatesChange, 'recorded'>> {
  return retryOnRace(`aggregates for customer ${customerId}`, async () => {
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
    const stage = moves.lifecycle
      ? decideLifecycle(stored?.lifecycle, lifecycleFactsOf(history), now, moves.lifecycle)
      : 'unchanged';
    const result = { customerId, before, after, loyalty, history, lifecycle: stored?.lifecycle };
    if (
      stage === 'unchanged' &&
      before &&
      stored?.loyalty &&
      sameState(before, after) &&
      sameState(stored.loyalty, loyalty)
    ) {
      // Nothing new to store, but a crash after an earlier write may have left changes unannounced.
      return {
        ...result,
        after: before,
        loyalty: stored.loyalty,
        unannounced: unannouncedChanges(stored.loyalty, stored.tierAnnouncedSeq),
      };
    }
    const lifecycle = stage === 'unchanged' ? undefined : { record: stage, expectedSeq: stored?.lifecycle?.seq };
    const predictions = predictionsToStore(moves.predictionModel, history, stored?.profile.predictions, now);
    // A profile still on the byEmail index moves to its ADDRESS item with this write, once.
    const addressOffProfile = stored?.addressOnProfile === true;
    if (addressOffProfile && stored.profile.email)
      await store.saveAddress(customerId, stored.profile.email, stored.profileVersion);
    if (
      await store.saveAggregates(customerId, after, stored?.aggVersion ?? 0, now, loyalty, {
        ...(lifecycle ? { lifecycle } : {}),
        ...(predictions ? { predictions } : {}),
        ...(addressOffProfile ? { addressOffProfile } : {}),
      })
    ) {
      return {
        ...result,
        lifecycle: lifecycle?.record ?? stored?.lifecycle,
        unannounced: unannouncedChanges(loyalty, stored?.tierAnnouncedSeq ?? 0),
      };
    }
    return LOST_RACE;
  });
}

/** The lifecycle facts of a customer's recorded orders. */
export function lifecycleFactsOf(history: Pick<PurchaseHistory, 'orders'>): LifecycleFacts {
  return lifecycleFactsFrom(history.orders.map((order) => order.purchasedAt));
}

/**
 * The predictions to store with the aggregates, from the fit and every recorded order net of
 * refunds; none before the first fit, and none over a computation stored for a later instant.
 */
function predictionsToStore(
  model: FittedPredictionModel | undefined,
  history: PurchaseHistory,
  stored: CustomerPrediction | undefined,
  now: Date,
): CustomerPrediction | undefined {
  if (!model || (stored && Date.parse(stored.asOf) > now.getTime())) return undefined;
  const summary = purchaseSummary(purchaseFacts(history.orders, history.refunds), now);
  return summary && predictCustomer(model.model, model.at, summary, now);
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
  return retryOnRace(`aggregates for customer ${customerId}`, async () => {
    const history = await store.loadPurchaseHistory(customerId);
    const stored = history.stored;
    const purchases = stored?.profile.purchases;
    if (!stored || !purchases) return;
    const purchaseHours = purchaseHoursOf(history.orders, purchaseHoursZone(stored.profile));
    if (canonicalJson(purchases.purchaseHours) === canonicalJson(purchaseHours)) return;
    const createdAt = new Date(stored.profile.createdAt);
    if (await store.saveAggregates(customerId, { ...purchases, purchaseHours }, stored.aggVersion, createdAt, stored.loyalty))
      return;
    return LOST_RACE;
  });
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
