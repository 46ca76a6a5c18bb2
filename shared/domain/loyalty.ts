// A customer's loyalty standing — tier and points ledger — as a pure function of their recorded
// orders and refunds and the clock. The history is replayed in event time, so redelivered,
// duplicated or reordered events always converge to the same state.
//
// Policy (docs/loyalty-program.md):
// - Tier = highest threshold reached by the net spend of the orders placed in the last 365 days.
//   Upgrades happen at the purchase that crosses a threshold (skipping tiers if it crosses several).
// - A reached tier is held until its anniversary (tierHoldMonths after reaching it): refunds and
//   spend ageing out never downgrade mid-year. On the anniversary the tier is re-evaluated: kept
//   (and held another period) if the rolling spend still qualifies, else lowered to the tier it does.
// - Points: each order earns floor(amount x pointsPerUnit x multiplier of the tier held just
//   before that order). A refund reverses the order's points in proportion (refund / amount).
//   Points expire monthsAfterEarning after they were earned.
// - A reversal larger than the balance (its points already expired) records a points debt, which
//   later earnings pay off first. The balance itself never goes below zero.
import { DAY_MS } from './clock.ts';
import {
  baseTier,
  type LoyaltyProgram,
  nextTierAbove,
  type TierDefinition,
  tierById,
  tierForSpend,
} from './loyalty-program.ts';
import type { Milli } from './money.ts';
import { type OrderRecord, type RefundRecord, ROLLING_WINDOW_DAYS } from './purchase-history.ts';

export type TierChangeReason = 'purchase' | 'anniversary-review' | 'correction';

export interface TierTransition {
  at: string;
  from: string;
  to: string;
  reason: Exclude<TierChangeReason, 'correction'>;
}

export const TRANSITIONS_KEPT = 6;

export interface LoyaltyState {
  tier: string;
  /** When the current tier was reached (null: never left the base tier). */
  tierSince: string | null;
  /** The anniversary on which the tier is re-evaluated (null for the base tier). */
  tierHeldUntil: string | null;
  /** The tier the rolling spend would give today, ignoring the hold. */
  qualifiedTier: string;
  rollingSpendMilli: Milli;
  nextTier: string | null;
  spendToNextTierMilli: Milli | null;
  points: number;
  pointsDebt: number;
  pointsEarned: number;
  pointsReversed: number;
  pointsExpired: number;
  nextPointsExpiry: { at: string; points: number } | null;
  /** The latest tier transitions in event time, oldest first (what produced the current tier). */
  recentTransitions: TierTransition[];
  asOf: string;
}

/** Adds calendar months in UTC, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsUtc(at: Date, months: number): Date {
  const target = new Date(at.getTime());
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

interface Lot {
  orderId: string;
  expiresAt: number;
  earned: number;
  remaining: number;
}

type Step =
  | { at: number; rank: 0; key: string; order: OrderRecord }
  | { at: number; rank: 1; key: string; refund: RefundRecord; order: OrderRecord };

/** floor(amount x pointsPerUnit x multiplier) in exact integer arithmetic. */
export function pointsForAmount(program: LoyaltyProgram, amountMilli: Milli, tier: TierDefinition): number {
  return Number(
    (BigInt(amountMilli) * BigInt(program.pointsPerUnitMilli) * BigInt(tier.multiplierHundredths)) /
      100_000_000n,
  );
}

