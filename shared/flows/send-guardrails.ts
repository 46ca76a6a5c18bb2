// The guardrails at work: every send (counted by whoever records it sent, shared/flows/sent-emails.ts)
// and every hard bounce and complaint (the SES feedback path) is counted against its journey (one
// UpdateItem each; the account's window is the journeys' added up when judged), and after a bounce
// or complaint the journey's and the account's rolling windows are judged; a scope over its limits
// is paused (recorded), then `Journey Paused` is announced. Operators resume with a note. Each
// step is idempotent: a redelivered event re-announces a pause whose announcement was lost, and
// pauses nothing twice.
import {
  type JourneyPaused,
  type JourneyResumed,
  JOURNEY_PAUSED,
  JOURNEY_RESUMED,
} from '../events/emitted.ts';
import type { EventPublisher } from '../events/publisher.ts';
import {
  ACCOUNT_SCOPE,
  type GuardrailLimits,
  type GuardrailScope,
  type GuardrailSettings,
  guardrailVerdict,
  journeyScope,
  windowFigures,
} from '../domain/send-guardrails.ts';
import type { GuardrailCounter, GuardrailReading, GuardrailState, GuardrailStore } from '../store/guardrails.ts';

/** What the dashboard shows: each scope's state after a check (1 = paused). */
export interface GuardrailObservation {
  scope: GuardrailScope;
  paused: boolean;
  /** True when this check paused the scope. */
  tripped: boolean;
  hardBounceRate: number;
  complaintRate: number;
}

export class SendGuardrails {
  constructor(
    private readonly store: GuardrailStore,
    private readonly publisher: EventPublisher,
    private readonly settings: GuardrailSettings,
  ) {}

  /** Counts one event of a journey's email (the account's window sums the journeys'). */
  async count(journeyId: string, counter: GuardrailCounter, at: Date): Promise<void> {
    await this.store.count(journeyId, counter, at);
  }

  /** Judges the journey's and the account's windows at `now`; pauses and announces as needed. */
  async check(journeyId: string, now: Date): Promise<GuardrailObservation[]> {
    const { journey, account } = await this.store.readWithAccount(journeyId);
    return [
      await this.checkScope(journeyScope(journeyId), journey, this.settings.journey, now),
      await this.checkScope(ACCOUNT_SCOPE, account, this.settings.account, now),
    ];
  }

  private async checkScope(
    scope: GuardrailScope,
    { slots, state }: GuardrailReading,
    limits: GuardrailLimits,
    now: Date,
  ): Promise<GuardrailObservation> {
    const figures = windowFigures(slots, now, limits, state.baseline);
    const observed = { scope, hardBounceRate: figures.hardBounceRate, complaintRate: figures.complaintRate };
    if (state.status === 'paused') {
      if (!state.announced) await this.announce(scope, state, limits);
      return { ...observed, paused: true, tripped: false };
    }
    const verdict = guardrailVerdict(figures, limits);
    if (!verdict.pause) return { ...observed, paused: false, tripped: false };
    const paused = await this.store.pause(scope, state, {
      at: now,
      reasons: verdict.reasons,
      why: verdict.why,
      figures,
      ...(scope.kind === 'account' ? { continueCapClasses: this.settings.account.continueCapClasses } : {}),
    });
    // Lost the race to another event of the same spike: that one pauses and announces.
    if (!paused) return { ...observed, paused: true, tripped: false };
    await this.announce(scope, paused, limits);
    return { ...observed, paused: true, tripped: true };
  }

  private async announce(scope: GuardrailScope, state: GuardrailState, limits: GuardrailLimits): Promise<void> {
    const { figures, pausedAt, reasons, why } = state;
    if (!figures || !pausedAt || !reasons?.length || !why) {
      throw new Error(`guardrail ${describeScope(scope)} is paused without its figures: cannot announce it`);
    }
    const detail: JourneyPaused = {
      ...scopeDetail(scope, state.pauseSeq),
      pausedAt,
      reasons,
      figures: {
        sends: figures.sends,
        hardBounces: figures.hardBounces,
        complaints: figures.complaints,
        hardBounceRate: figures.hardBounceRate,
        complaintRate: figures.complaintRate,
        windowFrom: figures.from,
      },
      limits: { hardBounceRate: limits.hardBouncePercent / 100, complaintRate: limits.complaintPercent / 100 },
      why,
    };
    await this.publisher.publish([{ detailType: JOURNEY_PAUSED, detail, time: new Date(pausedAt) }]);
    await this.store.markAnnounced(scope, state);
  }
}

/**
 * Resumes a paused journey (or the account brake) with the operator's note and announces
 * `Journey Resumed`; `resumed: false` when there was nothing to resume. A crash between the two
 * leaves it resumed but unannounced: the command's output says what happened either way.
 */
export async function resumeSending(
  store: GuardrailStore,
  publisher: EventPublisher,
  scope: GuardrailScope,
  input: { note: string; by: string; at: Date },
): Promise<{ resumed: true; pauseId: string; paused: GuardrailState } | { resumed: false; state: GuardrailState }> {
  const result = await store.resume(scope, input);
  if (!result.resumed) return result;
  const detail: JourneyResumed = {
    ...scopeDetail(scope, result.state.pauseSeq),
    resumedAt: input.at.toISOString(),
    note: input.note,
    resumedBy: input.by,
  };
  await publisher.publish([{ detailType: JOURNEY_RESUMED, detail, time: input.at }]);
  return { resumed: true, pauseId: detail.pauseId, paused: result.paused };
}

/** Why a send must wait: its journey is paused, or the account brake holds all marketing. */
export type PausedBy = 'journey-paused' | 'account-paused';

/**
 * The sender's view of the guardrails: is this send's journey (or the account) paused? States are
 * re-read at most every `maxAgeMs` per sender instance, so a pause stops new sends within that
 * time at a cost of two GetItems per journey per interval, not per send.
 */
export class SendingGate {
  readonly #cache = new Map<string, { state: GuardrailState; readAt: number }>();

  constructor(
    private readonly store: Pick<GuardrailStore, 'state'>,
    private readonly maxAgeMs = 30_000,
  ) {}

  async pausedBy(send: { campaignId: string; capClass: string }, now: Date): Promise<PausedBy | undefined> {
    const account = await this.#state(ACCOUNT_SCOPE, now);
    if (account.status === 'paused' && !(account.continueCapClasses ?? []).includes(send.capClass)) {
      return 'account-paused';
    }
    const journey = await this.#state(journeyScope(send.campaignId), now);
    return journey.status === 'paused' ? 'journey-paused' : undefined;
  }

  async #state(scope: GuardrailScope, now: Date): Promise<GuardrailState> {
    const key = describeScope(scope);
    const cached = this.#cache.get(key);
    if (cached && now.getTime() - cached.readAt < this.maxAgeMs) return cached.state;
    const state = await this.store.state(scope);
    this.#cache.set(key, { state, readAt: now.getTime() });
    return state;
  }
}

export function describeScope(scope: GuardrailScope): string {
  return scope.kind === 'account' ? 'account' : `journey ${scope.journeyId}`;
}

function scopeDetail(scope: GuardrailScope, pauseSeq: number) {
  return scope.kind === 'account'
    ? { scope: 'account' as const, pauseId: `account#pause#${pauseSeq}` }
    : { scope: 'journey' as const, journeyId: scope.journeyId, pauseId: `${scope.journeyId}#pause#${pauseSeq}` };
}
