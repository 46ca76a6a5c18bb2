// The scheduler's health as CloudWatch metrics in Embedded Metric Format (one stdout line per
// run, no API call): lag behind the due index drives the "scheduler behind" alarm.
import type { SchedulerRun } from '#shared/flows/timers-scheduler.ts';
import type { Runtime } from '../commons/runtime.ts';

export const SCHEDULER_METRICS = {
  namespace: 'LoyaltyFlows',
  lag: 'SchedulerLagSeconds',
  fired: 'TimersFired',
  failed: 'TimersFailed',
} as const;

export function publishSchedulerMetrics(runtime: Runtime, run: SchedulerRun): void {
  // Only inside Lambda, where stdout goes to CloudWatch Logs; locally it would be noise.
  if (!runtime.env.AWS_LAMBDA_FUNCTION_NAME || run.lagMs === undefined) return;
  const line = {
    _aws: {
      Timestamp: runtime.clock.now().getTime(),
      CloudWatchMetrics: [
        {
          Namespace: SCHEDULER_METRICS.namespace,
          Dimensions: [['Service']],
          Metrics: [
            { Name: SCHEDULER_METRICS.lag, Unit: 'Seconds' },
            { Name: SCHEDULER_METRICS.fired, Unit: 'Count' },
            { Name: SCHEDULER_METRICS.failed, Unit: 'Count' },
          ],
        },
      ],
    },
    Service: 'scheduler',
    [SCHEDULER_METRICS.lag]: Math.round(run.lagMs / 1000),
    [SCHEDULER_METRICS.fired]: run.fired,
    [SCHEDULER_METRICS.failed]: run.failures.length,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