function timeline(orders: OrderRecord[], refunds: RefundRecord[]): Step[] {
  const byId = new Map<string, OrderRecord>();
  for (const order of orders) byId.set(order.orderId, order);
  const steps: Step[] = [...byId.values()].map((order) => ({
    at: Date.parse(order.purchasedAt),
    rank: 0,
    key: order.orderId,
    order,
  }));
  for (const refund of refunds) {
    const order = byId.get(refund.orderId);
    // A refund of an order we have not recorded yet waits for it (the aggregates do the same).
    if (!order) continue;
    // A refund cannot take effect before its order, whatever its timestamp says.
    const at = Math.max(Date.parse(refund.refundedAt), Date.parse(order.purchasedAt));
    steps.push({ at, rank: 1, key: `${refund.orderId}#${refund.refundKey}`, refund, order });
  }
  return steps.sort((a, b) => a.at - b.at || a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function computeLoyalty(
  program: LoyaltyProgram,
  orders: OrderRecord[],
  refunds: RefundRecord[],
  now: Date,
): LoyaltyState {
  const windowMs = ROLLING_WINDOW_DAYS * DAY_MS;
  const steps = timeline(orders, refunds);

  // Rolling window over the orders seen so far, in time order: a pointer drops the ones that age out.
  const windowOrders: OrderRecord[] = [];
  const refundedSoFar = new Map<string, Milli>();
  let windowFirst = 0;
  let windowSpend = 0;
  const netOf = (order: OrderRecord) => order.amountMilli - (refundedSoFar.get(order.orderId) ?? 0);
  const inWindow = (order: OrderRecord, at: number) => Date.parse(order.purchasedAt) > at - windowMs;
  const rollingAt = (at: number): Milli => {
    while (windowFirst < windowOrders.length) {
      const oldest = windowOrders[windowFirst];
      if (!oldest || inWindow(oldest, at)) break;
      windowSpend -= netOf(oldest);
      windowFirst++;
    }
    return windowSpend;
  };

  let tier = baseTier(program);
  let tierSince: number | null = null;
  let heldUntil: number | null = null;
  let holdPeriods = 0;
  const transitions: TierTransition[] = [];
  const moveTo = (to: TierDefinition, at: number, reason: TierTransition['reason']) => {
    transitions.push({ at: new Date(at).toISOString(), from: tier.id, to: to.id, reason });
    tier = to;
    tierSince = at;
    holdPeriods = 1;
    heldUntil = to.rank === 0 ? null : addMonthsUtc(new Date(at), program.tierHoldMonths).getTime();
  };

  const lots: Lot[] = [];
  const lotByOrder = new Map<string, Lot>();
  let nextToExpire = 0;
  let debt = 0;
  let earnedTotal = 0;
  let reversedTotal = 0;
  let expiredTotal = 0;
  const earnedByOrder = new Map<string, number>();

  /** Anniversary reviews and point expiries due up to `at`, in time order. */
  const runCheckpoints = (at: number) => {
    for (;;) {
      const lot = lots[nextToExpire];
      const expiryAt = lot ? lot.expiresAt : Number.POSITIVE_INFINITY;
      const reviewAt = heldUntil ?? Number.POSITIVE_INFINITY;
      const due = Math.min(expiryAt, reviewAt);
      if (due > at) return;
      if (lot && expiryAt === due) {
        expiredTotal += lot.remaining;
        lot.remaining = 0;
        nextToExpire++;
        continue;
      }
      const qualified = tierForSpend(program, rollingAt(due));
      if (qualified.rank >= tier.rank) {
        holdPeriods++;
        heldUntil = addMonthsUtc(new Date(tierSince ?? due), program.tierHoldMonths * holdPeriods).getTime();
      } else {
        moveTo(qualified, due, 'anniversary-review');
      }
    }
  };

  const takePoints = (wanted: number, first: Lot | undefined): number => {
    let left = wanted;
    const fromLot = (lot: Lot) => {
      const taken = Math.min(lot.remaining, left);
      lot.remaining -= taken;
      left -= taken;
    };
    // The refunded order's own points go first (an expired lot has nothing left), then the oldest.
    if (first) fromLot(first);
    for (let i = nextToExpire; i < lots.length && left > 0; i++) {
      const lot = lots[i];
      if (lot) fromLot(lot);
    }
    return left;
  };

  for (const step of steps) {
    runCheckpoints(step.at);
    if (step.rank === 0) {
      const { order } = step;
      const earned = pointsForAmount(program, order.amountMilli, tier);
      earnedByOrder.set(order.orderId, earned);
      earnedTotal += earned;
      const paid = Math.min(debt, earned);
      debt -= paid;
      const expiresAt =
        program.pointsExpiry === 'never'
          ? Number.POSITIVE_INFINITY
          : addMonthsUtc(new Date(step.at), program.pointsExpiry.monthsAfterEarning).getTime();
      const lot: Lot = { orderId: order.orderId, expiresAt, earned, remaining: earned - paid };
      lots.push(lot);
      lotByOrder.set(order.orderId, lot);
      windowOrders.push(order);
      windowSpend += order.amountMilli;
      const qualified = tierForSpend(program, rollingAt(step.at));
      if (qualified.rank > tier.rank) moveTo(qualified, step.at, 'purchase');
    } else {
      const { order, refund } = step;
      const before = refundedSoFar.get(order.orderId) ?? 0;
      const after = Math.min(order.amountMilli, before + refund.amountMilli);
      if (after === before) continue;
      rollingAt(step.at);
      if (inWindow(order, step.at)) windowSpend -= after - before;
      refundedSoFar.set(order.orderId, after);
      const earned = earnedByOrder.get(order.orderId) ?? 0;
      const keptBefore = Math.floor((earned * (order.amountMilli - before)) / order.amountMilli);
      const keptAfter = Math.floor((earned * (order.amountMilli - after)) / order.amountMilli);
      const reversal = keptBefore - keptAfter;
      reversedTotal += reversal;
      debt += takePoints(reversal, lotByOrder.get(order.orderId));
    }
  }

  // Events dated after `now` (producer clock skew) still count, at their own time.
  runCheckpoints(Math.max(now.getTime(), steps.at(-1)?.at ?? Number.NEGATIVE_INFINITY));
  // Today's rolling spend, exactly as the purchase aggregates define it.
  const rollingSpendMilli = windowOrders.reduce(
    (sum, order) => sum + (inWindow(order, now.getTime()) ? netOf(order) : 0),
    0,
  );
  const next = nextTierAbove(program, tier);
  const points = lots.reduce((sum, lot, index) => sum + (index >= nextToExpire ? lot.remaining : 0), 0);
  const upcoming = lots
    .slice(nextToExpire)
    .find((lot) => lot.remaining > 0 && Number.isFinite(lot.expiresAt));
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    tier: tier.id,
    tierSince: iso(tierSince),
    tierHeldUntil: iso(heldUntil),
    qualifiedTier: tierForSpend(program, rollingSpendMilli).id,
    rollingSpendMilli,
    nextTier: next?.id ?? null,
    spendToNextTierMilli: next ? Math.max(0, next.minSpend - rollingSpendMilli) : null,
    points,
    pointsDebt: debt,
    pointsEarned: earnedTotal,
    pointsReversed: reversedTotal,
    pointsExpired: expiredTotal,
    nextPointsExpiry: upcoming
      ? { at: new Date(upcoming.expiresAt).toISOString(), points: upcoming.remaining }
      : null,
    recentTransitions: transitions.slice(-TRANSITIONS_KEPT),
    asOf: now.toISOString(),
  };
}

/** The tier a stored state names, or the base tier if the program no longer has it. */
export function tierOf(program: LoyaltyProgram, id: string | undefined): TierDefinition {
  return (id && tierById(program, id)) || baseTier(program);
}
