// Arms a journey's newly live date trigger for the customers already stored (Journey Arming
// Requested, from the console's publish): one Scan page per event, the next page announced as a
// continuation event, so no invocation holds the whole base and none runs on a request path. The
// first pages go straight onto its own queue, delayed until every journey catalogue cache expired.
import * as z from 'zod';
import { queueUrlEnv } from '#infra/wiring.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { DelayedEvents } from '#shared/events/delayed-events.ts';
import { JOURNEY_ARMING_REQUESTED, journeyArmingRequestedDetail } from '#shared/events/emitted.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { ARMING_PAGE_ITEMS, ARMING_START_DELAY_SECONDS, StoredCustomerArming } from '#shared/journeys/arm-existing.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { functionSettings, type Runtime } from '../commons/runtime.ts';

const ARMING_QUEUE_ENV = queueUrlEnv('arming-requests');

const armingEnv = z.object({
  /** Table items one page reads (one page per event): smaller pages, more events, shorter invocations. */
  ARMING_PAGE_ITEMS: z.coerce.number().int().min(1).max(10_000).default(ARMING_PAGE_ITEMS),
});

export function createHandler(runtime: Runtime) {
  const { ARMING_PAGE_ITEMS: pageItems } = functionSettings('journey-arming', armingEnv, runtime.env);
  const armingQueueUrl = z
    .string()
    .min(1, { message: `${ARMING_QUEUE_ENV} must be set (access.sendsTo arming-requests)` })
    .parse(runtime.env[ARMING_QUEUE_ENV]);
  const arming = new StoredCustomerArming(runtime, deployedProgram(runtime.env), pageItems);
  const events = {
    continuations: new EventBridgePublisher(runtime.eventBridge, runtime.busName),
    firstPages: new DelayedEvents(runtime.sqs, armingQueueUrl, runtime.clock, ARMING_START_DELAY_SECONDS),
  };
  return eventConsumer('journey-arming', runtime, {
    [JOURNEY_ARMING_REQUESTED]: route(journeyArmingRequestedDetail, async (detail) => {
      const { customers, page } = await arming.onRequested(detail, events);
      if (page) runtime.logger.info('stored customers armed', { journeyId: detail.journeyId, version: detail.version, ...page, customers });
    }),
  });
}

export const handler = lambdaEntry(createHandler);
