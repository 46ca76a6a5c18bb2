// Lifecycle stage from purchase dates: new, active, at-risk, lapsed, churned, reactivated. The
// stage is a pure function of (purchase facts, now, thresholds), and so is the instant it next
// changes — so a timer can be armed for that instant instead of scanning customers daily.
import * as z from 'zod';
import { DAY_MS } from './clock.ts';

export const LIFECYCLE_STAGES = ['new', 'active', 'at-risk', 'lapsed', 'churned', 'reactivated'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const lifecycleThresholds = z
  .strictObject({
    /** A first purchase this recent (or no purchase yet) makes a customer "new". */
    newDays: z.number().int().positive().default(30),
    /** Days without a purchase before a customer is "at-risk"... */
    atRiskDays: z.number().int().positive().default(60),
    /** ..."lapsed"... */
    lapsedDays: z.number().int().positive().default(120),
    /** ...and "churned". */
    churnedDays: z.number().int().positive().default(365),
    /** How long a customer who came back after a lapse stays "reactivated". */
    reactivatedDays: z.number().int().positive().default(30),
  })
  .refine((t) => t.atRiskDays < t.lapsedDays && t.lapsedDays < t.churnedDays, {
    message: 'must satisfy atRiskDays < lapsedDays < churnedDays',
  })
  .refine((t) => t.newDays <= t.atRiskDays && t.reactivatedDays <= t.atRiskDays, {
    message: 'newDays and reactivatedDays must not exceed atRiskDays',
  });
export type LifecycleThresholds = z.output<typeof lifecycleThresholds>;

export const DEFAULT_LIFECYCLE_THRESHOLDS: LifecycleThresholds = lifecycleThresholds.parse({});

export interface LifecycleFacts {
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  /** The purchase before the last one: a long gap before the last purchase means "reactivated". */
  previousPurchaseAt: string | null;
}

const days = (ms: number) => ms / DAY_MS;

/**
 * Rules, first match wins (d = days since the last purchase):
 *   no purchase yet                                  -> new
 *   d >= churnedDays                                 -> churned
 *   d >= lapsedDays                                  -> lapsed
 *   d >= atRiskDays                                  -> at-risk
 *   gap last−previous >= lapsedDays, d < reactivatedDays -> reactivated
 *   first purchase less than newDays ago             -> new
 *   otherwise                                        -> active
 */
export function lifecycleStage(
  facts: LifecycleFacts,
  now: Date,
  thresholds = DEFAULT_LIFECYCLE_THRESHOLDS,
): LifecycleStage {
  if (!facts.lastPurchaseAt) return 'new';
  const last = Date.parse(facts.lastPurchaseAt);
  const d = days(now.getTime() - last);
  if (d >= thresholds.churnedDays) return 'churned';
  if (d >= thresholds.lapsedDays) return 'lapsed';
  if (d >= thresholds.atRiskDays) return 'at-risk';
  if (
    facts.previousPurchaseAt &&
    days(last - Date.parse(facts.previousPurchaseAt)) >= thresholds.lapsedDays &&
    d < thresholds.reactivatedDays
  ) {
    return 'reactivated';
  }
  if (facts.firstPurchaseAt && days(now.getTime() - Date.parse(facts.firstPurchaseAt)) < thresholds.newDays)
    return 'new';
  return 'active';
}

/**
 * The next instant after `now` at which the stage changes with no new purchase, or undefined if it
 * never will (churned, or no purchase). A purchase re-computes it, so the timer simply moves.
 */
export function nextLifecycleTransitionAt(
  facts: LifecycleFacts,
  now: Date,
  thresholds = DEFAULT_LIFECYCLE_THRESHOLDS,
): Date | undefined {
  if (!facts.lastPurchaseAt) return undefined;
  const last = Date.parse(facts.lastPurchaseAt);
  const candidates = [
    thresholds.reactivatedDays,
    thresholds.atRiskDays,
    thresholds.lapsedDays,
    thresholds.churnedDays,
  ].map((d) => last + d * DAY_MS);
  if (facts.firstPurchaseAt) candidates.push(Date.parse(facts.firstPurchaseAt) + thresholds.newDays * DAY_MS);
  const current = lifecycleStage(facts, now, thresholds);
  const next = candidates
    .filter((at) => at > now.getTime())
    .sort((a, b) => a - b)
    .find((at) => lifecycleStage(facts, new Date(at), thresholds) !== current);
  return next === undefined ? undefined : new Date(next);
}

/** The facts from a customer's purchase instants (any order). */
export function lifecycleFactsFrom(purchaseTimes: readonly string[]): LifecycleFacts {
  const sorted = [...purchaseTimes].sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    firstPurchaseAt: sorted[0] ?? null,
    lastPurchaseAt: sorted.at(-1) ?? null,
    previousPurchaseAt: sorted.length >= 2 ? (sorted.at(-2) ?? null) : null,
  };
}

/** The stage kept on the customer record (profile attribute `lifecycle`). */
export interface StoredLifecycle {
  stage: LifecycleStage;
  /** When this stage was recorded (the timer's firing instant or the purchase's processing). */
  since: string;
  /** Null for the first stage recorded (no transition, so no event). */
  previousStage: LifecycleStage | null;
  /** Transition number: 0 for the first stage, +1 per change; the conditional write checks it. */
  seq: number;
}

/**
 * The record to store when the stage as of `now` differs from the stored one, else 'unchanged'
 * (a second firing, a stale timer or a redelivered purchase therefore changes nothing).
 */
export function decideLifecycle(
  stored: StoredLifecycle | undefined,
  facts: LifecycleFacts,
  now: Date,
  thresholds = DEFAULT_LIFECYCLE_THRESHOLDS,
): StoredLifecycle | 'unchanged' {
  const stage = lifecycleStage(facts, now, thresholds);
  if (stored?.stage === stage) return 'unchanged';
  return {
    stage,
    since: now.toISOString(),
    previousStage: stored?.stage ?? null,
    seq: stored ? stored.seq + 1 : 0,
  };
}
