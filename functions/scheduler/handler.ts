// Every few minutes (EventBridge Scheduler / the local clock): fire the due timers — journey waits
// and date triggers, tier reviews, lifecycle changes — catching up every hour bucket since the
// last full run.
import * as z from 'zod';
import { queueUrlEnv, type ScheduledInvocation } from '#infra/wiring.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { emailHistoryEnv, historyExpiry } from '#shared/domain/email-history.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { lifecycleThresholdsFromEnv, refreshLifecycle } from '#shared/flows/lifecycle.ts';
import { reviewTier } from '#shared/flows/tier-review.ts';
import {
  DEFAULT_SCHEDULER_OPTIONS,
  runScheduler,
  type SchedulerRun,
} from '#shared/flows/timers-scheduler.ts';
import { journeyRuntime } from '#shared/journeys/runtime.ts';
import { SqsSendQueue } from '#shared/mail/send-request.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { type ItemKey, keys } from '#shared/store/keys.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { functionSettings, type Runtime } from '../commons/runtime.ts';
import { publishSchedulerMetrics } from './metrics.ts';

const SEND_QUEUE_ENV = queueUrlEnv('send-requests');

const schedulerEnv = z.object({
  [SEND_QUEUE_ENV]: z.string().min(1),
  SCHEDULER_MAX_FIRES: z.coerce.number().int().positive().default(DEFAULT_SCHEDULER_OPTIONS.maxFires),
  SCHEDULER_INITIAL_LOOKBACK_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_SCHEDULER_OPTIONS.initialLookbackHours),
});

export function createHandler(runtime: Runtime) {
  const env = functionSettings('scheduler', schedulerEnv, runtime.env);
  const timers = new TimerStore(runtime.doc, runtime.tableName);
  const loyalty = {
    store: new CustomerStore(runtime.doc, runtime.tableName),
    publisher: new EventBridgePublisher(runtime.eventBridge, runtime.busName),
    clock: runtime.clock,
    program: deployedProgram(runtime.env),
  };
  const thresholds = lifecycleThresholdsFromEnv(runtime.env);
  // Journey waits and date triggers share this runner (one timer mechanism).
  const { EMAIL_HISTORY_DAYS } = functionSettings('scheduler', emailHistoryEnv, runtime.env);
  const journeys = journeyRuntime(
    runtime,
    loyalty.program,
    new SqsSendQueue(runtime.sqs, String(env[SEND_QUEUE_ENV])),
    historyExpiry(EMAIL_HISTORY_DAYS),
  );
  const options = {
    ...DEFAULT_SCHEDULER_OPTIONS,
    maxFires: Number(env.SCHEDULER_MAX_FIRES),
    initialLookbackHours: Number(env.SCHEDULER_INITIAL_LOOKBACK_HOURS),
  };

  return async (
    _event?: ScheduledInvocation,
  ): Promise<SchedulerRun & { quietUnlessWritten?: ItemKey }> => {
    const run = await runScheduler(
      {
        timers,
        options,
        reviewTier: (customerId, claimant) => reviewTier(loyalty, customerId, claimant),
        refreshLifecycle: (customerId) => refreshLifecycle({ ...loyalty, thresholds }, customerId),
        journeys: journeys.timers,
      },
      runtime.clock.now(),
    );
    publishSchedulerMetrics(runtime, run);
    if (run.ran) runtime.logger.info('scheduler run', { ...run, failures: run.failures.length });
    for (const failure of run.failures.slice(0, 20))
      runtime.logger.error('timer failed; retrying in an hour', { failure });
    // A run's plan is the scheduler state as it read it (idle) or left it (working), and every
    // arm that could make it due sooner nudges that item: the local clock skips ticks until
    // someone other than this run writes it.
    return run.quietUntil ? { ...run, quietUnlessWritten: keys.schedulerState() } : run;
  };
}

export const handler = lambdaEntry(createHandler);
