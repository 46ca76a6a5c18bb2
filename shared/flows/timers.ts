// Arming a customer timer (tier review, lifecycle change, the journeys' date triggers): read ->
// pure decision -> conditional write, retried on a lost race; a timer armed close to now nudges
// the scheduler.
import { armedDueAt, needsNudge, type Timer, type TimerData, type TimerRef } from '../domain/timers.ts';
import type { TimerStore } from '../store/timers.ts';
import { LOST_RACE, retryOnRace } from '../store/race.ts';

export type ArmDecision<D extends TimerData> = { data: D; dueAt: Date | undefined } | 'unchanged';

/** Applies a decision to a customer's timer with an optimistic version check. */
export async function armTimer<D extends TimerData>(
  store: TimerStore,
  customerId: string,
  ref: TimerRef,
  now: Date,
  decide: (current: Timer | undefined) => ArmDecision<D>,
  /** The timer as the caller already read it (one Query for several): saves the first read. */
  known?: { timer: Timer | undefined },
): Promise<ArmDecision<D>> {
  return retryOnRace(`${ref.kind} timer of customer ${customerId}`, async (attempt) => {
    const current = attempt === 0 && known ? known.timer : await store.get(customerId, ref);
    const decision = decide(current);
    if (decision === 'unchanged') return decision;
    const dueAt = decision.dueAt && armedDueAt(decision.dueAt, now);
    const same =
      current &&
      current.dueAt === dueAt?.toISOString() &&
      JSON.stringify(current.data) === JSON.stringify(decision.data);
    if (same) return 'unchanged';
    if (await store.save(customerId, decision.data, dueAt, current?.version ?? 0)) {
      if (dueAt) await store.markSchedulerStart(now);
      if (dueAt && needsNudge(dueAt, now)) await store.nudge(dueAt);
      return { data: decision.data, dueAt };
    }
    return LOST_RACE;
  });
}
