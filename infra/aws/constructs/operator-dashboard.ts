// The operator's CloudWatch dashboard, read top to bottom like a morning check (docs/guardrails.md
// "Reading the dashboard"): what went out, what was held back and why, reputation against the
// limits, which journeys the guardrails paused, then the plumbing — dead letters, timer lag, and
// each function's errors, throttles and duration. Per-journey lines come from SEARCH expressions
// over the Powertools metrics, so a new journey appears without a deploy.
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, OPERATOR_METRICS, type OperatorMetric } from '#functions/commons/metrics.ts';
import { type GuardrailSettings, REPUTATION_LINES } from '#shared/domain/send-guardrails.ts';
import type { WiredFunction } from './wired-function.ts';
import type { WorkQueue } from './work-queue.ts';

export interface OperatorDashboardProps {
  dashboardName?: string;
  guardrails: GuardrailSettings;
  queues: WorkQueue[];
  functions: WiredFunction[];
  schedulerLag: Metric | undefined;
}

const MINUTE = Duration.minutes(1);

/** Every series of one operator metric, one line per value of `dimension` (Journey, Reason, Scope). */
function byDimension(metric: OperatorMetric, dimension: string, statistic: string, label: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metric}"', '${statistic}', 60)`,
    label,
    period: MINUTE,
  });
}

const line = (value: number, label: string, color?: string): HorizontalAnnotation => ({
  value,
  label,
  ...(color ? { color } : {}),
});

export class OperatorDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperatorDashboardProps) {
    super(scope, id);
    const { journey, account } = props.guardrails;
    const widget = (title: string, left: IMetric[], extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {}) =>
      new GraphWidget({ title, left, width: 12, height: 6, ...extra });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: [
          '## loyalty-flows — operations',
          `Journeys pause above **${journey.hardBouncePercent}% hard bounces** or **${journey.complaintPercent}% complaints** over their last ${journey.windowSends} sends / ${journey.windowHours} h (from ${journey.minSends} sends);`,
          `all marketing pauses when the account passes ${account.hardBouncePercent}% / ${account.complaintPercent}% (SES reviews at ${REPUTATION_LINES.sesReview.hardBounceRate * 100}% / ${REPUTATION_LINES.sesReview.complaintRate * 100}%).`,
          'Resume with `loyalty campaigns resume <journey> --note "…"`. How to read each panel: docs/guardrails.md.',
        ].join('\n'),
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      widget('Sends per minute by journey', [byDimension(OPERATOR_METRICS.sends, 'Journey', 'Sum', 'sends')]),
      widget('Skipped and deferred sends by reason', [
        byDimension(OPERATOR_METRICS.skipped, 'Reason', 'Sum', 'skipped'),
        byDimension(OPERATOR_METRICS.deferred, 'Reason', 'Sum', 'deferred'),
      ]),
    );
    this.dashboard.addWidgets(
      widget('Hard-bounce rate by journey (%, rolling window)', [
        byDimension(OPERATOR_METRICS.hardBounceRate, 'Journey', 'Maximum', 'hard bounces %'),
        byDimension(OPERATOR_METRICS.hardBounceRate, 'Scope', 'Maximum', 'account %'),
      ], {
        leftAnnotations: [
          line(journey.hardBouncePercent, 'journey pause'),
          line(account.hardBouncePercent, 'account brake'),
          line(REPUTATION_LINES.sesReview.hardBounceRate * 100, 'SES review', '#d62728'),
        ],
      }),
      widget('Complaint rate by journey (%, rolling window)', [
        byDimension(OPERATOR_METRICS.complaintRate, 'Journey', 'Maximum', 'complaints %'),
        byDimension(OPERATOR_METRICS.complaintRate, 'Scope', 'Maximum', 'account %'),
      ], {
        leftAnnotations: [
          line(journey.complaintPercent, 'journey pause'),
          line(account.complaintPercent, 'account brake'),
          line(REPUTATION_LINES.sesReview.complaintRate * 100, 'SES review', '#d62728'),
          line(REPUTATION_LINES.mailboxProviders.complaintRate * 100, 'Gmail/Yahoo', '#9467bd'),
        ],
      }),
    );
    const reputation = (id: string, metricName: string, label: string) =>
      new MathExpression({
        expression: `${id} * 100`,
        usingMetrics: { [id]: new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) }) },
        label,
        period: Duration.hours(1),
      });
    this.dashboard.addWidgets(
      widget('Guardrail state (1 = paused)', [
        byDimension(OPERATOR_METRICS.paused, 'Journey', 'Maximum', 'journey paused'),
        byDimension(OPERATOR_METRICS.paused, 'Scope', 'Maximum', 'account brake'),
      ], { leftYAxis: { min: 0, max: 1 } }),
      widget('SES account reputation (%)', [
        reputation('bounces', 'Reputation.BounceRate', 'bounce rate %'),
        reputation('complaints', 'Reputation.ComplaintRate', 'complaint rate %'),
      ], {
        leftAnnotations: [
          line(REPUTATION_LINES.sesReview.hardBounceRate * 100, 'SES review: bounces', '#d62728'),
          line(REPUTATION_LINES.sesReview.complaintRate * 100, 'SES review: complaints', '#ff7f0e'),
        ],
      }),
    );
    const deadLetterDepths = [
      ...props.queues.map((work) => work.deadLetters),
      ...props.functions.map((wired) => wired.deadLetters),
    ]
      .filter((queue, i, all) => all.indexOf(queue) === i)
      .map((queue) =>
        queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum', label: queue.node.path }),
      );
    this.dashboard.addWidgets(
      widget('Dead-letter queue depths', deadLetterDepths),
      widget('Timer lag (s)', props.schedulerLag ? [props.schedulerLag] : []),
    );
    const perFunction = (title: string, metricOf: (wired: WiredFunction) => IMetric) =>
      new GraphWidget({ title, left: props.functions.map(metricOf), width: 8, height: 6 });
    this.dashboard.addWidgets(
      perFunction('Lambda errors', (w) => w.fn.metricErrors({ period: MINUTE, statistic: 'Sum', label: w.name })),
      perFunction('Lambda throttles', (w) => w.fn.metricThrottles({ period: MINUTE, statistic: 'Sum', label: w.name })),
      perFunction('Lambda duration p95 (ms)', (w) => w.fn.metricDuration({ period: MINUTE, statistic: 'p95', label: w.name })),
    );
  }
}
