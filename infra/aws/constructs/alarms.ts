// Operational alarms and the topic they notify. Every alarm the stack raises goes through
// `alarmWhen`, the extension point for alarms other parts add (SES bounce and complaint rates,
// scheduler lag): give it a metric and a threshold, and it is wired to the topic like the rest.
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  /** Optional address subscribed to the alarm topic. */
  alarmEmail: string | undefined;
  protect: boolean;
}

export interface AlarmCondition {
  metric: IMetric;
  /** Alarm when the metric is strictly above this (or below, with `comparison`). */
  threshold: number;
  /** What is wrong and what to do, shown in the notification. */
  description: string;
  comparison?: ComparisonOperator;
  evaluationPeriods?: number;
  /** Default: missing data is not breaching (no traffic is not an incident). */
  treatMissingData?: TreatMissingData;
}

export class Alarms extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key, so the
    // topic gets its own key whose policy lets CloudWatch use it.
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the loyalty-flows alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', {
      masterKey: key,
      enforceSSL: true,
      displayName: 'loyalty-flows alarms',
    });
    // enforceSSL gives the topic its own policy, which replaces SNS's default one: without this
    // statement CloudWatch may not publish and no alarm notification would ever arrive.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);
  }

  /** The extension point: an alarm on any metric, notifying the topic on ALARM and on OK. */
  alarmWhen(id: string, condition: AlarmCondition): Alarm {
    const alarm = new Alarm(this, id, {
      metric: condition.metric,
      threshold: condition.threshold,
      comparisonOperator: condition.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: condition.evaluationPeriods ?? 1,
      treatMissingData: condition.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: condition.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }

  /** Any message in a dead-letter queue is work that was not done: someone must look. */
  deadLettersWaiting(id: string, deadLetters: IQueue, what: string): Alarm {
    return this.alarmWhen(`${id}DeadLetters`, {
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      description: `${what}: messages in the dead-letter queue. List them, fix the cause, then redrive (docs/operations.md).`,
    });
  }

  /** A function that throws (beyond rejected events, which are dead-lettered, not thrown). */
  functionErrors(id: string, fn: IFunction, what: string): Alarm {
    return this.alarmWhen(`${id}Errors`, {
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      description: `${what}: invocation errors in the last 5 minutes. Check the function's log group.`,
    });
  }

  /** The consumer is not keeping up (or not running): the oldest message keeps getting older. */
  backlogAge(id: string, queue: IQueue, what: string, maxAge: Duration): Alarm {
    return this.alarmWhen(`${id}BacklogAge`, {
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 5,
      description: `${what}: oldest message older than ${maxAge.toHumanString()} for 5 minutes; the consumer is stuck or throttled.`,
    });
  }

  /**
   * The account's SES reputation (what AWS reviews sending on): alarm at 2% bounces and 0.08%
   * complaints, well before SES's 5% / 0.1% review lines and Gmail's 0.1% complaint line.
   */
  mailReputation(): Alarm[] {
    const reputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    return [
      this.alarmWhen('BounceRate', {
        metric: reputation('Reputation.BounceRate'),
        threshold: 0.02,
        description: 'SES bounce rate above 2%: check list hygiene and the ses-feedback suppressions.',
      }),
      this.alarmWhen('ComplaintRate', {
        metric: reputation('Reputation.ComplaintRate'),
        threshold: 0.0008,
        description:
          'SES complaint rate above 0.08%: pause the campaign that drives it, check consent and frequency caps.',
      }),
    ];
  }

  /**
   * A guardrail paused a journey (or all marketing) in the last minute: the Journey Paused event
   * on the bus carries the figures; resume with `loyalty campaigns resume <id> --note`.
   */
  guardrailTripped(tripped: Metric): Alarm {
    return this.alarmWhen('GuardrailTripped', {
      metric: tripped,
      threshold: 0,
      description:
        'A guardrail paused a journey or all marketing for its hard-bounce or complaint rate: see the Journey Paused event and the operator dashboard, fix the list, then `loyalty campaigns resume <id> --note "..."`.',
    });
  }

  /**
   * The timer scheduler has fallen behind the due index (or stopped running: no data breaches).
   * `lag` is its own metric, published in Embedded Metric Format on every run.
   */
  schedulerBehind(lag: Metric, maxLag: Duration): Alarm {
    return this.alarmWhen('SchedulerLag', {
      metric: lag,
      threshold: maxLag.toSeconds(),
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.BREACHING,
      description: `Timer scheduler more than ${maxLag.toHumanString()} behind, or not running: birthdays and win-backs are late. Check its log group and DLQ.`,
    });
  }
}
