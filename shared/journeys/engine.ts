// The journey engine: enters a customer (re-entry policy, entry condition, holdout), moves them
// through steps until a wait or the end, and takes them out on exit events. Every transition is
// ONE conditional write of the run's state from the version it read, so under crashes, retries
// and concurrent deliveries a step runs once; a send step's request is deduplicated by the send
// ledger if a crash repeats it. Follow-live: a run keeps only its position; each step runs on the
// version current when it is reached, and a run whose step was removed exits (`step-removed`).
import { heldOutOfJourney } from '../domain/global-control-group.ts';
import { isEntryHeldOut } from '../domain/holdout.ts';
import { asksEmailed, type Condition, evaluateCondition } from '../domain/journey-conditions.ts';
import { delayMs, END, type Journey, journeyCapClasses, stepKind } from '../domain/journey.ts';
import {
  type ExitReason,
  HISTORY_KINDS,
  type JourneyState,
  type JourneyStepRecord,
  withHistory,
} from '../domain/journey-state.ts';
import { ARMING_LEAD_MS, armedDueAt } from '../domain/timers.ts';
import type { HoldoutRecords } from '../store/holdouts.ts';
import type { JourneyStateStore } from '../store/journey-states.ts';
import type { CurrentJourneys, JourneyVersion } from '../store/journeys.ts';
import type { CustomerFacts, FactsReader } from './customer-facts.ts';
import { runStep, type StepDeps, type StepResult } from './steps/index.ts';
import { LOST_RACE, retryOnRace } from '../store/race.ts';

export interface EngineDeps extends StepDeps {
  journeys: Pick<CurrentJourneys, 'current'>;
  states: JourneyStateStore;
  factsOf: FactsReader;
  holdouts: Pick<HoldoutRecords, 'record'>;
}

export interface Entry {
  /** Stable id of the trigger (fact id, or the date occasion): the same on every redelivery. */
  entryId: string;
  /** When the trigger happened: conditions "since entry" count from here. */
  at: string;
  detail: Record<string, unknown>;
  stillHolds?: Condition | undefined;
}

export type EntryOutcome =
  | { kind: 'entered'; heldOut: boolean }
  | { kind: 'duplicate' | 'in-journey' | 'not-again' | 'stale' | 'disabled' | 'global-control-group' }
  | { kind: 'not-in-audience'; reason: string };

/** Steps one run may take without a wait; validation rejects loops without a wait before this. */
export const MAX_STEPS_PER_RUN = 50;
/** Entry ids remembered per run item, for the redelivery guard of `always` and `every` journeys. */
const RECENT_ENTRIES = 20;

type Kind = (typeof HISTORY_KINDS)[number];

function record(
  state: JourneyState,
  at: Date,
  stepId: string,
  kind: Kind,
  version: number,
  outcome: string,
  detail?: string,
): JourneyStepRecord[] {
  return withHistory(state.history, {
    at: at.toISOString(),
    stepId,
    kind,
    version,
    outcome,
    ...(detail ? { detail } : {}),
  });
}

function exited(
  state: JourneyState,
  reason: ExitReason,
  at: Date,
  history: JourneyStepRecord[],
): JourneyState {
  const { nextDueAt: _due, waitUntil: _wait, currentStep: _step, ...rest } = state;
  return { ...rest, status: 'exited', exitReason: reason, exitedAt: at.toISOString(), history };
}

/** Whether a trigger enters: never twice for one entry id, never for an older trigger, then the re-entry policy. */
export function reentryDecision(
  journey: Journey,
  state: JourneyState | undefined,
  entry: Entry,
): EntryOutcome | 'enter' {
  if (!state) return 'enter';
  if (state.recentEntryIds.includes(entry.entryId) || state.entryId === entry.entryId)
    return { kind: 'duplicate' };
  // A reordered, older trigger arriving after a newer entry never enters.
  if (Date.parse(entry.at) < Date.parse(state.enteredAt)) return { kind: 'stale' };
  if (state.status === 'active') return { kind: 'in-journey' };
  const reentry = journey.reentry;
  if (reentry === 'once') return { kind: 'not-again' };
  if (reentry === 'always') return 'enter';
  return Date.parse(entry.at) - Date.parse(state.enteredAt) >= delayMs(reentry.every)
    ? 'enter'
    : { kind: 'not-again' };
}

/** An active run of this entry whose step is due (not waiting): its runner died half-way. */
function interrupted(state: JourneyState, entryId: string, now: Date): boolean {
  return (
    state.status === 'active' &&
    state.entryId === entryId &&
    !state.waitUntil &&
    (!state.nextDueAt || Date.parse(state.nextDueAt) <= now.getTime() + ARMING_LEAD_MS)
  );
}

