// The four ways infra/wiring.ts can start a function, each built the way AWS runs it:
//   events   -> EventBridge rule(s) on the marketing bus -> SQS (with DLQ) -> the function
//   queue    -> SQS (with DLQ) other functions send to -> the function
//   schedule -> EventBridge Scheduler, rate(N minutes), retrying then dead-lettering a missed run
//   url      -> a Lambda Function URL (public: the handler verifies a signed token itself)
//   console  -> nothing here: the MarketerConsole construct puts it behind its authorized HTTP API
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type EventPattern as CdkEventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  CfnFunction,
  type FunctionUrl,
  FunctionUrlAuthType,
  type Function as LambdaFunction,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  batchingWindowSeconds,
  type EventBridgePattern,
  eventBridgePattern,
  type FunctionWiring,
  type ScheduledInvocation,
} from '#infra/wiring.ts';
import type { Grantables } from './access.ts';
import type { WorkQueue } from './work-queue.ts';

export type Triggered =
  | { type: 'events'; work: WorkQueue; rules: Rule[] }
  | { type: 'queue'; work: WorkQueue }
  | { type: 'schedule'; schedule: Schedule }
  | { type: 'url'; url: FunctionUrl }
  /** Reached only through the marketer console's authorized HTTP API, which the stack builds around it. */
  | { type: 'console' };

/** What a scheduled function receives: `ScheduledInvocation`, filled in by the Scheduler per run. */
const scheduledInvocation: ScheduledInvocation = { scheduledTime: ContextAttribute.scheduledTime };

export function attachTrigger(
  scope: Construct,
  fn: LambdaFunction,
  wiring: FunctionWiring,
  on: Grantables,
  deadLetters: IQueue,
): Triggered {
  const trigger = wiring.trigger;
  switch (trigger.type) {
    case 'events': {
      const work = on.queues[trigger.queue];
      const rules = trigger.patterns.map(
        (pattern, i) =>
          new Rule(scope, `Rule${i}`, {
            eventBus: pattern.bus === 'default' ? on.defaultBus : on.bus,
            description: `${pattern.source}: ${pattern.detailType.join(', ')}`.slice(0, 512),
            eventPattern: cdkEventPattern(
              eventBridgePattern(pattern, on.mail.configurationSet.configurationSetName),
            ),
            // Events EventBridge could not put on the queue land in the same DLQ, redrivable alike.
            targets: [new SqsQueue(work.queue, { deadLetterQueue: work.deadLetters })],
          }),
      );
      consume(fn, work, wiring);
      return { type: 'events', work, rules };
    }
    case 'queue': {
      const work = on.queues[trigger.queue];
      consume(fn, work, wiring);
      return { type: 'queue', work };
    }
    case 'schedule': {
      const schedule = new Schedule(scope, 'Schedule', {
        description: `every ${trigger.everyMinutes} min: ${wiring.description}`.slice(0, 512),
        schedule: ScheduleExpression.rate(Duration.minutes(trigger.everyMinutes)),
        target: new LambdaInvoke(fn, {
          role: schedulerRole(scope, fn),
          input: ScheduleTargetInput.fromObject(scheduledInvocation),
          // A run that still fails after retries is parked, not lost; the next run catches up anyway.
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: deadLetters,
        }),
      });
      // The Scheduler invokes asynchronously: its DLQ catches runs it could not deliver; a run
      // that threw through Lambda's own retries is parked in the same queue.
      fn.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        onFailure: new SqsDestination(deadLetters),
      });
      return { type: 'schedule', schedule };
    }
    case 'url': {
      // Public on purpose: mail clients POST one-click unsubscribes without credentials
      // (RFC 8058); the handler accepts only HMAC-signed, unexpired tokens.
      const url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
      new CfnOutput(scope, 'Url', {
        value: url.url,
        description: `${trigger.path}: ${wiring.description}`.slice(0, 1000),
      });
      return { type: 'url', url };
    }
    case 'console':
      return { type: 'console' };
  }
}

/** The wiring's EventBridge pattern in the CDK's spelling (`detailType` becomes `detail-type`). */
function cdkEventPattern(pattern: EventBridgePattern): CdkEventPattern {
  return { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail };
}

/** The role EventBridge Scheduler assumes to invoke this one function (and park failed runs). */
function schedulerRole(scope: Construct, fn: LambdaFunction): Role {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'SchedulerRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: 'default',
          }),
        },
      },
    }),
  });
  const cfn = fn.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) throw new Error(`${fn.node.path} has no CfnFunction`);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.resolve(cfn.logicalId)}.Arn>:*]`,
    reason:
      'lambda:InvokeFunction on this one function and its versions/aliases (the :* that grantInvoke adds); ' +
      'the role reaches no other function.',
  });
  return role;
}

function consume(fn: LambdaFunction, work: WorkQueue, wiring: FunctionWiring): void {
  const window = batchingWindowSeconds(work.wiring);
  fn.addEventSource(
    new SqsEventSource(work.queue, {
      batchSize: work.wiring.batchSize,
      maxBatchingWindow: window > 0 ? Duration.seconds(window) : undefined,
      reportBatchItemFailures: true,
      maxConcurrency: wiring.maxConcurrency,
    }),
  );
}
