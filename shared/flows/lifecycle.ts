// The lifecycle stage kept on the customer record: the customer's timer (JOURNEY#TRIGGERS, beside
// their journeys' date triggers) holds the next instant the stage changes with no new purchase
// (nextLifecycleTransitionAt); when the scheduler fires it — and after every purchase — the stage
// is recomputed as of now from the order history, stored with a conditional write on its
// transition number (a purchase folds it into its aggregates write, shared/flows/purchases.ts),
// announced as Lifecycle Stage Changed, and the timer moves to the following transition. No daily
// scan. A purchase's next change travels on its Purchase Recorded to the journeys function, which
// arms it in the write it makes for the date triggers (see followLifecycle).
//
// Announcement: published AFTER the write, then confirmed (lifecycleAnnouncedSeq). A crash in
// between leaves the transition unconfirmed and the next recompute (the retried firing, the
// redelivered purchase) publishes it again: at-least-once; the re-publish carries the same changeId.
// Two handlers recomputing the same customer at once may both publish it (no claim, unlike Tier
// Changed): consumers dedupe on changeId.
import type { Clock } from '../domain/clock.ts';
import {
  DEFAULT_LIFECYCLE_THRESHOLDS,
  decideLifecycle,
  type LifecycleThresholds,
  lifecycleThresholds,
  nextLifecycleTransitionAt,
  type StoredLifecycle,
} from '../domain/lifecycle.ts';
import { LIFECYCLE_STAGE_CHANGED, type LifecycleStageChanged } from '../events/emitted.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { CustomerStore } from '../store/customers.ts';
import { journeysOf, lifecycleChangeToArm, lifecycleOf, triggersTimer } from '../domain/timers.ts';
import type { TimerStore } from '../store/timers.ts';
import { type AggregatesChange, lifecycleFactsOf } from './purchases.ts';
import { armTimer } from './timers.ts';
import { LOST_RACE, retryOnRace } from '../store/race.ts';

export interface LifecycleDeps {
  store: CustomerStore;
  publisher: EventPublisher;
  clock: Clock;
  thresholds?: LifecycleThresholds;
}

/** Env var (ingest-orders and scheduler) with the thresholds as JSON, e.g. {"atRiskDays":45}. */
export const LIFECYCLE_THRESHOLDS_ENV = 'LIFECYCLE_THRESHOLDS';

/** The thresholds from the environment (defaults for unset keys); throws on an invalid setting. */
export function lifecycleThresholdsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): LifecycleThresholds {
  const raw = env[LIFECYCLE_THRESHOLDS_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LIFECYCLE_THRESHOLDS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`invalid ${LIFECYCLE_THRESHOLDS_ENV}: not JSON`);
  }
  const parsed = lifecycleThresholds.safeParse(json);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(thresholds)'} ${issue.message}`,
    );
    throw new Error(`invalid ${LIFECYCLE_THRESHOLDS_ENV}: ${reasons.join('; ')}`);
  }
  return parsed.data;
}

export function lifecycleChangedEvent(
  customerId: string,
  lifecycle: StoredLifecycle,
): LifecycleStageChanged | undefined {
  if (lifecycle.previousStage === null) return undefined;
  return {
    customerId,
    changeId: `${customerId}#lifecycle#${lifecycle.seq}`,
    from: lifecycle.previousStage,
    to: lifecycle.stage,
    occurredAt: lifecycle.since,
  };
}

/**
 * Recomputes and stores the stage as of now (the timer's firing), announces an unconfirmed
 * transition, and returns the next transition instant to arm the timer at (null: none, or the
 * customer is unknown).
 */
export async function refreshLifecycle(deps: LifecycleDeps, customerId: string): Promise<string | null> {
  const thresholds = deps.thresholds ?? DEFAULT_LIFECYCLE_THRESHOLDS;
  return retryOnRace(`lifecycle of customer ${customerId}`, async () => {
    const history = await deps.store.loadPurchaseHistory(customerId);
    if (!history.stored) return null;
    const now = deps.clock.now();
    const facts = lifecycleFactsOf(history);
    const stored = history.stored.lifecycle;
    const decision = decideLifecycle(stored, facts, now, thresholds);
    if (decision !== 'unchanged' && !(await deps.store.saveLifecycle(customerId, decision, stored?.seq)))
      return LOST_RACE;
    const current = decision === 'unchanged' ? stored : decision;
    await announceLifecycle(deps, customerId, current, history.stored.lifecycleAnnouncedSeq ?? 0);
    return nextLifecycleTransitionAt(facts, now, thresholds)?.toISOString() ?? null;
  });
}

/** Publishes the stored stage's transition unless it is confirmed as published, then confirms it. */
async function announceLifecycle(
  deps: LifecycleDeps,
  customerId: string,
  current: StoredLifecycle | undefined,
  announcedSeq: number,
): Promise<void> {
  if (!current || current.seq <= announcedSeq) return;
  const event = lifecycleChangedEvent(customerId, current);
  if (event) {
    await deps.publisher.publish([
      { detailType: LIFECYCLE_STAGE_CHANGED, detail: event, time: new Date(event.occurredAt) },
    ]);
  }
  await deps.store.markLifecycleAnnounced(customerId, current.seq);
}

/**
 * After a purchase, whose stage ('reactivated' after a lapse) the aggregates write already stored:
 * announces a transition not yet confirmed and returns the next change with no new purchase (null:
 * none), which the purchase's `Purchase Recorded` carries to the journeys function: it arms it in
 * the customer's timer (JOURNEY#TRIGGERS) with their date triggers, in the one write a first
 * purchase makes there anyway. A redelivered purchase announces again and carries the same instant.
 */
export async function followLifecycle(deps: LifecycleDeps, change: AggregatesChange): Promise<string | null> {
  const thresholds = deps.thresholds ?? DEFAULT_LIFECYCLE_THRESHOLDS;
  await announceLifecycle(deps, change.customerId, change.lifecycle, change.history.stored?.lifecycleAnnouncedSeq ?? 0);
  return nextLifecycleTransitionAt(lifecycleFactsOf(change.history), deps.clock.now(), thresholds)?.toISOString() ?? null;
}

/**
 * A lifecycle timer in its own item (TIMER#lifecycle: tables written before purchases armed the
 * change in JOURNEY#TRIGGERS) fired and recomputed the stage: its next change joins the customer's
 * timer (unless one armed there comes sooner), and the caller disarms the old item. A crash in
 * between fires the old item again: the stage is recomputed as before and the fold finds it done.
 */
export async function foldLifecycleTimer(
  timers: TimerStore,
  customerId: string,
  at: string | null,
  now: Date,
): Promise<void> {
  if (at === null) return;
  await armTimer(timers, customerId, { kind: 'journey-triggers' }, now, (current) => {
    const armed = lifecycleOf(current);
    const lifecycle = lifecycleChangeToArm(armed, at);
    return lifecycle === armed ? 'unchanged' : triggersTimer(journeysOf(current), lifecycle);
  });
}
