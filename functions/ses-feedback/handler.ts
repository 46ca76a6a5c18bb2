// SES sending events (configuration-set event destination -> default EventBridge bus -> queue):
// "Email Sent" confirms a pending ledger claim (the evidence that resolves a crash between SES
// accepting an email and the sender recording it); hard bounces and complaints suppress the
// address at once and announce "Customer Suppressed"; deliveries, opens and clicks feed the
// per-campaign daily counters and, for journey emails, their send step's results. Sends, hard
// bounces and complaints also feed the journey's and the account's guardrails, which pause a
// journey (or all marketing) whose rates spike (shared/flows/send-guardrails.ts). Redelivered
// events change nothing.
import { deployedProgram } from '#shared/config/deployed-program.ts';
import type { EventEnvelope } from '#shared/events/contracts.ts';
import { EventBridgePublisher, type OutboundEvent } from '#shared/events/publisher.ts';
import { emailSentEvent } from '#shared/flows/send-email.ts';
import { parseSendReference, SEND_REFERENCE_HEADER } from '#shared/mail/send-headers.ts';
import { SendGuardrails } from '#shared/flows/send-guardrails.ts';
import { CUSTOMER_SUPPRESSED, type CustomerSuppressed } from '#shared/mail/delivery-events.ts';
import {
  mailHeader,
  SES_DETAIL_TYPES,
  type SesEventRecord,
  sesEventRecord,
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
    sent: 'sends',
    bounced: 'hardBounces',
    complained: 'complaints',
  };

  // A journey email's step and variant are on its ledger entry (the sender counts 'sent' itself).
  const countForStep = async (record: SesEventRecord, journeyId: string, counter: StatCounter) => {
    const header = mailHeader(record.mail, SEND_REFERENCE_HEADER);
    const reference = header ? parseSendReference(header) : undefined;
    const entry = reference && (await ledger.get(reference.ref));
    if (entry?.status !== 'sent' || !entry.step) return;
    await stepResults.add(
      { journeyId, stepId: entry.step, variant: entry.variant, day: entry.sentAt.slice(0, 10) },
      { [counter]: 1 },
    );
  };

  // The campaign tag names the journey (or built-in campaign) the email was sent for.
  const count = async (record: SesEventRecord, counter: StatCounter, at: string) => {
    const campaignId = record.mail.tags.campaign?.[0];
    if (!campaignId) return false; // not one of ours (no campaign tag)
    const first = await stats.countOnce({
      messageId: record.mail.messageId,
      campaignId,
      day: at.slice(0, 10),
      counter,
    });
    if (first && counter !== 'sent') await countForStep(record, campaignId, counter);
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
    if (guarded !== 'sends')
      observeGuardrails(metrics, await guardrails.check(campaignId, runtime.clock.now()));
    return first;
  };

  const confirmSent = async (record: SesEventRecord, envelope: EventEnvelope) => {
    const header = mailHeader(record.mail, SEND_REFERENCE_HEADER);
    const reference = header ? parseSendReference(header) : undefined;
    if (reference) {
      const { ref, attemptId } = reference;
      const sentAt = new Date(record.mail.timestamp);
      const details = await ledger.complete(ref, attemptId, record.mail.messageId, sentAt);
      // Completed here means the sender never recorded it (it crashed): announce it now.
      if (details?.template) {
        await publisher.publish([
          emailSentEvent(
            { ...ref, step: details.step, template: details.template },
            { locale: details.locale ?? 'en-US' },
            record.mail.messageId,
            sentAt,
          ),
        ]);
      }
    }
    await count(record, 'sent', envelope.time);
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
    [SES_DETAIL_TYPES.send]: route(sesEventRecord, confirmSent),
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
