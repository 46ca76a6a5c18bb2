// SES sending events (configuration-set event destination -> default EventBridge bus -> queue):
// "Email Sent" confirms a pending ledger claim (the evidence that resolves a crash between SES
// accepting an email and the sender recording it) and counts the email, as its completer;
// hard bounces and complaints suppress the address at once and announce "Customer Suppressed";
// deliveries, opens and clicks (and bounces and complaints) count on the email's send step's
// results, the one set of send counters, on the day it was sent. Hard bounces and complaints also
// feed the journey's and the account's guardrails, which pause a journey (or all marketing) whose
// rates spike (send-guardrails.ts). Redelivered events change nothing.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import type { HistoryExpiry } from '../domain/email-history.ts';
import type { GuardrailSettings } from '../domain/send-guardrails.ts';
import type { EventPublisher, OutboundEvent } from '../events/publisher.ts';
import { CUSTOMER_SUPPRESSED, type CustomerSuppressed } from '../mail/delivery-events.ts';
import type { SendReference, SentStep } from '../mail/send-headers.ts';
import { type SesEventRecord, sendReferenceOf } from '../mail/ses-events.ts';
import { type GuardrailCounter, GuardrailStore } from '../store/guardrails.ts';
import { CountMarkers, type SesEventCounter, sesEventMarkerExpiry } from '../store/count-markers.ts';
import { JourneyStepResults } from '../store/journey-step-results.ts';
import { SendLedger } from '../store/ledger.ts';
import { type SuppressionReason, SuppressionStore } from '../store/suppression.ts';
import { emailSentEvent } from './send-email.ts';
import { type GuardrailObservation, SendGuardrails } from './send-guardrails.ts';
import { SentEmailCounts } from './sent-emails.ts';

/** What the operator dashboard hears from SES feedback (the function turns it into metrics). */
export interface FeedbackObserver {
  /** An email counted sent on SES's word (the sender crashed after SES accepted it). */
  sent(campaignId: string): void;
  /** A message's first hard bounce or complaint, counted against its journey's guardrails. */
  guarded(counter: GuardrailCounter, campaignId: string): void;
  /** The journey's and the account's guardrails as judged after a bounce or complaint. */
  checked(observations: GuardrailObservation[]): void;
}

/** Counters a bounce or complaint also moves in the guardrails' windows. */
const GUARDED: Partial<Record<SesEventCounter, GuardrailCounter>> = {
  bounced: 'hardBounces',
  complained: 'complaints',
};

export class SesFeedback {
  private readonly ledger: SendLedger;
  private readonly suppression: SuppressionStore;
  private readonly markers: CountMarkers;
  private readonly stepResults: JourneyStepResults;
  private readonly guardrails: SendGuardrails;
  private readonly sentCounts: SentEmailCounts;

