// SES sending events (configuration-set event destination -> default EventBridge bus -> queue):
// "Email Sent" confirms a pending ledger claim (the evidence that resolves a crash between SES
// accepting an email and the sender recording it; the sender counts the emails it recorded);
// hard bounces and complaints suppress the address at once and announce "Customer Suppressed";
// deliveries, opens and clicks feed the per-campaign daily counters and, for journey emails,
// their send step's results. Hard bounces and complaints also feed the journey's and the
// account's guardrails, which pause a journey (or all marketing) whose rates spike
// (shared/flows/send-guardrails.ts). Redelivered events change nothing.
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { EventBridgePublisher, type OutboundEvent } from '#shared/events/publisher.ts';
import { emailSentEvent } from '#shared/flows/send-email.ts';
import type { SendReference } from '#shared/mail/send-headers.ts';
import { SendGuardrails } from '#shared/flows/send-guardrails.ts';
import { SentEmailCounts } from '#shared/flows/sent-emails.ts';
import { CUSTOMER_SUPPRESSED, type CustomerSuppressed } from '#shared/mail/delivery-events.ts';
import {
  SES_DETAIL_TYPES,
  type SesEventRecord,
  sesEventRecord,
  sendReferenceOf,
} from '#shared/mail/ses-events.ts';
import { type GuardrailCounter, GuardrailStore } from '#shared/store/guardrails.ts';
import { JourneyStepResults } from '#shared/store/journey-step-results.ts';
import { SendLedger } from '#shared/store/ledger.ts';
import { CampaignStats, type StatCounter } from '#shared/store/stats.ts';
import { type SuppressionReason, SuppressionStore } from '#shared/store/suppression.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { metricSink, OPERATOR_METRICS, observeGuardrails } from '../commons/metrics.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const ledger = new SendLedger(runtime.doc, runtime.tableName);
  const suppression = new SuppressionStore(runtime.doc, runtime.tableName);
  const stats = new CampaignStats(runtime.doc, runtime.tableName);
  const stepResults = new JourneyStepResults(runtime.doc, runtime.tableName);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  const guardrails = new SendGuardrails(
    new GuardrailStore(runtime.doc, runtime.tableName),
    publisher,
    deployedProgram(runtime.env).guardrails,
  );
  const metrics = metricSink(runtime, 'ses-feedback');
  const GUARDED: Partial<Record<StatCounter, GuardrailCounter>> = {
    bounced: 'hardBounces',
    complained: 'complaints',
  };
  const sentCounts = new SentEmailCounts(stats, guardrails, (campaignId) =>
    metrics.count(OPERATOR_METRICS.sends, { Journey: campaignId }),
  );

  // A journey email's step, variant and send day ride in its send reference; an older email's (or
  // one whose ids did not fit the header) are on its ledger entry. The sender counts 'sent' itself.
  const countForStep = async (reference: SendReference | undefined, journeyId: string, counter: StatCounter) => {
    if (!reference) return;
    let sent = reference.sentStep;
    if (!sent) {
      const entry = await ledger.get(reference.ref);
      if (entry?.status !== 'sent' || !entry.step) return;
      sent = { step: entry.step, variant: entry.variant, day: entry.sentAt.slice(0, 10) };
    }
    await stepResults.add(
      { journeyId, stepId: sent.step, variant: sent.variant, day: sent.day },
      { [counter]: 1 },
    );
  };

  // The campaign tag names the journey (or built-in campaign) the email was sent for.
  const count = async (record: SesEventRecord, counter: Exclude<StatCounter, 'sent'>, at: string) => {
    const campaignId = record.mail.tags.campaign?.[0];
    if (!campaignId) return false; // not one of ours (no campaign tag)
    const reference = sendReferenceOf(record.mail);
    // Counted on the day the email was sent, like `sent`: a period's funnel then holds the same
    // emails at every stage (a delivery after midnight is not a delivery without a send).
    const first = await stats.countOnce({
      messageId: record.mail.messageId,
      campaignId,
      day: sendDayOf(record, reference, at),
      counter,
    });
    if (first) await countForStep(reference, campaignId, counter);
    const guarded = GUARDED[counter];
    if (!guarded) return first;
    // The message's first event of its kind counts; a crash between the marker and here
    // under-counts by one, as for the daily counters.
    if (first) {
      await guardrails.count(campaignId, guarded, new Date(at));
      metrics.count(OPERATOR_METRICS[guarded], { Journey: campaignId });
    }
    // Judged on every bounce or complaint, first or redelivered, so a pause whose announcement
    // was lost is announced by the redelivery.
    observeGuardrails(metrics, await guardrails.check(campaignId, runtime.clock.now()));
    return first;
  };

  // The evidence SES accepted an email: completes a claim the sender left pending (it crashed
  // after SES accepted), then announces and counts it as the sender would have. The ledger is read
  // first (eventually consistent: a stale "pending" only costs the conditional write that fails).
  const confirmSent = async (record: SesEventRecord) => {
    const reference = sendReferenceOf(record.mail);
    if (!reference) return;
    const { ref, attemptId } = reference;
    const entry = await ledger.get(ref, { consistent: false });
    if (entry?.status === 'sent' || entry?.status === 'skipped') return;
    const sentAt = new Date(record.mail.timestamp);
    const details = await ledger.complete(ref, attemptId, record.mail.messageId, sentAt);
    if (!details?.template) return;
    await publisher.publish([
      emailSentEvent(
        { ...ref, step: details.step, template: details.template },
        { locale: details.locale ?? 'en-US' },
        record.mail.messageId,
        sentAt,
      ),
    ]);
    await sentCounts.count(ref.campaignId, sentAt);
  };

  const suppress = async (
    record: SesEventRecord,
    reason: SuppressionReason,
    addresses: string[],
    feedbackId: string | undefined,
    at: Date,
  ) => {
    const events: OutboundEvent[] = [];
    for (const address of addresses) {
      for (const customerId of await suppression.suppressAddress(address, reason, at)) {
        const detail: CustomerSuppressed = {
          customerId,
          reason,
          suppressedAt: at.toISOString(),
          ...(feedbackId ? { feedbackId } : {}),
        };
        events.push({ detailType: CUSTOMER_SUPPRESSED, detail, time: at });
      }
    }
    await publisher.publish(events);
    await count(record, reason === 'complaint' ? 'complained' : 'bounced', at.toISOString());
  };

  return eventConsumer('ses-feedback', runtime, {
    [SES_DETAIL_TYPES.send]: route(sesEventRecord, (record) => confirmSent(record)),
    [SES_DETAIL_TYPES.delivery]: route(sesEventRecord, (record, envelope) =>
      count(record, 'delivered', envelope.time).then(() => undefined),
    ),
    [SES_DETAIL_TYPES.open]: route(sesEventRecord, (record, envelope) =>
      count(record, 'opened', envelope.time).then(() => undefined),
    ),
    [SES_DETAIL_TYPES.click]: route(sesEventRecord, (record, envelope) =>
      count(record, 'clicked', envelope.time).then(() => undefined),
    ),
    [SES_DETAIL_TYPES.bounce]: route(sesEventRecord, async (record) => {
      // Only permanent (hard) bounces suppress; transient ones are SES's to retry.
      if (record.bounce?.bounceType !== 'Permanent') return;
      const addresses = record.bounce.bouncedRecipients.map((r) => r.emailAddress);
      await suppress(
        record,
        'hard-bounce',
        addresses,
        record.bounce.feedbackId,
        new Date(record.bounce.timestamp),
      );
    }),
    [SES_DETAIL_TYPES.complaint]: route(sesEventRecord, async (record) => {
      if (!record.complaint) return;
      const addresses = record.complaint.complainedRecipients.map((r) => r.emailAddress);
      await suppress(
        record,
        'complaint',
        addresses,
        record.complaint.feedbackId,
        new Date(record.complaint.timestamp),
      );
    }),
  });
}

export const handler = lambdaEntry(createHandler);

/** The day an email was sent: its send reference's, else SES's `mail.timestamp` (else the event's). */
function sendDayOf(record: SesEventRecord, reference: SendReference | undefined, eventAt: string): string {
  if (reference?.sentStep) return reference.sentStep.day;
  const sentAt = Date.parse(record.mail.timestamp);
  return (Number.isNaN(sentAt) ? eventAt : new Date(sentAt).toISOString()).slice(0, 10);
}
