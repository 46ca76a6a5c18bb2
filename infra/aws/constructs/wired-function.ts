// One Lambda function as infra/wiring.ts describes it: the bundled handler, its log group and
// role (nothing granted beyond its wiring), its dead-letter queue, its trigger and its access.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, type FunctionWiring } from '#infra/wiring.ts';
import { PROGRAM_JSON_ENV } from '#shared/config/deployed-program.ts';
import { type Grantables, grantAccess } from './access.ts';
import { functionBundling, LAMBDA_PROGRAM_JSON } from './bundling.ts';
import { attachTrigger, type Triggered } from './triggers.ts';
import { DeadLetterQueue } from './work-queue.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface WiredFunctionProps {
  name: string;
  wiring: FunctionWiring;
  on: Grantables;
  busName: string;
  tracing: boolean;
  sourceMaps: boolean;
  /** The validated program, shipped as program.json in the asset (shared/config/deployed-program.ts). */
  programJson: string;
  protect: boolean;
}

export class WiredFunction extends Construct {
  readonly name: string;
  readonly wiring: FunctionWiring;
  readonly fn: NodejsFunction;
  /** Where this function's failed or rejected work goes (its queue's DLQ, or its own). */
  readonly deadLetters: IQueue;
  readonly triggered: Triggered;

  constructor(scope: Construct, id: string, props: WiredFunctionProps) {
    super(scope, id);
    const { name, wiring, on } = props;
    this.name = name;
    this.wiring = wiring;

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole managed
    // policy: logs go to this log group only, and every other permission comes from the wiring.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `loyalty-flows ${name}: ${wiring.description}`.slice(0, 1000),
    });
    logGroup.grantWrite(role);

    const queueName =
      wiring.trigger.type === 'events' || wiring.trigger.type === 'queue' ? wiring.trigger.queue : undefined;
    this.deadLetters = queueName
      ? on.queues[queueName].deadLetters
      : new DeadLetterQueue(this, 'DeadLetters').queue;

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'functions', wiring.folder, 'handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: wiring.description.slice(0, 256),
      memorySize: wiring.memoryMb,
      timeout: Duration.seconds(wiring.timeoutSeconds),
      role,
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      // On a queue, maxConcurrency caps the event source instead (see triggers.ts); elsewhere
      // (e.g. a scheduler that must never overlap itself) it reserves exactly that concurrency.
      reservedConcurrentExecutions: queueName ? undefined : wiring.maxConcurrency,
      bundling: functionBundling({ sourceMaps: props.sourceMaps, programJson: props.programJson }),
      environment: {
        [ENV.tableName]: on.store.table.tableName,
        [ENV.eventBusName]: props.busName,
        [ENV.deadLetterQueueUrl]: this.deadLetters.queueUrl,
        [PROGRAM_JSON_ENV]: LAMBDA_PROGRAM_JSON,
        ...(props.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });
    // Rejected events are recorded on the dead-letter queue by the handler itself.
    this.deadLetters.grantSendMessages(this.fn);
    grantAccess(this.fn, wiring.access, on);
    this.triggered = attachTrigger(this, this.fn, wiring, on, this.deadLetters);

    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      });
    }
  }
}
