// The journey side of every send (each request comes from a journey send step): the sender
// renders from the STORED version the request names (compiled templates cached per (journey,
// version) — versions never change, so a text change needs no deploy and a rollback restores the
// text), re-checks the journey's conditions at actual send time (a deferral may have made them
// stale: a superseded tier change sends nothing) and renders the customer's standing as it is then
// (a late order may have moved the tier's hold), and records what became of the send on the
// customer's journey story.
import { asksEmailed, firstFailing } from '../domain/journey-conditions.ts';
import type { Clock } from '../domain/clock.ts';
import type { HistoryExpiry } from '../domain/email-history.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import type { DeliveryOutcome } from '../flows/send-email.ts';
import { TemplateError, TemplateRenderer } from '../mail/render.ts';
import type { ParsedSendRequest } from '../mail/send-request.ts';
import type { JourneyStateStore } from '../store/journey-states.ts';
import type { StoredProfile } from '../store/customers.ts';
import type { CurrentJourneys } from '../store/journeys.ts';
import type { FactsReader } from './customer-facts.ts';
import { customerStanding } from './template-context.ts';

/** At actual send time: skip (why), or send with these variables. */
export type SendTimeCheck = { skip: string } | { variables: Record<string, unknown> };

export class JourneySending {
  readonly #renderers = new Map<string, Promise<TemplateRenderer>>();

  constructor(
    private readonly deps: {
      journeys: Pick<CurrentJourneys, 'version'>;
      factsOf: FactsReader;
      states: Pick<JourneyStateStore, 'recordSendOutcome'>;
      clock: Clock;
      /** The brand and tier names every email shows, and the customer's standing it renders. */
      program: LoyaltyProgram;
      /** When a send outcome recorded now may go (EMAIL_HISTORY_DAYS). */
      historyExpiry: HistoryExpiry;
    },
  ) {}

  /** The renderer of the version the request was prepared on. */
  async rendererFor(request: ParsedSendRequest): Promise<TemplateRenderer> {
    const key = `${request.campaignId}#${request.journey.version}`;
    let renderer = this.#renderers.get(key);
    if (!renderer) {
      const version = request.journey.version;
      renderer = this.deps.journeys.version(request.campaignId, version).then((stored) => {
        if (!stored) throw new TemplateError(`journey ${request.campaignId} has no version ${version}`);
        return new TemplateRenderer(stored.templates, this.deps.program);
      });
      renderer.catch(() => this.#renderers.delete(key));
      this.#renderers.set(key, renderer);
    }
    return renderer;
  }

  /**
   * One read of the customer at actual send time (the sender's own read of the profile, when
   * given): why a journey send must not go out now (a condition no longer holds), or the request's
   * variables with the customer's standing as it is now over the one taken at enqueue.
   */
  async atSendTime(request: ParsedSendRequest, stored?: StoredProfile): Promise<SendTimeCheck> {
    const conditions = request.journey.conditions;
    const facts = await this.deps.factsOf(request.customerId, {
      emailed: asksEmailed(conditions),
      ...(stored ? { stored } : {}),
    });
    if (!facts) return { skip: 'audience: unknown customer' };
    const failed = firstFailing(conditions, { ...facts.condition, enteredAt: request.journey.enteredAt });
    if (failed) return { skip: `audience: ${failed.reason}` };
    return {
      variables: {
        ...request.variables,
        ...customerStanding(this.deps.program, facts, this.deps.clock.now()),
      },
    };
  }

  /** Records the delivery outcome of the request where `explain` finds it. */
  async record(request: ParsedSendRequest, outcome: DeliveryOutcome): Promise<void> {
    const now = this.deps.clock.now();
    const expiresAt = this.deps.historyExpiry(now);
    const base = {
      customerId: request.customerId,
      journeyId: request.campaignId,
      entryId: request.journey.entryId,
      stepId: request.step,
      version: request.journey.version,
      template: request.template,
      at: now.toISOString(),
      enteredAt: request.journey.enteredAt,
      ...(request.journey.variant ? { variant: request.journey.variant } : {}),
    };
    // The step's `sent` is counted by whoever completed the email's ledger claim
    // (shared/flows/sent-emails.ts), not here: a retry that finds the email sent counts nothing.
    if (outcome.kind === 'sent' || outcome.kind === 'already-sent')
      await this.deps.states.recordSendOutcome({ ...base, outcome: 'sent', reason: `message ${outcome.messageId}` }, expiresAt);
    else if (outcome.kind === 'skipped')
      await this.deps.states.recordSendOutcome({ ...base, outcome: 'skipped', reason: outcome.reason }, expiresAt);
    // A hop of an already deferred request through the queue keeps the reason it was deferred for.
    else if (outcome.reason !== 'not-before')
      await this.deps.states.recordSendOutcome({
        ...base,
        outcome: 'deferred',
        reason: outcome.reason,
        notBefore: outcome.until.toISOString(),
      }, expiresAt);
  }
}
