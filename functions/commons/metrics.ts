// The operator's metrics, through Powertools Metrics: each data point is written as one Embedded
// Metric Format line with its own dimensions (journey, reason), so a batch touching several
// journeys keeps them apart. CloudWatch reads them from the log stream; no API call, no cost per
// put. Outside Lambda (local runtime, tests) nothing is printed. The dashboard and alarms in
// infra/aws read these names.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GuardrailObservation } from '#shared/flows/send-guardrails.ts';
import type { Runtime } from './runtime.ts';

export const METRICS_NAMESPACE = 'LoyaltyFlows';

/** Metric names, by what they count; dimensions in brackets (besides Powertools' `service`). */
export const OPERATOR_METRICS = {
  /** Emails SES accepted, counted by whoever recorded them sent (the sender; SES feedback after a sender crash) [Journey]. */
  sends: 'Sends',
  hardBounces: 'HardBounces',
  complaints: 'Complaints',
  /** Rolling-window rates in percent after each bounce/complaint [Journey] or [Scope=account]. */
  hardBounceRate: 'GuardrailHardBounceRate',
  complaintRate: 'GuardrailComplaintRate',
  /** 1 while the scope is paused, 0 while it sends [Journey] or [Scope=account]. */
  paused: 'GuardrailPaused',
  /** A guardrail paused a journey or the account just now: the alarm fires on it. */
  tripped: 'GuardrailTripped',
  /** Send requests the sender skipped [Reason] or deferred [Reason]. */
  skipped: 'SendsSkipped',
  deferred: 'SendsDeferred',
} as const;

export type OperatorMetric = (typeof OPERATOR_METRICS)[keyof typeof OPERATOR_METRICS];

export interface MetricSink {
  count(name: OperatorMetric, dimensions: Record<string, string>, value?: number): void;
  percent(name: OperatorMetric, dimensions: Record<string, string>, value: number): void;
}

export function metricSink(runtime: Runtime, service: string): MetricSink {
  if (!runtime.env.AWS_LAMBDA_FUNCTION_NAME) return { count: () => {}, percent: () => {} };
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  const put = (name: OperatorMetric, unit: (typeof MetricUnit)[keyof typeof MetricUnit], dimensions: Record<string, string>, value: number) => {
    // singleMetric() flushes on addMetric: one line per point, with exactly these dimensions.
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, unit, value);
  };
  return {
    count: (name, dimensions, value = 1) => put(name, MetricUnit.Count, dimensions, value),
    percent: (name, dimensions, value) => put(name, MetricUnit.Percent, dimensions, value),
  };
}

/** Each checked scope's rates and state, and a trip when a check paused one. */
export function observeGuardrails(sink: MetricSink, observations: GuardrailObservation[]): void {
  for (const observed of observations) {
    const dimensions: Record<string, string> =
      observed.scope.kind === 'account' ? { Scope: 'account' } : { Journey: observed.scope.journeyId };
    sink.percent(OPERATOR_METRICS.hardBounceRate, dimensions, observed.hardBounceRate * 100);
    sink.percent(OPERATOR_METRICS.complaintRate, dimensions, observed.complaintRate * 100);
    sink.count(OPERATOR_METRICS.paused, dimensions, observed.paused ? 1 : 0);
    if (observed.tripped) sink.count(OPERATOR_METRICS.tripped, {});
  }
}
