// The anniversary tier review: a 'tier-review' due-timer sits at the customer's tierHeldUntil;
// when the scheduler fires it, the loyalty state is recomputed as of then (the same pure replay
// every purchase runs), any downgrade is stored and announced, and the timer moves to the next
// anniversary. Without the timer the review would still happen, but only at the next order event.
import type { Clock } from '../domain/clock.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { CustomerStore } from '../store/customers.ts';
import type { TimerStore } from '../store/timers.ts';
import { type AggregatesChange, refreshAggregates } from './purchases.ts';
import { announceTierChanges } from './tier-announcements.ts';
import { armTimer } from './timers.ts';

export const TIER_REVIEW = 'tier-review';

export interface TierReviewDeps {
  store: CustomerStore;
  publisher: EventPublisher;
  clock: Clock;
  program: LoyaltyProgram;
}

/** Re-evaluates the tier now; returns the next anniversary to review at (null: base tier). */
export async function reviewTier(
  deps: TierReviewDeps,
  customerId: string,
  claimant: string,
): Promise<string | null> {
  const change = await refreshAggregates(deps.store, deps.clock, deps.program, customerId);
  await announceTierChanges(deps.store, deps.publisher, deps.program, {
    customerId,
    unannounced: change.unannounced,
    claimant,
    now: deps.clock.now(),
  });
  return change.loyalty.tierHeldUntil;
}

/** Puts the customer's tier-review timer at their current tierHeldUntil (disarmed when none). */
export async function armTierReview(
  timers: TimerStore,
  customerId: string,
  heldUntil: string | null,
  now: Date,
): Promise<void> {
  await armTimer(timers, customerId, { kind: TIER_REVIEW }, now, (current) => {
    if (!current && heldUntil === null) return 'unchanged';
    if (
      current?.data.kind === TIER_REVIEW &&
      current.data.heldUntil === heldUntil &&
      (current.dueAt === undefined) === (heldUntil === null)
    ) {
      return 'unchanged';
    }
    return { data: { kind: TIER_REVIEW, heldUntil }, dueAt: heldUntil ? new Date(heldUntil) : undefined };
  });
}

/**
 * After an order event: move the review timer when the anniversary moved, and on a redelivery
 * (a crash may have come between the loyalty write and the arm).
 */
export async function followTierReview(
  timers: TimerStore,
  change: AggregatesChange,
  now: Date,
): Promise<void> {
  const before = change.history.stored?.loyalty?.tierHeldUntil ?? null;
  if (change.recorded && before === change.loyalty.tierHeldUntil) return;
  await armTierReview(timers, change.customerId, change.loyalty.tierHeldUntil, now);
}
