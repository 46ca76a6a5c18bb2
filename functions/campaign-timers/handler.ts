// Every 15 minutes: fire the due timers of file-defined timer campaigns (first-purchase
// anniversary) from their CDUE# hour buckets, catching up from the watermark.
import * as z from 'zod';
import { queueUrlEnv, type ScheduledInvocation } from '#infra/wiring.ts';
import { campaignTimerDeps } from '#shared/campaigns/runtime-deps.ts';
import { type CampaignTimersRun, runCampaignTimers } from '#shared/campaigns/timers.ts';
import { SqsSendQueue } from '#shared/mail/send-request.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

const SEND_QUEUE_ENV = queueUrlEnv('send-requests');
const queueUrl = z
  .string()
  .min(1, { message: `${SEND_QUEUE_ENV} must be set (access.sendsTo send-requests)` });

export function createHandler(runtime: Runtime) {
  const deps = campaignTimerDeps(
    runtime,
    new SqsSendQueue(runtime.sqs, queueUrl.parse(runtime.env[SEND_QUEUE_ENV])),
  );
  // `quietUntil` lets the local runtime skip the idle schedule instants before the next due timer.
  return async (_event?: ScheduledInvocation): Promise<CampaignTimersRun & { quietUntil?: string }> => {
    const run = await runCampaignTimers(deps, runtime.clock.now());
    if (run.fired) runtime.logger.info('campaign timers fired', { ...run });
    return { ...run, ...(run.nextCheckAt ? { quietUntil: run.nextCheckAt } : {}) };
  };
}

export const handler = lambdaEntry(createHandler);