  constructor(
    private readonly store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock },
    private readonly publisher: EventPublisher,
    guardrails: GuardrailSettings,
    private readonly observer: FeedbackObserver,
    /** The email history's retention: how long an open's or a click's marker is kept. */
    private readonly historyExpiry: HistoryExpiry,
  ) {
    this.ledger = new SendLedger(store.doc, store.tableName);
    this.suppression = new SuppressionStore(store.doc, store.tableName);
    this.markers = new CountMarkers(store.doc, store.tableName);
    this.stepResults = new JourneyStepResults(store.doc, store.tableName);
    this.guardrails = new SendGuardrails(new GuardrailStore(store.doc, store.tableName), publisher, guardrails);
    this.sentCounts = new SentEmailCounts(this.guardrails, this.stepResults, (campaignId) => observer.sent(campaignId));
  }

  /**
   * The evidence SES accepted an email: completes a claim the sender left pending (it crashed
   * after SES accepted), then announces and counts it as the sender would have. The ledger is read
   * first (eventually consistent: a stale "pending" only costs the conditional write that fails).
   */
  async confirmSent(record: SesEventRecord): Promise<void> {
    const reference = sendReferenceOf(record.mail);
    if (!reference) return;
    const { ref, attemptId } = reference;
    const entry = await this.ledger.get(ref, { consistent: false });
    if (entry?.status === 'sent' || entry?.status === 'skipped') return;
    const sentAt = new Date(record.mail.timestamp);
    const details = await this.ledger.complete(ref, attemptId, record.mail.messageId, sentAt);
    if (!details?.template) return;
    await this.publisher.publish([
      emailSentEvent(
        { ...ref, step: details.step, template: details.template },
        { locale: details.locale ?? 'en-US' },
        record.mail.messageId,
        sentAt,
      ),
    ]);
    // Its step, variant and day ride in the send reference, or were claimed with the ledger entry.
    await this.sentCounts.count({ journeyId: ref.campaignId, sentAt, step: reference.sentStep ?? sentStepOf(details) });
  }

  /** A delivery, open or click (`at`: the event's time): counted once per message, on its step's row of the day the email was sent. */
  async count(record: SesEventRecord, counter: SesEventCounter, at: string): Promise<void> {
    // The campaign tag names the journey the email was sent for.
    const campaignId = record.mail.tags.campaign?.[0];
    if (!campaignId) return; // not one of ours (no campaign tag)
    const expiresAt = sesEventMarkerExpiry(
      counter,
      { at: new Date(at), sentAt: new Date(record.mail.timestamp) },
      this.historyExpiry,
    );
    // An open or click after the email's history (and its marker) went: counting it would count twice.
    if (expiresAt === undefined) return;
    const first = await this.markers.firstSesEvent(record.mail.messageId, counter, expiresAt);
    if (first) await this.countForStep(sendReferenceOf(record.mail), campaignId, counter);
    const guarded = GUARDED[counter];
    if (!guarded) return;
    // The message's first event of its kind counts; a crash between the marker and here
    // under-counts by one, as for the step results.
    if (first) {
      await this.guardrails.count(campaignId, guarded, new Date(at));
      this.observer.guarded(guarded, campaignId);
    }
    // Judged on every bounce or complaint, first or redelivered, so a pause whose announcement
    // was lost is announced by the redelivery.
    this.observer.checked(await this.guardrails.check(campaignId, this.store.clock.now()));
  }

  /** A bounce: only a permanent (hard) one suppresses; transient ones are SES's to retry. */
  async bounced(record: SesEventRecord): Promise<void> {
    if (record.bounce?.bounceType !== 'Permanent') return;
    const addresses = record.bounce.bouncedRecipients.map((r) => r.emailAddress);
    await this.suppress(record, 'hard-bounce', addresses, record.bounce.feedbackId, new Date(record.bounce.timestamp));
  }

  async complained(record: SesEventRecord): Promise<void> {
    if (!record.complaint) return;
    const addresses = record.complaint.complainedRecipients.map((r) => r.emailAddress);
    await this.suppress(record, 'complaint', addresses, record.complaint.feedbackId, new Date(record.complaint.timestamp));
  }

  // Counted on the day the email was sent, like `sent`: a period's funnel then holds the same emails
  // at every stage (a delivery after midnight is not a delivery without a send). A journey email's
  // step, variant and send day ride in its send reference; an older email's (or one whose ids did
  // not fit the header) are on its ledger entry.
  private async countForStep(reference: SendReference | undefined, journeyId: string, counter: SesEventCounter): Promise<void> {
    if (!reference) return;
    let sent = reference.sentStep;
    if (!sent) {
      const entry = await this.ledger.get(reference.ref);
      if (entry?.status !== 'sent') return;
      sent = sentStepOf(entry);
      if (!sent) return;
    }
    await this.stepResults.add({ journeyId, stepId: sent.step, variant: sent.variant, day: sent.day }, { [counter]: 1 });
  }

  private async suppress(
    record: SesEventRecord,
    reason: SuppressionReason,
    addresses: string[],
    feedbackId: string | undefined,
    at: Date,
  ): Promise<void> {
    const events: OutboundEvent[] = [];
    for (const address of addresses) {
      for (const customerId of await this.suppression.suppressAddress(address, reason, at)) {
        const detail: CustomerSuppressed = {
          customerId,
          reason,
          suppressedAt: at.toISOString(),
          ...(feedbackId ? { feedbackId } : {}),
        };
        events.push({ detailType: CUSTOMER_SUPPRESSED, detail, time: at });
      }
    }
    await this.publisher.publish(events);
    await this.count(record, reason === 'complaint' ? 'complained' : 'bounced', at.toISOString());
  }
}

/** A sent ledger entry's send step, variant and day, for an email whose reference lacks them. */
function sentStepOf(entry: { step?: string | undefined; variant?: string | undefined; sentAt?: string | undefined }): SentStep | undefined {
  return entry.step && entry.sentAt ? { step: entry.step, variant: entry.variant, day: entry.sentAt.slice(0, 10) } : undefined;
}
