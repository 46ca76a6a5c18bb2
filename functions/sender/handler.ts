// The sender: consumes SendRequests from the 'send-requests' queue (partial-batch failures) and
// delivers each exactly once under the send-time rules and the SES rate. A request that can never
// be sent as written (invalid, template error) is dead-lettered with its reason; SES trouble fails
// just that record, so SQS retries it and, after maxReceiveCount, moves it to the DLQ.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queueUrlEnv } from '#infra/wiring.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { historyExpiry } from '#shared/domain/email-history.ts';
import { priorityPredecessors } from '#shared/domain/send-priority.ts';
import { queueDelaySeconds } from '#shared/domain/send-rules.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { parseOrReject, RejectedEventError } from '#shared/events/rejection.ts';
import { deliverSendRequest, type SenderConfig, type SenderDeps } from '#shared/flows/send-email.ts';
import { SendGuardrails, SendingGate } from '#shared/flows/send-guardrails.ts';
import { SentEmailCounts } from '#shared/flows/sent-emails.ts';
import { DynamoSendRateLimiter } from '#shared/mail/rate-limit.ts';
import { TemplateError } from '#shared/mail/render.ts';
import { enqueueDelayed, sendRequestSchema } from '#shared/mail/send-request.ts';
import { senderConfig, senderEnv } from '#shared/mail/sender-config.ts';
import { defaultRetryPolicy, type Mailer, SesMailer, SesSendError } from '#shared/mail/ses-mailer.ts';
import { loadUnsubscribeSecret } from '#shared/mail/unsubscribe-secret.ts';
import { GuardrailStore } from '#shared/store/guardrails.ts';
import { customerFactsReader } from '#shared/journeys/customer-facts.ts';
import { JourneySending } from '#shared/journeys/sending.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { JourneyStepResults } from '#shared/store/journey-step-results.ts';
import { CurrentJourneys, JourneyCatalogue } from '#shared/store/journeys.ts';
import { SendCapStore, SendLedger } from '#shared/store/ledger.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { SuppressionStore } from '#shared/store/suppression.ts';
import { deadLettersFor } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { metricSink, OPERATOR_METRICS } from '../commons/metrics.ts';
import { functionSettings, type Runtime, sesClientOf } from '../commons/runtime.ts';

export interface SenderOverrides {
  mailer?: Mailer;
  afterSesAccepted?: SenderDeps['afterSesAccepted'];
}

