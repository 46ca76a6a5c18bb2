// `send`: re-checks the journey's entry condition (and what the trigger needs to still hold)
// against the customer as stored now, waits on the due index for the step's hour (a fixed local
// hour, or the customer's best one) if it names one, issues the offer's unique coupon, builds the
// template context and enqueues ONE SendRequest whose ledger period is derived from the entry and
// the step — so a re-run after a crash is deduplicated by the send ledger — then moves on.
import { nextLocalHour } from '../../domain/best-send-hour.ts';
import { type UniqueCoupon, uniqueCoupon } from '../../domain/coupon.ts';
import { type Condition, firstFailing } from '../../domain/journey-conditions.ts';
import {
  delayMs,
  type JourneyTrigger,
  nextStepId,
  type Offer,
  type SendJourneyStep,
  sendRulesOf,
  sendStepHourOf,
} from '../../domain/journey.ts';
import { DAY_MS } from '../../domain/clock.ts';
import type { JourneyState } from '../../domain/journey-state.ts';
import type { SendRequest } from '../../mail/send-request.ts';
import type { StoredProfile } from '../../store/customers.ts';
import { dateTriggerOf } from '../triggers/index.ts';
import { journeyTemplateContext } from '../template-context.ts';
import type { StepDeps, StepModule } from './types.ts';

/** Every condition a send of this run must meet, now and again at actual send time. */
export function sendConditions(trigger: { where?: Condition | undefined }, state: JourneyState): Condition[] {
  return [trigger.where, state.stillHolds].filter((c): c is Condition => c !== undefined);
}

/** The ledger period: one email per (entry, step, visit), ever. */
export function sendPeriod(state: JourneyState, stepId: string): string {
  const visit = state.stepVisits?.[stepId] ?? 1;
  return `${state.entryId}#${stepId}${visit > 1 ? `#${visit}` : ''}`;
}

/**
 * Why an event-triggered send is too late to go out (more than `maxDelay` after it was due: the
 * trigger event, or the end of the last wait — before the step, or for the send hour), or undefined. Date triggers have their own
 * catch-up window (the timer's lateBy), so this only judges events.
 */