/** Every condition of the journey: its entry condition and each branch case's. */
function conditionsOf(journey: Journey): (Condition | undefined)[] {
  return [
    journey.trigger.where,
    ...journey.steps.flatMap((step) => ('branch' in step ? step.branch.map((c) => c.if) : [])),
  ];
}

export class JourneyEngine {
  constructor(private readonly deps: EngineDeps) {}

  /** Enters the customer if the re-entry policy, the entry condition and the holdout allow. */
  async enter(version: JourneyVersion, customerId: string, entry: Entry, now: Date): Promise<EntryOutcome> {
    const journey = version.journey;
    if (!journey.enabled) return { kind: 'disabled' };
    // The global control group never enters a marketing journey: no state, no waits, no sends.
    if (this.heldOutByControlGroup(journey, customerId)) return { kind: 'global-control-group' };
    let facts: CustomerFacts | undefined;
    return retryOnRace(`journey ${journey.id} state of ${customerId}`, async () => {
      const state = await this.deps.states.get(customerId, journey.id);
      const decision = reentryDecision(journey, state, entry);
      if (decision !== 'enter') {
        // The same trigger again while its run is mid-step (the first delivery died): carry it on.
        if (decision.kind === 'duplicate' && state && interrupted(state, entry.entryId, now))
          await this.advance(state, now);
        return decision;
      }
      if (journey.trigger.where) {
        facts ??= await this.deps.factsOf(customerId, { emailed: asksEmailed(conditionsOf(journey)) });
        const verdict = facts
          ? evaluateCondition(journey.trigger.where, { ...facts.condition, enteredAt: entry.at })
          : { holds: false, reason: 'unknown customer' };
        if (!verdict.holds) return { kind: 'not-in-audience', reason: verdict.reason };
      }
      const first = journey.steps[0]?.id ?? END;
      const heldOut = isEntryHeldOut(journey.id, entry.entryId, customerId, journey.holdoutPercent);
      const fresh: JourneyState = {
        customerId,
        journeyId: journey.id,
        stateVersion: state?.stateVersion ?? 0,
        status: 'active',
        entryId: entry.entryId,
        enteredAt: entry.at,
        entryVersion: version.version,
        version: version.version,
        currentStep: first,
        // Due now: if this function dies before the first step settles, the scheduler carries on.
        nextDueAt: armedDueAt(now, now).toISOString(),
        entries: (state?.entries ?? 0) + 1,
        recentEntryIds: [...(state?.recentEntryIds ?? []), entry.entryId].slice(-RECENT_ENTRIES),
        triggerDetail: entry.detail,
        ...(entry.stillHolds ? { stillHolds: entry.stillHolds } : {}),
        stepVisits: { [first]: 1 },
        history: [],
      };
      const history = withHistory(state?.history ?? [], {
        at: now.toISOString(),
        stepId: first,
        kind: 'enter',
        version: version.version,
        outcome: heldOut ? 'held-out' : 'entered',
        detail: entry.entryId,
      });
      const next = heldOut ? exited({ ...fresh, history }, 'held-out', now, history) : { ...fresh, history };
      const saved = await this.deps.states.save(next, state?.stateVersion ?? 0, now);
      if (!saved) return LOST_RACE;
      if (heldOut) {
        // The control group: counted once per entry for uplift, never sent.
        await this.deps.holdouts.record({
          customerId,
          campaignId: journey.id,
          period: entry.entryId,
          at: now,
          expiresAt: this.deps.historyExpiry(now),
        });
        return { kind: 'entered', heldOut: true };
      }
      await this.advance(saved, now);
      return { kind: 'entered', heldOut: false };
    });
  }

  /** True if the global control group keeps this customer out of the journey (program.yaml `controlGroup`). */
  heldOutByControlGroup(journey: Journey, customerId: string): boolean {
    return heldOutOfJourney(customerId, journeyCapClasses(journey), this.deps.program.controlGroup);
  }

  /** Takes the customer out on an exit event that happened after they entered (not their own trigger). */
  async exitOn(
    journeyId: string,
    customerId: string,
    event: { factId: string; occurredAt: string; name: string },
    now: Date,
    /** The run as the caller already read it: saves the first read (a lost race re-reads). */
    known?: { state: JourneyState | undefined },
  ): Promise<boolean> {
    return retryOnRace(`journey ${journeyId} state of ${customerId}`, async (attempt) => {
      const state = attempt === 0 && known ? known.state : await this.deps.states.get(customerId, journeyId);
      if (!state || state.status !== 'active') return false;
      if (state.entryId === event.factId || Date.parse(event.occurredAt) < Date.parse(state.enteredAt))
        return false;
      const history = record(
        state,
        now,
        state.currentStep ?? END,
        'exit',
        state.version,
        'exit-event',
        `${event.name} ${event.factId}`,
      );
      if (await this.deps.states.save(exited(state, 'exit-event', now, history), state.stateVersion, now))
        return true;
      return LOST_RACE;
    });
  }

