// Delivers one SendRequest: send-time rules -> render -> frequency-cap slot -> ledger claim ->
// rate permit -> SES -> ledger completed -> "Email Sent". Each step is idempotent, so a retried or
// duplicated request converges on exactly one email. See docs/delivery-and-compliance.md.
import { randomUUID } from 'node:crypto';
import { utmContent } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import type { HistoryExpiry } from '../domain/email-history.ts';
import { type FrequencyCap, reserveCapSlot } from '../domain/frequency-cap.ts';
import { type ControlGroupSettings, withheldForControlGroup } from '../domain/global-control-group.ts';
import { parseQuietHours } from '../domain/quiet-hours.ts';
import { decideSend, type SendRulesConfig, type SkipReason } from '../domain/send-rules.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { PausedBy, SendingGate } from './send-guardrails.ts';
import { EMAIL_SENT, type EmailSent } from '../mail/delivery-events.ts';
import type { SendRateLimiter } from '../mail/rate-limit.ts';
import type { RenderedEmail, TemplateRenderer } from '../mail/render.ts';
import type { ParsedSendRequest } from '../mail/send-request.ts';
import { sendHeaders, unsubscribeLink } from '../mail/send-headers.ts';
import { type Mailer, SesSendError } from '../mail/ses-mailer.ts';
import { type LedgerRef, ledgerRefText, type SendCapStore, type SendLedger } from '../store/ledger.ts';
import type { StoredProfile } from '../store/customers.ts';
import type { RecipientProfile, SuppressionStore } from '../store/suppression.ts';
import type { SendTimeCheck } from '../journeys/sending.ts';
import type { SentEmailCounts } from './sent-emails.ts';
import { LOST_RACE, retryOnRace } from '../store/race.ts';

export interface SenderConfig {
  rules: SendRulesConfig;
  cap: FrequencyCap;
  /** How long a pending claim is protected before a retry may resend (no SES evidence by then). */
  leaseMs: number;
  from: string;
  configurationSet: string | undefined;
  currency: string;
  unsubscribe: { url: string; mailto: string | undefined; secret: string; tokenTtlMs: number };
  /** When a ledger entry written now may go (EMAIL_HISTORY_DAYS). */
  historyExpiry: HistoryExpiry;
}

export interface SenderDeps {
  clock: Clock;
  ledger: SendLedger;
  caps: SendCapStore;
  recipients: SuppressionStore;
  mailer: Mailer;
  rateLimiter: SendRateLimiter;
  /** Puts the request back on the send queue to arrive no earlier than `until`. */
  defer(request: ParsedSendRequest, until: Date): Promise<void>;
  publisher: EventPublisher;
  /** The global control group: who receives no marketing (program.yaml `controlGroup`). */
  controlGroup: ControlGroupSettings;
  /** The guardrails: a paused journey (or the account brake) defers its sends, never drops them. */
  gate: SendingGate;
  /** Counts an email this sender recorded as sent (the guardrail window). */
  sentCounts: SentEmailCounts;
  /** The request's journey version: renders it, and re-checks its conditions at send time. */
  journeys: {
    rendererFor(request: ParsedSendRequest): Promise<TemplateRenderer>;
    atSendTime(request: ParsedSendRequest, stored?: StoredProfile): Promise<SendTimeCheck>;
  };
  /** Test hook: runs after SES accepted the email, before the ledger records it (crash injection). */
  afterSesAccepted?(ref: LedgerRef, messageId: string): Promise<void> | void;
}

export type DeliveryOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'already-sent'; messageId: string }
  | { kind: 'skipped'; reason: SkipReason | string }
  | {
      kind: 'deferred';
      until: Date;
      reason: 'not-before' | 'quiet-hours' | 'frequency-cap' | 'in-flight' | PausedBy;
    };

const MAX_CAP_RACES = 5;
/** The ledger's skip reason for a member of the global control group. */
export const CONTROL_GROUP_SKIP = 'control-group';
/** A send held by a paused guardrail comes back this often (SQS's longest delay) until resumed. */
const GUARDRAIL_RECHECK_MS = 15 * 60_000;

