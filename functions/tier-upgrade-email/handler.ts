// Tier Changed (source loyalty-flows) -> a tier-upgrade SendRequest on the send-requests queue.
import * as z from 'zod';
import { queueUrlEnv } from '#infra/wiring.ts';
import { campaignGate } from '#shared/campaigns/gate.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { tierChangedDetail } from '#shared/events/emitted.ts';
import { requestTierUpgradeEmail } from '#shared/flows/tier-upgrade-email.ts';
import { SqsSendQueue } from '#shared/mail/send-request.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

const SEND_QUEUE_ENV = queueUrlEnv('send-requests');
const queueUrl = z
  .string()
  .min(1, { message: `${SEND_QUEUE_ENV} must be set (access.sendsTo send-requests)` });

export function createHandler(runtime: Runtime) {
  const sendQueueUrl = queueUrl.parse(runtime.env[SEND_QUEUE_ENV]);
  const program = loadProgram(runtime.env);
  const store = new CustomerStore(runtime.doc, runtime.tableName);
  const deps = {
    clock: runtime.clock,
    // Published campaign state (enabled, audience, holdout) is applied in the campaign gate.
    queue: campaignGate(runtime, new SqsSendQueue(runtime.sqs, sendQueueUrl)),
    profileOf: (customerId: string) => store.getProfile(customerId),
  };
  return eventConsumer('tier-upgrade-email', runtime, {
    'Tier Changed': route(tierChangedDetail, async (change) => {
      const decision = await requestTierUpgradeEmail(deps, program, change);
      if (decision.kind === 'skip' && decision.reason !== 'not-an-upgrade') {
        runtime.logger.info('no tier-upgrade email', { changeId: change.changeId, reason: decision.reason });
      }
    }),
  });
}

export const handler = lambdaEntry(createHandler);