  /** A due wait (the scheduler): carries on if the stored run is still waiting and due. */
  async resume(customerId: string, journeyId: string, now: Date): Promise<void> {
    const state = await this.deps.states.get(customerId, journeyId);
    if (
      !state ||
      state.status !== 'active' ||
      (state.nextDueAt && Date.parse(state.nextDueAt) > now.getTime())
    )
      return;
    await this.advance(state, now);
  }

  /** A run whose firing failed is looked at again this much later (it must not hold the scheduler back). */
  async postpone(customerId: string, journeyId: string, until: Date, now: Date): Promise<void> {
    const state = await this.deps.states.get(customerId, journeyId);
    if (!state || state.status !== 'active') return;
    await this.deps.states.save({ ...state, nextDueAt: until.toISOString() }, state.stateVersion, now);
  }

  /** Runs steps until a wait, the end or an exit, writing each transition conditionally. */
  async advance(start: JourneyState, now: Date): Promise<void> {
    let state = start;
    let facts: Promise<CustomerFacts | undefined> | undefined;
    for (let taken = 0; taken < MAX_STEPS_PER_RUN; taken++) {
      if (state.status !== 'active') return;
      const version = await this.deps.journeys.current(state.journeyId);
      let next: JourneyState | undefined;
      let settled: boolean;
      if (!version || !version.journey.enabled) {
        next = exited(
          state,
          'disabled',
          now,
          record(state, now, state.currentStep ?? END, 'exit', state.version, 'disabled'),
        );
        settled = true;
      } else if (!state.currentStep || state.currentStep === END) {
        next = exited(state, 'completed', now, record(state, now, END, 'exit', version.version, 'completed'));
        settled = true;
      } else {
        const step = version.journey.steps.find((candidate) => candidate.id === state.currentStep);
        if (!step) {
          next = exited(
            state,
            'step-removed',
            now,
            record(
              state,
              now,
              state.currentStep,
              'exit',
              version.version,
              'step-removed',
              `step ${state.currentStep} is not in v${version.version}`,
            ),
          );
          settled = true;
        } else {
          const current = state;
          facts ??= this.deps.factsOf(current.customerId, { emailed: asksEmailed(conditionsOf(version.journey)) });
          const memo = facts;
          const result = await runStep({
            deps: this.deps,
            version,
            step,
            state: current,
            now,
            facts: () => memo,
            conditionFacts: (customer) => ({ ...customer.condition, enteredAt: current.enteredAt }),
          });
          next = this.transition(current, result, version.version, stepKind(step), now);
          settled = result.kind !== 'go';
        }
      }
      if (!next) return;
      const saved = await this.deps.states.save(next, state.stateVersion, now);
      if (!saved) {
        // Someone else moved this run (a redelivery, an exit): carry on from what is stored.
        const stored = await this.deps.states.get(state.customerId, state.journeyId);
        if (!stored || stored.status !== 'active' || stored.waitUntil) return;
        state = stored;
        continue;
      }
      state = saved;
      if (settled) return;
    }
    // A loop without a wait (validation refuses those): park the run instead of spinning.
    await this.postpone(state.customerId, state.journeyId, new Date(now.getTime() + 3_600_000), now);
  }

  /** The state after a step's result; undefined when nothing changes (still waiting for the same time). */
  private transition(
    state: JourneyState,
    result: StepResult,
    version: number,
    kind: Kind,
    now: Date,
  ): JourneyState | undefined {
    const stepId = state.currentStep ?? END;
    if (result.kind === 'wait') {
      const due = armedDueAt(result.until, now).toISOString();
      if (state.waitUntil === due && state.nextDueAt === due) return undefined;
      return {
        ...state,
        version,
        waitUntil: due,
        nextDueAt: due,
        history: record(state, now, stepId, kind, version, result.outcome, result.detail),
      };
    }
    const history = record(state, now, stepId, kind, version, result.outcome, result.detail);
    if (result.kind === 'exit') return exited({ ...state, version }, result.reason, now, history);
    const { waitUntil: done, ...rest } = state;
    if (result.to === END) return exited({ ...rest, version }, 'completed', now, history);
    return {
      ...rest,
      // Sends after a wait are due from its end, not from the trigger (send.maxDelay).
      ...(done ? { dueSince: done } : {}),
      version,
      currentStep: result.to,
      nextDueAt: armedDueAt(now, now).toISOString(),
      stepVisits: { ...state.stepVisits, [result.to]: (state.stepVisits?.[result.to] ?? 0) + 1 },
      ...(result.variant ? { variant: result.variant } : {}),
      history,
    };
  }
}
