// SES sending events -> sends confirmed, hard bounces and complaints suppressed and guarded,
// deliveries, opens and clicks counted (shared/flows/ses-feedback.ts); here only the wiring and
// the operator dashboard's metrics.
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { emailHistoryEnv, historyExpiry } from '#shared/domain/email-history.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { SesFeedback } from '#shared/flows/ses-feedback.ts';
import { SES_DETAIL_TYPES, sesEventRecord } from '#shared/mail/ses-events.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { metricSink, OPERATOR_METRICS, observeGuardrails } from '../commons/metrics.ts';
import { functionSettings, type Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const metrics = metricSink(runtime, 'ses-feedback');
  const { EMAIL_HISTORY_DAYS } = functionSettings('ses-feedback', emailHistoryEnv, runtime.env);
  const feedback = new SesFeedback(
    runtime,
    new EventBridgePublisher(runtime.eventBridge, runtime.busName),
    deployedProgram(runtime.env).guardrails,
    {
      sent: (campaignId) => metrics.count(OPERATOR_METRICS.sends, { Journey: campaignId }),
      guarded: (counter, campaignId) => metrics.count(OPERATOR_METRICS[counter], { Journey: campaignId }),
      checked: (observations) => observeGuardrails(metrics, observations),
    },
    historyExpiry(EMAIL_HISTORY_DAYS),
  );
  return eventConsumer('ses-feedback', runtime, {
    [SES_DETAIL_TYPES.send]: route(sesEventRecord, (record) => feedback.confirmSent(record)),
    [SES_DETAIL_TYPES.delivery]: route(sesEventRecord, (record, envelope) => feedback.count(record, 'delivered', envelope.time)),
    [SES_DETAIL_TYPES.open]: route(sesEventRecord, (record, envelope) => feedback.count(record, 'opened', envelope.time)),
    [SES_DETAIL_TYPES.click]: route(sesEventRecord, (record, envelope) => feedback.count(record, 'clicked', envelope.time)),
    [SES_DETAIL_TYPES.bounce]: route(sesEventRecord, (record) => feedback.bounced(record)),
    [SES_DETAIL_TYPES.complaint]: route(sesEventRecord, (record) => feedback.complained(record)),
  });
}

export const handler = lambdaEntry(createHandler);