export async function deliverSendRequest(
  request: ParsedSendRequest,
  deps: SenderDeps,
  config: SenderConfig,
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  // A deferred request hops through the queue (15 min at a time) without touching the table.
  if (request.notBefore && Date.parse(request.notBefore) > now.getTime()) {
    return defer(request, deps, new Date(request.notBefore), 'not-before');
  }
  const ref: LedgerRef = {
    customerId: request.customerId,
    campaignId: request.campaignId,
    period: request.period,
  };
  const existing = await deps.ledger.get(ref);
  if (existing?.status === 'sent') return { kind: 'already-sent', messageId: existing.messageId };
  if (existing?.status === 'skipped') return { kind: 'skipped', reason: existing.reason };

  // The global control group receives no marketing: recorded as skipped, so the report can
  // compare the group with everyone else.
  if (withheldForControlGroup(request.customerId, request.capClass, deps.controlGroup)) {
    await deps.ledger.skip(ref, CONTROL_GROUP_SKIP, now, config.historyExpiry(now));
    return { kind: 'skipped', reason: CONTROL_GROUP_SKIP };
  }
  // Paused by a guardrail: back on the queue for the longest SQS delay, checked again then.
  const paused = await deps.gate.pausedBy(request, now);
  if (paused) return defer(request, deps, new Date(now.getTime() + GUARDRAIL_RECHECK_MS), paused);

  // One read of the profile serves consent, suppression and quiet hours and the journey's re-check.
  const read = await deps.recipients.recipientAndStored(request.customerId);
  const profile = read?.recipient;
  const rules = rulesFor(request, config.rules);
  const decision = decideSend(profile && toRecipient(profile), request, now, rules);
  if (decision.kind === 'skip') {
    await deps.ledger.skip(ref, decision.reason, now, config.historyExpiry(now));
    return { kind: 'skipped', reason: decision.reason };
  }
  if (decision.kind === 'defer') return defer(request, deps, decision.until, decision.reason);
  // A journey's conditions, as the customer stands now (after any deferral): stale means no email.
  const journeyCheck = await deps.journeys.atSendTime(request, read?.stored);
  if ('skip' in journeyCheck) {
    await deps.ledger.skip(ref, journeyCheck.skip, now, config.historyExpiry(now));
    return { kind: 'skipped', reason: journeyCheck.skip };
  }
  const recipient = profile as RecipientProfile & { email: string };

  // A pending claim of another attempt: still in its lease -> come back when it ends; lease over
  // and no SES "Send" evidence completed it -> take it over and send.
  let takeOverFrom: string | undefined;
  if (existing?.status === 'pending') {
    if (Date.parse(existing.leaseUntil) > now.getTime()) {
      return defer(request, deps, new Date(Date.parse(existing.leaseUntil) + 1000), 'in-flight');
    }
    takeOverFrom = existing.attemptId;
  }

  // The step counters' day is the send's: this instant is seconds before SES takes the email.
  const sendDay = now.toISOString().slice(0, 10);
  const sentStep = { step: request.step, variant: request.journey.variant, day: sendDay };
  const unsubscribeUrl = unsubscribeLink(
    {
      customerId: recipient.customerId,
      email: recipient.email,
      campaignId: request.campaignId,
      step: request.step,
      variant: request.journey.variant,
      sentOn: sendDay,
      expiresAt: new Date(now.getTime() + config.unsubscribe.tokenTtlMs),
    },
    config.unsubscribe,
  );
  // Rendering first: a broken template fails before anything is claimed (TemplateError -> DLQ).
  const renderer = await deps.journeys.rendererFor(request);
  const email = await renderer.render({
    template: request.template,
    customer: recipient,
    unsubscribeUrl,
    variables: journeyCheck.variables,
    timeZone: recipient.timeZone ?? rules.defaultTimeZone,
    currency: config.currency,
    link: {
      campaign: request.campaignId,
      content: utmContent(request.step, request.journey.variant),
    },
  });

  const refText = ledgerRefText(ref);
  const capped = !config.cap.exempt.has(request.capClass);
  if (capped) {
    const freesAt = await reserveCap(deps.caps, request.customerId, refText, now, config.cap);
    if (freesAt) return defer(request, deps, freesAt, 'frequency-cap');
  }

  const attemptId = randomUUID();
  const claimed = await deps.ledger.claim(ref, {
    attemptId,
    now,
    leaseUntil: new Date(now.getTime() + config.leaseMs),
    ...(takeOverFrom ? { takeOverFrom } : {}),
    expiresAt: config.historyExpiry(now),
    details: {
      template: request.template,
      locale: email.locale,
      step: request.step,
      ...(request.journey.variant ? { variant: request.journey.variant } : {}),
    },
  });
  if (!claimed) {
    // Someone else claimed or finished it between our read and write: look again later.
    return defer(request, deps, new Date(now.getTime() + 60_000), 'in-flight');
  }

  let messageId: string;
  try {
    await deps.rateLimiter.acquire();
    messageId = await deps.mailer.send({
      to: recipient.email,
      from: config.from,
      subject: email.subject,
      html: email.html,
      text: email.text,
      configurationSet: config.configurationSet,
      tags: {
        campaign: request.campaignId,
        step: request.step,
        tier: tierOf(request, recipient),
      },
      headers: sendHeaders(
        unsubscribeUrl,
        config.unsubscribe.mailto,
        ref,
        attemptId,
        sentStep,
      ),
    });
  } catch (error) {
    if (error instanceof SesSendError && error.definitelyNotSent) {
      // SES refused it: give the claim and the cap slot back so the retry starts clean.
      await deps.ledger.release(ref, attemptId);
      if (capped) await deps.caps.release(request.customerId, refText);
    }
    throw error;
  }
  await deps.afterSesAccepted?.(ref, messageId);
  const sentAt = deps.clock.now();
  const completed = await deps.ledger.complete(ref, attemptId, messageId, sentAt);
  // If not completed here, the SES "Send" event already did it (and announced and counted it).
  if (completed !== undefined) {
    await deps.publisher.publish([emailSentEvent(request, email, messageId, sentAt)]);
    await deps.sentCounts.count({ journeyId: request.campaignId, sentAt, step: sentStep });
  }
  return { kind: 'sent', messageId };
}