export function lateness(
  trigger: JourneyTrigger,
  state: Pick<JourneyState, 'enteredAt' | 'dueSince' | 'waitUntil'>,
  now: Date,
  maxDelay: string,
): string | undefined {
  if (trigger.on !== 'event') return undefined;
  // The step's own wait (for the customer's hour) or the wait before it moved the due time on.
  const waited = state.waitUntil ?? state.dueSince;
  const due = waited ?? state.enteredAt;
  const lateMs = now.getTime() - Date.parse(due);
  if (lateMs <= delayMs(maxDelay)) return undefined;
  const since = waited ? 'the end of the wait before it' : `the ${trigger.event} event`;
  const days = Math.floor(lateMs / DAY_MS);
  const age = days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.floor(lateMs / 3_600_000)} hours`;
  return `too late: due since ${since} at ${due}, ${age} ago — more than send.maxDelay ${maxDelay}`;
}

/**
 * Why the step's offer is withheld from this customer now, or undefined: the date their occasion
 * keys on (a birthday) changed within `days` — the email goes out, the coupon does not, so moving
 * a birthday to next week does not earn a second gift this year.
 */
export function offerHeld(
  trigger: JourneyTrigger,
  profile: StoredProfile,
  days: number,
  now: Date,
): string | undefined {
  if (trigger.on === 'event' || days === 0) return undefined;
  const changedAt = dateTriggerOf(trigger).dateChangedAt?.(profile);
  if (!changedAt || now.getTime() - Date.parse(changedAt) >= days * DAY_MS) return undefined;
  return `offer withheld: the ${trigger.on} date changed on ${changedAt.slice(0, 10)}, within ${days} days (program offerHold)`;
}

async function issueCoupon(
  deps: StepDeps,
  offer: Offer & { codePrefix: string },
  journeyId: string,
  state: JourneyState,
  tier: string | undefined,
  period: string,
  stepId: string,
): Promise<UniqueCoupon> {
  // Issued as of entry, so a re-run finds the same code, value and expiry.
  const issuedAt = new Date(state.enteredAt);
  for (let attempt = 0; attempt < 5; attempt++) {
    const coupon = uniqueCoupon({
      offer,
      journeyId,
      customerId: state.customerId,
      entryId: state.entryId,
      tier,
      issuedAt,
      attempt,
    });
    const outcome = await deps.coupons.issue({
      code: coupon.code,
      customerId: state.customerId,
      campaignId: journeyId,
      period,
      stepId,
      variant: state.variant,
      tier: coupon.tier,
      valueMilli: coupon.valueMilli,
      expiresAt: coupon.expiresAt,
      issuedAt: issuedAt.toISOString(),
    }, deps.historyExpiry(new Date(coupon.expiresAt)));
    if (outcome === 'issued') return coupon;
  }
  throw new Error(`could not find a free ${offer.codePrefix} coupon code for customer ${state.customerId}`);
}

export const sendStep: StepModule<SendJourneyStep> = {
  async run({ deps, version, step, state, now, facts, conditionFacts }) {
    const journey = version.journey;
    const next = nextStepId(journey, step.id);
    const period = sendPeriod(state, step.id);
    const base = {
      customerId: state.customerId,
      journeyId: version.journeyId,
      entryId: state.entryId,
      stepId: step.id,
      version: version.version,
      template: step.send.template,
      at: now.toISOString(),
      enteredAt: state.enteredAt,
      ...(state.variant ? { variant: state.variant } : {}),
    };
    const expiresAt = deps.historyExpiry(now);
    const rules = sendRulesOf(journey, step.send);
    const late = lateness(journey.trigger, state, now, rules.maxDelay);
    if (late) {
      await deps.states.recordSendOutcome({ ...base, outcome: 'skipped', reason: late }, expiresAt);
      return { kind: 'go', to: next, outcome: 'skipped', detail: late };
    }
    const customer = await facts();
    const conditions = sendConditions(journey.trigger, state);
    const failed = customer
      ? firstFailing(conditions, conditionFacts(customer))
      : { holds: false, reason: 'the customer is no longer stored' };
    if (!customer || failed) {
      const reason = `audience: ${failed?.reason ?? 'unknown'}`;
      await deps.states.recordSendOutcome({ ...base, outcome: 'skipped', reason }, expiresAt);
      return { kind: 'exit', reason: 'left-audience', outcome: 'skipped', detail: reason };
    }
    // The step's hour, once: after the wait (waitUntil set) the step sends whatever the hour.
    if (!state.waitUntil) {
      const profile = customer.stored.profile;
      const zone = profile.timeZone ?? journey.send.defaultTimeZone;
      const hour = sendStepHourOf(journey, step.send, profile.purchases?.purchaseHours, zone, now);
      const at = hour && nextLocalHour(now, hour.hour, zone);
      if (hour && at && at.getTime() > now.getTime())
        return { kind: 'wait', until: at, outcome: 'waiting-for-hour', detail: `until ${at.toISOString()} (${hour.why})` };
    }
    const held =
      step.send.offer && offerHeld(journey.trigger, customer.stored, deps.program.offerHold.dateChangedWithinDays, now);
    const offer = held ? undefined : step.send.offer;
    const tier = customer.stored.loyalty?.tier;
    const coupon =
      offer?.codePrefix !== undefined
        ? await issueCoupon(
            deps,
            { ...offer, codePrefix: offer.codePrefix },
            version.journeyId,
            state,
            tier,
            period,
            step.id,
          )
        : undefined;
    const request: SendRequest = {
      customerId: state.customerId,
      campaignId: version.journeyId,
      step: step.id,
      period,
      template: step.send.template,
      capClass: rules.capClass,
      priority: rules.priority,
      defaultTimeZone: rules.defaultTimeZone,
      ...(rules.quietHours ? { quietHours: rules.quietHours } : {}),
      variables: journeyTemplateContext({
        program: deps.program,
        facts: customer,
        journey: {
          id: version.journeyId,
          version: version.version,
          entryId: state.entryId,
          enteredAt: state.enteredAt,
        },
        stepId: step.id,
        variant: state.variant,
        event: state.triggerDetail,
        offer,
        coupon: coupon && {
          code: coupon.code,
          tier: coupon.tier,
          value: coupon.valueMilli,
          expiresAt: coupon.expiresAt,
        },
        now,
      }),
      requestedAt: now.toISOString(),
      ...(tier ? { tier } : {}),
      journey: {
        version: version.version,
        entryId: state.entryId,
        enteredAt: state.enteredAt,
        ...(state.variant ? { variant: state.variant } : {}),
        conditions,
      },
    };
    await deps.sendQueue.enqueue([request]);
    await deps.states.recordSendOutcome({ ...base, outcome: 'enqueued', ...(held ? { reason: held } : {}) }, expiresAt);
    return {
      kind: 'go',
      to: next,
      outcome: 'enqueued',
      detail: `${step.send.template} (${period})${held ? `; ${held}` : ''}`,
    };
  },
};
