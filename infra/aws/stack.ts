// The loyalty-flows stack, top to bottom like the architecture diagram:
//   shop events -> marketing bus -> rules -> queues -> functions -> customer store
//   schedules -> functions;  functions -> send-request queue -> sender -> SES
//   every dead-letter queue, function and backlog -> alarms -> topic
//   guardrail trips -> alarm -> topic;  everything above -> the operator's dashboard
// Functions, queues, rules and schedules are generated from infra/wiring.ts: adding a function
// there adds it here, with only the access its wiring asks for.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, OPERATOR_METRICS } from '#functions/commons/metrics.ts';
import { SCHEDULER_METRICS } from '#functions/scheduler/metrics.ts';
import { programJson } from '#shared/config/program-file.ts';
import {
  type FunctionWiring,
  functions,
  functionUrlEnv,
  type QueueName,
  type QueueWiring,
  queues,
} from '#infra/wiring.ts';
import type { DeployConfig } from './config.ts';
import { Alarms } from './constructs/alarms.ts';
import { CustomerStore } from './constructs/customer-store.ts';
import { MarketerConsole } from './constructs/marketer-console.ts';
import { MailDelivery, senderConcurrency } from './constructs/mail-delivery.ts';
import { OperatorDashboard } from './constructs/operator-dashboard.ts';
import { WiredFunction } from './constructs/wired-function.ts';
import { WorkQueue } from './constructs/work-queue.ts';

export interface LoyaltyFlowsStackProps extends StackProps {
  config: DeployConfig;
  /** The wiring to build; the checked-in tables unless a test passes its own. */
  wiring?: { functions: Record<string, FunctionWiring>; queues: Record<QueueName, QueueWiring> };
}

/** A backlog older than this means the consumer is stuck, not merely busy. */
const MAX_BACKLOG_AGE = Duration.minutes(15);
/** Normal lag is up to an hour bucket plus one run; two hours means timers are firing late. */
const MAX_SCHEDULER_LAG = Duration.hours(2);

export class LoyaltyFlowsStack extends Stack {
  readonly bus: EventBus;
  readonly store: CustomerStore;
  readonly mail: MailDelivery;
  readonly alarms: Alarms;
  readonly queues: Record<QueueName, WorkQueue>;
  readonly functions: Record<string, WiredFunction>;
  readonly dashboard: OperatorDashboard;
  /** The marketer console, when the wiring has its API. */
  readonly console: MarketerConsole | undefined;

