// The shared shape of every EventBridge -> SQS -> Lambda consumer: parse the envelope, route by
// detail-type, validate the detail with its contract, apply it. Invalid events are recorded on
// the dead-letter queue with field, value and reason and acknowledged (retrying cannot fix
// them); any other error fails just that record so SQS redelivers it.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { CLOCK_SKEW_ALLOWANCE_MS, type EventEnvelope, eventEnvelope } from '#shared/events/contracts.ts';
import { type DeadLetterSink, SqsDeadLetterSink } from '#shared/events/dead-letters.ts';
import { parseOrReject, RejectedEventError } from '#shared/events/rejection.ts';
import type { Runtime } from './runtime.ts';

export interface Route<S extends z.ZodType> {
  schema: S;
  apply(detail: z.output<S>, envelope: EventEnvelope): Promise<void>;
  /** The business times the event states (field -> ISO instant); none may lie in our future. */
  datedBy?(detail: z.output<S>, envelope: EventEnvelope): Record<string, string | undefined>;
}

/** Builds a route with the detail type inferred from the schema. */
export function route<S extends z.ZodType>(
  schema: S,
  apply: Route<S>['apply'],
  datedBy?: Route<S>['datedBy'],
): Route<S> {
  return { schema, apply, datedBy };
}

/** Rejects an event dated beyond our clock plus the skew allowance (see CLOCK_SKEW_ALLOWANCE_MS). */
function rejectFutureDates(times: Record<string, string | undefined>, now: Date): void {
  const latest = now.getTime() + CLOCK_SKEW_ALLOWANCE_MS;
  const ahead = Object.entries(times).filter(([, at]) => at !== undefined && Date.parse(at) > latest);
  if (ahead.length === 0) return;
  throw new RejectedEventError(
    ahead.map(([field, value]) => ({
      field,
      value,
      reason: `is in the future: more than ${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes after ${now.toISOString()}`,
    })),
  );
}

export function deadLettersFor(runtime: Runtime): DeadLetterSink {
  if (!runtime.deadLetterQueueUrl) throw new Error('DEAD_LETTER_QUEUE_URL is not configured');
  return new SqsDeadLetterSink(runtime.sqs, runtime.deadLetterQueueUrl);
}

export function eventConsumer(
  name: string,
  runtime: Runtime,
  routes: Record<string, Route<z.ZodType>>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const deadLetters = deadLettersFor(runtime);
  const processor = new BatchProcessor(EventType.SQS);

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const envelope = parseOrReject(eventEnvelope, parseJson(record.body));
      const route = routes[envelope['detail-type']];
      if (!route) {
        throw new RejectedEventError([
          { field: 'detail-type', value: envelope['detail-type'], reason: `is not handled by ${name}` },
        ]);
      }
      const detail = parseOrReject(route.schema, envelope.detail, 'detail');
      if (route.datedBy) rejectFutureDates(route.datedBy(detail, envelope), runtime.clock.now());
      await route.apply(detail, envelope);
    } catch (error) {
      if (!(error instanceof RejectedEventError)) {
        runtime.logger.error('event failed; SQS will redeliver it', {
          messageId: record.messageId,
          error: error as Error,
        });
        throw error;
      }
      runtime.logger.warn('event rejected', {
        messageId: record.messageId,
        rejections: error.rejections.map((r) => `${r.field}: ${r.reason}`),
      });
      await deadLetters.record({ body: record.body, rejections: error.rejections, rejectedBy: name });
    }
  };

  return (event) =>
    processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new RejectedEventError([{ field: '(body)', value: body.slice(0, 200), reason: 'is not JSON' }]);
  }
}