export function createSenderHandler(
  runtime: Runtime,
  overrides: SenderOverrides = {},
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const env = functionSettings('sender', senderEnv, runtime.env);
  const queueUrl = runtime.env[queueUrlEnv('send-requests')];
  if (!queueUrl) throw new Error(`${queueUrlEnv('send-requests')} is not configured`);
  const deadLetters = deadLettersFor(runtime);
  const metrics = metricSink(runtime, 'sender');
  const timers = new TimerStore(runtime.doc, runtime.tableName);
  const program = deployedProgram(runtime.env);
  const guardrailStore = new GuardrailStore(runtime.doc, runtime.tableName);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  // Every request renders from its journey's stored version, with the journey's conditions and the
  // customer's standing taken at send time.
  const journeys = new JourneySending({
    journeys: new CurrentJourneys(
      new JourneyCatalogue(runtime.doc, runtime.tableName, runtime.clock),
      runtime.clock,
    ),
    factsOf: customerFactsReader(runtime),
    states: new JourneyStateStore(runtime.doc, runtime.tableName, timers),
    clock: runtime.clock,
    program,
    historyExpiry: historyExpiry(env.EMAIL_HISTORY_DAYS),
  });
  const deps: SenderDeps = {
    journeys,
    clock: runtime.clock,
    ledger: new SendLedger(runtime.doc, runtime.tableName),
    caps: new SendCapStore(runtime.doc, runtime.tableName),
    recipients: new SuppressionStore(runtime.doc, runtime.tableName),
    mailer:
      overrides.mailer ??
      new SesMailer(sesClientOf(runtime), { ...defaultRetryPolicy, maxAttempts: env.SES_MAX_ATTEMPTS }),
    rateLimiter: new DynamoSendRateLimiter(runtime.doc, runtime.tableName, env.MAX_SEND_RATE),
    defer: (request, until) =>
      enqueueDelayed(runtime.sqs, queueUrl, request, queueDelaySeconds(until, runtime.clock.now())),
    publisher,
    controlGroup: program.controlGroup,
    gate: new SendingGate(guardrailStore),
    sentCounts: new SentEmailCounts(
      new SendGuardrails(guardrailStore, publisher, program.guardrails),
      new JourneyStepResults(runtime.doc, runtime.tableName),
      (campaignId) => metrics.count(OPERATOR_METRICS.sends, { Journey: campaignId }),
    ),
    ...(overrides.afterSesAccepted ? { afterSesAccepted: overrides.afterSesAccepted } : {}),
  };
  // The signing key is fetched once per cold start (Secrets Manager in AWS).
  let config: Promise<SenderConfig> | undefined;
  const configured = () => {
    if (!config) {
      config = loadUnsubscribeSecret(runtime.env).then((secret) => senderConfig(env, secret));
      // A failed load (Secrets Manager hiccup) is retried by the next record, not cached.
      config.catch(() => {
        config = undefined;
      });
    }
    return config;
  };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const request = parseOrReject(sendRequestSchema, parseJson(record.body));
      const outcome = await deliverSendRequest(request, deps, await configured());
      await journeys.record(request, outcome);
      runtime.logger.info('send request handled', {
        campaignId: request.campaignId,
        period: request.period,
        outcome: outcome.kind,
        ...('reason' in outcome ? { reason: outcome.reason } : {}),
      });
      if (outcome.kind === 'skipped') metrics.count(OPERATOR_METRICS.skipped, { Reason: outcome.reason });
      if (outcome.kind === 'deferred') metrics.count(OPERATOR_METRICS.deferred, { Reason: outcome.reason });
    } catch (error) {
      const rejections =
        error instanceof RejectedEventError
          ? error.rejections
          : error instanceof TemplateError
            ? [{ field: 'template', value: error.message, reason: 'cannot be rendered for this request' }]
            : error instanceof SesSendError && error.kind === 'rejected'
              ? // SES refused this email itself (e.g. MessageRejected): retrying cannot help.
                [{ field: 'ses', value: error.message, reason: 'was rejected by SES' }]
              : undefined;
      if (!rejections) throw error;
      runtime.logger.warn('send request rejected', {
        messageId: record.messageId,
        rejections: rejections.map((r) => `${r.field}: ${r.reason}`),
      });
      await deadLetters.record({ body: record.body, rejections, rejectedBy: 'sender' });
    }
  };

  // A processor per invocation: it holds per-batch state, and the local runtime runs invocations concurrently.
  // Records run in parallel (the processor's default, which the priority turns rely on), except
  // that one customer's records take turns in priority order (see shared/domain/send-priority.ts).
  return (event) => {
    const inTurn = priorityTurns(event.Records);
    return processPartialResponse(
      event,
      (record: SQSRecord) => inTurn(record, () => handleRecord(record)),
      new BatchProcessor(EventType.SQS),
      { throwOnFullBatchFailure: false, processInParallel: true },
    );
  };
}

/** Runs each record after the record of the same customer that has a higher priority (if any). */
function priorityTurns(records: SQSRecord[]): (record: SQSRecord, run: () => Promise<void>) => Promise<void> {
  const predecessors = priorityPredecessors(
    records.map((record) => ({ id: record.messageId, ...peekPriority(record.body) })),
  );
  const finished = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const record of records) {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    finished.set(record.messageId, { promise, resolve });
  }
  return async (record, run) => {
    const before = predecessors.get(record.messageId);
    if (before) await finished.get(before)?.promise;
    try {
      await run();
    } finally {
      finished.get(record.messageId)?.resolve();
    }
  };
}

/** Customer and priority of a record, read leniently (a bad body is rejected by handleRecord). */
function peekPriority(body: string): { customerId: string | undefined; priority: number | undefined } {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null) return { customerId: undefined, priority: undefined };
    const { customerId, priority } = value as Record<string, unknown>;
    return {
      customerId: typeof customerId === 'string' ? customerId : undefined,
      priority: typeof priority === 'number' ? priority : undefined,
    };
  } catch {
    return { customerId: undefined, priority: undefined };
  }
}

export const createHandler = (runtime: Runtime) => createSenderHandler(runtime);

// The only function that bundles the SES client.
export const handler = lambdaEntry(createHandler, { ses: SESv2Client });

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new RejectedEventError([{ field: '(body)', value: body.slice(0, 200), reason: 'is not JSON' }]);
  }
}