  constructor(scope: Construct, id: string, props: LoyaltyFlowsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const wiring = props.wiring ?? { functions, queues };
    const protect = config.deletionProtection;

    this.bus = new EventBus(this, 'MarketingBus', { eventBusName: config.busName });
    this.store = new CustomerStore(this, 'CustomerStore', { protect, emailHistoryDays: config.emailHistoryDays });
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.mail = new MailDelivery(this, 'MailDelivery', { ...config, defaultBus });
    this.alarms = new Alarms(this, 'Alarms', { alarmEmail: config.alarmEmail, protect });

    const consumers = consumersByQueue(wiring.functions);
    this.queues = mapValues(
      wiring.queues,
      (name, queue) => new WorkQueue(this, pascal(`${name}-queue`), queue, consumers.get(name)),
    );
    const on = { bus: this.bus, defaultBus, store: this.store, queues: this.queues, mail: this.mail };
    // campaigns/program.yaml, parsed and validated once here; every function reads this JSON at cold start.
    const { json: shippedProgram, program } = programJson({});

    this.functions = mapValues(
      wiring.functions,
      (name, fn) =>
        new WiredFunction(this, pascal(name), {
          name,
          // The sender's concurrency follows the SES quota the stack is configured with.
          wiring:
            fn.trigger.type === 'queue' && fn.access.sendEmail && fn.maxConcurrency !== undefined
              ? { ...fn, maxConcurrency: senderConcurrency(config.maxSendRate, fn.maxConcurrency) }
              : fn,
          on,
          busName: config.busName,
          tracing: config.tracing,
          sourceMaps: config.sourceMaps,
          programJson: shippedProgram,
          protect,
        }),
    );
    this.linkPublicUrls();
    this.console = this.marketerConsole(config);
    const schedulerLag = this.functions.scheduler
      ? new Metric({
          namespace: SCHEDULER_METRICS.namespace,
          metricName: SCHEDULER_METRICS.lag,
          dimensionsMap: { Service: 'scheduler' },
          statistic: 'Maximum',
          period: Duration.minutes(15),
        })
      : undefined;
    this.watch(schedulerLag);
    // The limits drawn on the dashboard are the ones the functions enforce: the same program JSON,
    // shipped in every function's asset.
    this.dashboard = new OperatorDashboard(this, 'OperatorDashboard', {
      guardrails: program.guardrails,
      queues: Object.values(this.queues),
      functions: Object.values(this.functions),
      schedulerLag,
    });

    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.store.table.tableName });
    new CfnOutput(this, 'OperatorDashboardName', { value: this.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'SesConfigurationSet', { value: this.mail.configurationSet.configurationSetName });
    // `loyalty predict fit` invokes the weekly analytics run (scan, thresholds, model fit) by name.
    const weeklyAnalytics = this.functions['segment-thresholds'];
    if (weeklyAnalytics) new CfnOutput(this, 'WeeklyAnalyticsFunctionName', { value: weeklyAnalytics.fn.functionName });
  }

  /** Functions that send email link to the public endpoints (unsubscribe) by their URLs. */
  private linkPublicUrls(): void {
    const wired = Object.values(this.functions);
    for (const endpoint of wired) {
      if (endpoint.triggered.type !== 'url') continue;
      for (const sender of wired.filter((w) => w.wiring.access.sendEmail)) {
        sender.fn.addEnvironment(functionUrlEnv(endpoint.name), endpoint.triggered.url.url);
      }
    }
  }

  /** The console around the function wired with a `console` trigger (at most one). */
  private marketerConsole(config: DeployConfig): MarketerConsole | undefined {
    const apis = Object.values(this.functions).filter((wired) => wired.wiring.trigger.type === 'console');
    if (apis.length > 1) throw new Error(`wiring: more than one console API (${apis.map((a) => a.name).join(', ')})`);
    const api = apis[0];
    if (!api || api.wiring.trigger.type !== 'console') return undefined;
    return new MarketerConsole(this, 'MarketerConsole', {
      api: api.fn,
      path: api.wiring.trigger.path,
      domainPrefix: config.consoleDomainPrefix ?? `loyalty-flows-${config.stage}-console`,
      protect: config.deletionProtection,
    });
  }

  /** Every dead-letter queue, every function and every consumed queue's backlog is alarmed. */
  private watch(schedulerLag: Metric | undefined): void {
    const watchedDeadLetters = new Set<string>();
    for (const [name, work] of Object.entries(this.queues)) {
      this.alarms.deadLettersWaiting(pascal(`${name}-queue`), work.deadLetters, `queue ${name}`);
      this.alarms.backlogAge(pascal(`${name}-queue`), work.queue, `queue ${name}`, MAX_BACKLOG_AGE);
      watchedDeadLetters.add(work.deadLetters.node.path);
    }
    if (Object.values(this.functions).some((w) => w.wiring.access.sendEmail)) this.alarms.mailReputation();
    if (schedulerLag) this.alarms.schedulerBehind(schedulerLag, MAX_SCHEDULER_LAG);
    if (this.functions['ses-feedback']) {
      this.alarms.guardrailTripped(
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: OPERATOR_METRICS.tripped,
          dimensionsMap: { service: 'ses-feedback' },
          statistic: 'Sum',
          period: Duration.minutes(1),
        }),
      );
    }
    for (const wired of Object.values(this.functions)) {
      const id = pascal(wired.name);
      this.alarms.functionErrors(id, wired.fn, `function ${wired.name}`);
      if (!watchedDeadLetters.has(wired.deadLetters.node.path)) {
        this.alarms.deadLettersWaiting(id, wired.deadLetters, `function ${wired.name}`);
      }
    }
  }
}

/** Each queue's one consumer (its visibility timeout is derived from it); two consumers are refused. */
function consumersByQueue(wired: Record<string, FunctionWiring>): Map<string, FunctionWiring> {
  const consumers = new Map<string, [string, FunctionWiring]>();
  for (const [name, fn] of Object.entries(wired)) {
    if (fn.trigger.type !== 'events' && fn.trigger.type !== 'queue') continue;
    const other = consumers.get(fn.trigger.queue);
    if (other) throw new Error(`wiring: queue ${fn.trigger.queue} is consumed by both ${other[0]} and ${name}`);
    consumers.set(fn.trigger.queue, [name, fn]);
  }
  return new Map([...consumers].map(([queue, [, fn]]) => [queue, fn]));
}

function mapValues<K extends string, V, R>(record: Record<K, V>, map: (key: K, value: V) => R): Record<K, R> {
  const entries = (Object.entries(record) as [K, V][]).map(([key, value]) => [key, map(key, value)] as const);
  return Object.fromEntries(entries) as Record<K, R>;
}

/** "ingest-orders" -> "IngestOrders": construct ids read like the wiring names. */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