export function emailSentEvent(
  // The SES "Send" event's path passes the ledger's details, whose step older entries may lack.
  request: Pick<ParsedSendRequest, 'customerId' | 'campaignId' | 'period' | 'template'> & { step?: string | undefined },
  email: Pick<RenderedEmail, 'locale'>,
  messageId: string,
  sentAt: Date,
) {
  const detail: EmailSent = {
    customerId: request.customerId,
    campaignId: request.campaignId,
    ...(request.step ? { step: request.step } : {}),
    period: request.period,
    template: request.template,
    locale: email.locale,
    messageId,
    sentAt: sentAt.toISOString(),
  };
  return { detailType: EMAIL_SENT, detail, time: sentAt };
}

/** The campaign's own zone and quiet hours, where its request names them, over the sender's defaults. */
function rulesFor(request: ParsedSendRequest, defaults: SendRulesConfig): SendRulesConfig {
  return {
    defaultTimeZone: request.defaultTimeZone ?? defaults.defaultTimeZone,
    quietHours: request.quietHours
      ? parseQuietHours(`${request.quietHours.from}-${request.quietHours.to}`)
      : defaults.quietHours,
  };
}

function toRecipient(profile: RecipientProfile) {
  return {
    email: profile.email,
    consentGranted: profile.consent?.granted === true,
    optedOut: profile.optOut,
    suppressed: profile.suppressed,
    timeZone: profile.timeZone,
  };
}

async function defer(
  request: ParsedSendRequest,
  deps: SenderDeps,
  until: Date,
  reason: Extract<DeliveryOutcome, { kind: 'deferred' }>['reason'],
): Promise<DeliveryOutcome> {
  await deps.defer({ ...request, notBefore: until.toISOString() }, until);
  return { kind: 'deferred', until, reason };
}

/** Reserves a frequency-cap slot (optimistic, retried on races); returns when it frees if full. */
async function reserveCap(
  caps: SendCapStore,
  customerId: string,
  ref: string,
  now: Date,
  cap: FrequencyCap,
): Promise<Date | undefined> {
  return retryOnRace(`frequency-cap item of ${customerId}`, async () => {
    const current = await caps.get(customerId);
    const decision = reserveCapSlot(current.recent, ref, now, cap);
    if (!decision.allowed) return decision.freesAt;
    if (current.recent[ref] && Object.keys(decision.recent).length === Object.keys(current.recent).length)
      return undefined;
    if (await caps.save(customerId, decision.recent, current.version)) return undefined;
    return LOST_RACE;
  }, MAX_CAP_RACES);
}

function tierOf(request: ParsedSendRequest, profile: RecipientProfile): string {
  const fromRequest = request.variables.tier;
  return typeof fromRequest === 'string' ? fromRequest : (request.tier ?? profile.tier ?? 'none');
}
