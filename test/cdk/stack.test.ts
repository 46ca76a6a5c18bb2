// CDK assertions on the stack exactly as `cdk deploy` builds it from infra/wiring.ts (real esbuild
// bundling, cdk-nag registered): synthesised once for the whole file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineLoyaltyFlows } from '#infra/aws/loyalty-flows.ts';
import type { LoyaltyFlowsStack } from '#infra/aws/stack.ts';
import { ENV, type FunctionWiring, functions, queues } from '#infra/wiring.ts';
import { INDEXES, TTL_ATTRIBUTE } from '#shared/store/keys.ts';

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

let app: App;
let stack: LoyaltyFlowsStack;
let template: Template;

beforeAll(() => {
  app = new App({
    context: { stage: 'test', senderAddress: 'news@shop.example', alarmEmail: 'ops@shop.example' },
  });
  stack = defineLoyaltyFlows(app);
  template = Template.fromStack(stack);
  // Bundling every function with esbuild takes over a minute on a busy 2-core machine.
}, 180_000);

const logicalId = (construct: IConstruct): string => {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(child);
};
const functionOf = (name: string) => {
  const wiredFunction = stack.functions[name];
  if (!wiredFunction) throw new Error(`the stack has no function ${name}`);
  return wiredFunction;
};
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const wired = Object.entries(functions) as [string, FunctionWiring][];

function statementsOf(name: string): Statement[] {
  const role = functionOf(name).fn.role;
  if (!role) throw new Error(`no role for ${name}`);
  const roleId = logicalId(role);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('customer store', () => {
  it('keys the table by PK/SK with the due and byEmail indexes projecting all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.arrayWith(
        Object.values(INDEXES).map((index) =>
          Match.objectLike({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ),
      ),
    });
    expect(Object.values(INDEXES).map((i) => i.name)).toEqual(['due', 'byEmail']);
  });

  it('is on-demand, point-in-time recoverable, encrypted at rest, deletion-protected and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('deletes expired once-only markers by time to live, on the attribute the code writes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });
});

describe('marketing bus and event ingestion', () => {
  it('names the bus "marketing" by default', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'marketing' });
  });

  it('routes every wiring event pattern through a rule on the bus into its function queue, with a DLQ', () => {
    for (const [name, fn] of wired) {
      if (fn.trigger.type !== 'events') continue;
      const work = stack.queues[fn.trigger.queue];
      for (const pattern of fn.trigger.patterns) {
        template.hasResourceProperties('AWS::Events::Rule', {
          // SES can publish only to the account's default bus; everything else is on ours.
          EventBusName: pattern.bus === 'default' ? 'default' : { Ref: logicalId(stack.bus) },
          EventPattern: { source: [pattern.source], 'detail-type': pattern.detailType },
          Targets: [
            Match.objectLike({ Arn: arnOf(work.queue), DeadLetterConfig: { Arn: arnOf(work.deadLetters) } }),
          ],
        });
      }
      expect(functionOf(name).triggered.type).toBe('events');
    }
  });

  it('routes Purchase Completed and Order Refunded from shop.orders, Customer Upserted from shop.customers', () => {
    const orders = stack.queues['order-events'];
    const customers = stack.queues['customer-events'];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['shop.orders'], 'detail-type': ['Purchase Completed', 'Order Refunded'] },
      Targets: [Match.objectLike({ Arn: arnOf(orders.queue) })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['shop.customers'], 'detail-type': ['Customer Upserted'] },
      Targets: [Match.objectLike({ Arn: arnOf(customers.queue) })],
    });
  });

  it('encrypts every queue, dead-letters after the wiring maxReceiveCount and holds a message 6x its consumer timeout plus batching window', () => {
    for (const [name, wiring] of Object.entries(queues)) {
      const work = stack.queues[name as keyof typeof queues];
      const consumer = wired.find(([, fn]) => 'queue' in fn.trigger && fn.trigger.queue === name)?.[1];
      if (!consumer) throw new Error(`queue ${name} has no consumer`);
      // AWS Lambda developer guide, "Configuring an Amazon SQS queue to use with Lambda".
      const window = 'batchingWindowSeconds' in wiring ? wiring.batchingWindowSeconds : wiring.batchSize > 10 ? 1 : 0;
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 6 * consumer.timeoutSeconds + window,
        RedrivePolicy: {
          deadLetterTargetArn: arnOf(work.deadLetters),
          maxReceiveCount: wiring.maxReceiveCount,
        },
      });
    }
    const all = template.findResources('AWS::SQS::Queue');
    for (const queue of Object.values(all)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('denies non-TLS access to every queue', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(Object.keys(template.findResources('AWS::SQS::Queue')).length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('feeds each queue consumer with partial-batch failures, the wiring batch size, batching window and concurrency cap', () => {
    for (const [name, fn] of wired) {
      if (fn.trigger.type !== 'events' && fn.trigger.type !== 'queue') continue;
      const work = stack.queues[fn.trigger.queue];
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(work.queue),
        FunctionName: { Ref: logicalId(functionOf(name).fn) },
        BatchSize: work.wiring.batchSize,
        MaximumBatchingWindowInSeconds:
          'batchingWindowSeconds' in work.wiring ? work.wiring.batchingWindowSeconds : Match.absent(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: fn.maxConcurrency ? { MaximumConcurrency: fn.maxConcurrency } : Match.absent(),
      });
    }
  });
});

describe('functions', () => {
  it('runs every wired function on arm64 Node.js 22+ ESM bundles, logging to its own retained log group', () => {
    expect(Object.keys(stack.functions).sort()).toEqual(Object.keys(functions).sort());
    for (const [name, fn] of wired) {
      const resource = template.toJSON().Resources[logicalId(functionOf(name).fn)];
      const props = resource.Properties;
      expect(props.Architectures).toEqual(['arm64']);
      expect(Number(/^nodejs(\d+)\.x$/.exec(props.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(props).toMatchObject({
        Handler: 'index.handler',
        Timeout: fn.timeoutSeconds,
        MemorySize: fn.memoryMb,
      });
      expect(props.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs/) });
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('tells every function its table, bus and own dead-letter queue, and none a campaigns folder (journeys come from the catalogue)', () => {
    for (const [name] of wired) {
      const wiredFn = functionOf(name);
      const env = template.toJSON().Resources[logicalId(wiredFn.fn)].Properties.Environment.Variables;
      expect(env).toMatchObject({
        [ENV.tableName]: { Ref: logicalId(stack.store.table) },
        [ENV.eventBusName]: 'marketing',
        [ENV.deadLetterQueueUrl]: { Ref: logicalId(wiredFn.deadLetters) },
      });
      expect(env[ENV.campaignsDir]).toBeUndefined();
    }
  });
});

describe('outputs', () => {
  it('names the weekly analytics function, so `loyalty predict fit` can invoke it', () => {
    template.hasOutput('WeeklyAnalyticsFunctionName', { Value: { Ref: logicalId(functionOf('segment-thresholds').fn) } });
  });
});

describe('least privilege', () => {
  const table = () => arnOf(stack.store.table);
  const index = (name: string) => ({ 'Fn::Join': ['', [table(), `/index/${name}`]] });

  it("scopes the ingestion functions' DynamoDB access to the table and its indexes, without Scan", () => {
    for (const name of ['ingest-customers', 'ingest-orders']) {
      const dynamo = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.length).toBeGreaterThan(0);
      for (const statement of dynamo) {
        for (const resource of resourcesOf(statement)) {
          expect([table(), ...Object.values(INDEXES).map((i) => index(i.name))]).toContainEqual(resource);
        }
        expect(actionsOf(statement)).not.toContain('dynamodb:Scan');
      }
      expect(dynamo.flatMap(actionsOf)).toEqual(
        expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']),
      );
    }
  });

  it('never grants DynamoDB (or anything but X-Ray) on "*"', () => {
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      // The CDK's deploy-time upload of the console assets copies whole buckets' objects (bucket/*).
      if (id.startsWith('CustomCDKBucketDeployment')) continue;
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        const wildcard =
          resourcesOf(statement).includes('*') || JSON.stringify(statement.Resource).includes('/*"');
        if (wildcard) expect(actionsOf(statement).every((a) => a.startsWith('xray:'))).toBe(true);
        expect(actionsOf(statement).some((a) => a === 'dynamodb:*' || a === '*')).toBe(false);
      }
    }
  });

  it('lets the recording functions publish on the marketing bus only, and the journeys function not at all', () => {
    const puts = (name: string) =>
      statementsOf(name).filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(puts('ingest-orders').map((s) => s.Resource)).toEqual([arnOf(stack.bus)]);
    expect(puts('ingest-customers').map((s) => s.Resource)).toEqual([arnOf(stack.bus)]);
    expect(puts('journeys')).toEqual([]);
  });

  it('lets only journey-arming and the weekly analytics Scan the table; the console may only announce an arming', () => {
    const scans = (name: string) => statementsOf(name).filter((s) => actionsOf(s).includes('dynamodb:Scan'));
    expect(scans('journey-arming').map((s) => [actionsOf(s), s.Resource])).toEqual([[['dynamodb:Scan'], table()]]);
    const scanning = Object.keys(stack.functions).filter((name) => scans(name).length > 0);
    expect(scanning.sort()).toEqual(['journey-arming', 'segment-thresholds']);
    const puts = (name: string) => statementsOf(name).filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(puts('journey-arming').map((s) => s.Resource)).toEqual([arnOf(stack.bus)]);
    expect(puts('console-api').map((s) => s.Resource)).toEqual([arnOf(stack.bus)]);
    // Its first pages go, delayed, onto its own queue (besides rejected events onto its dead-letter
    // queue, as every consumer's), named in its environment.
    const arming = stack.queues['arming-requests'];
    const sends = (name: string) => statementsOf(name).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(sends('journey-arming').map((s) => s.Resource)).toEqual(expect.arrayContaining([arnOf(arming.queue), arnOf(arming.deadLetters)]));
    expect(sends('journey-arming')).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUEUE_URL_ARMING_REQUESTS: { Ref: logicalId(arming.queue) } }) },
    });
    // One page per invocation: a batch of one, and the queue waits out six timeouts before redelivering.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(functionOf('journey-arming').fn) },
      BatchSize: 1,
    });
  });
});

describe('alarms', () => {
  const alarmsOn = (metricName: string) =>
    Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }),
    );

  it('alarms when any dead-letter queue holds a message, notifying the alarm topic', () => {
    const deadLetterQueues = new Set(Object.values(stack.functions).map((f) => logicalId(f.deadLetters)));
    for (const work of Object.values(stack.queues)) deadLetterQueues.add(logicalId(work.deadLetters));
    const watched = alarmsOn('ApproximateNumberOfMessagesVisible').map((a) => {
      expect(a.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(a.Properties.AlarmActions).toEqual([{ Ref: logicalId(stack.alarms.topic) }]);
      return a.Properties.Dimensions[0].Value['Fn::GetAtt'][0];
    });
    expect(new Set(watched)).toEqual(deadLetterQueues);
  });

  it('alarms on any error of every function over 5 minutes and on each queue backlog age', () => {
    const errors = alarmsOn('Errors');
    expect(errors.map((a) => a.Properties.Dimensions[0].Value.Ref).sort()).toEqual(
      Object.values(stack.functions)
        .map((f) => logicalId(f.fn))
        .sort(),
    );
    for (const alarm of errors)
      expect(alarm.Properties).toMatchObject({ Period: 300, Statistic: 'Sum', Threshold: 0 });
    expect(alarmsOn('ApproximateAgeOfOldestMessage')).toHaveLength(Object.keys(queues).length);
  });

  it('encrypts the alarm topic with a rotating key CloudWatch may use, requires TLS and subscribes alarmEmail', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.example',
    });
  });

  it("lets this account's CloudWatch alarms publish to the topic, whose own policy replaces SNS's default", () => {
    const topicRef = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:*',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe("operator's dashboard", () => {
  interface Widget {
    type: string;
    properties: {
      title?: string;
      markdown?: string;
      metrics?: unknown[][];
      annotations?: { horizontal?: { value: number; label: string }[] };
    };
  }
  const widgets = (): Widget[] => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    // The body is a Fn::Join of JSON text and tokens (region, queue names): tokens become a word.
    const parts = dashboards[0]!.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
    return body.widgets;
  };
  const titled = (title: string) => {
    const found = widgets().find((w) => w.properties.title === title);
    if (!found) throw new Error(`no widget titled ${title}`);
    return found;
  };
  const expressions = (w: Widget) =>
    (w.properties.metrics ?? []).map((m) => (m[0] as { expression?: string }).expression).filter(Boolean);
  const lines = (w: Widget) => (w.properties.annotations?.horizontal ?? []).map((a) => [a.label, a.value]);

  it('shows sends per minute by journey, and skipped and deferred sends by reason, from the Powertools metrics', () => {
    expect(expressions(titled('Sends per minute by journey'))).toEqual([
      `SEARCH('{LoyaltyFlows,Journey,service} MetricName="Sends"', 'Sum', 60)`,
    ]);
    expect(expressions(titled('Skipped and deferred sends by reason'))).toEqual([
      `SEARCH('{LoyaltyFlows,Reason,service} MetricName="SendsSkipped"', 'Sum', 60)`,
      `SEARCH('{LoyaltyFlows,Reason,service} MetricName="SendsDeferred"', 'Sum', 60)`,
    ]);
  });

  it('draws bounce and complaint rates against the guardrail limits and the SES and mailbox-provider lines', () => {
    expect(lines(titled('Hard-bounce rate by journey (%, rolling window)'))).toEqual([
      ['journey pause', 4],
      ['account brake', 4.5],
      ['SES review', 5],
    ]);
    expect(lines(titled('Complaint rate by journey (%, rolling window)'))).toEqual([
      ['journey pause', 0.08],
      ['account brake', 0.09],
      ['SES review', 0.1],
      ['Gmail/Yahoo', 0.3],
    ]);
    expect(expressions(titled('Guardrail state (1 = paused)'))).toEqual([
      `SEARCH('{LoyaltyFlows,Journey,service} MetricName="GuardrailPaused"', 'Maximum', 60)`,
      `SEARCH('{LoyaltyFlows,Scope,service} MetricName="GuardrailPaused"', 'Maximum', 60)`,
    ]);
    expect(titled('SES account reputation (%)').properties.metrics).toHaveLength(4); // two expressions, two inputs
  });

  it('shows every dead-letter queue, the timer lag, and errors, throttles and duration of every function', () => {
    const deadLetters = new Set(Object.values(stack.functions).map((f) => f.deadLetters.node.path));
    for (const work of Object.values(stack.queues)) deadLetters.add(work.deadLetters.node.path);
    expect(titled('Dead-letter queue depths').properties.metrics).toHaveLength(deadLetters.size);
    expect(JSON.stringify(titled('Timer lag (s)').properties.metrics)).toContain('SchedulerLagSeconds');
    const count = Object.keys(stack.functions).length;
    for (const [title, metric] of [
      ['Lambda errors', 'Errors'],
      ['Lambda throttles', 'Throttles'],
      ['Lambda duration p95 (ms)', 'Duration'],
    ] as const) {
      const metrics = titled(title).properties.metrics ?? [];
      expect(metrics).toHaveLength(count);
      expect(metrics.every((m) => m[0] === 'AWS/Lambda' && m[1] === metric)).toBe(true);
    }
  });

  it('alarms the topic the minute a guardrail pauses a journey or all marketing', () => {
    const tripped = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'GuardrailTripped' } }),
    );
    expect(tripped).toHaveLength(1);
    expect(tripped[0]!.Properties).toMatchObject({
      Namespace: 'LoyaltyFlows',
      Dimensions: [{ Name: 'service', Value: 'ses-feedback' }],
      Period: 60,
      Statistic: 'Sum',
      Threshold: 0,
      AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }],
    });
  });
});

describe('cfn-lint', () => {
  /** Warnings this template has on purpose, each with why; any other finding fails the suite. */
  const acknowledged: Record<string, string> = {
    W3005:
      "CDK makes each function DependsOn its role's policy and role so the grants exist before the first invocation; " +
      'the role half is also implied by GetAtt, which is harmless redundancy cfn-lint reports.',
    W3045:
      'CloudFront standard logging delivers with the log-delivery ACL, so the console access-log bucket keeps ' +
      'AccessControl: LogDeliveryWrite (as CDK sets it); every other bucket uses policies only.',
  };

  it('finds no error in the synthesised template, and only acknowledged warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    // Exit status is a bit mask of the levels found; the JSON report is what is checked.
    const run = spawnSync('cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8' });
    if (run.error) throw new Error(`cfn-lint could not run (.ci/run installs it): ${run.error.message}`);
    const findings = z
      .array(z.object({ Level: z.string(), Rule: z.object({ Id: z.string() }), Message: z.string() }))
      .parse(JSON.parse(run.stdout));
    const unexplained = findings.filter((f) => f.Level !== 'Warning' || !(f.Rule.Id in acknowledged));
    expect(unexplained.map((f) => `${f.Level} ${f.Rule.Id}: ${f.Message}`)).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning on the stack', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no CDK warning or error annotation either (cdk-nag 3 reports through Validations, not these)', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('fails synthesis when a finding is not acknowledged', () => {
    const bad = new App();
    new Queue(new Stack(bad, 'Unencrypted'), 'Queue');
    Validations.of(bad).addPlugins(new AwsSolutionsChecks(bad));
    expect(() => bad.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('marketer console', () => {
  it('authorizes every API request with a Cognito JWT from the console client; the function has no public URL', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    expect(Object.values(routes).map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType])).toEqual([
      ['POST /console/api', 'JWT'],
    ]);
    const consoleFn = logicalId(functionOf('console-api').fn);
    const urls = template.findResources('AWS::Lambda::Url');
    expect(Object.values(urls).map((u) => u.Properties.TargetFunctionArn)).not.toContainEqual({ 'Fn::GetAtt': [consoleFn, 'Arn'] });
  });

  it('admits only invited users with MFA, and serves the app from a private bucket with a CSP', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
    const [headers] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const csp = JSON.stringify(headers?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'; script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const origins = template.findResources('AWS::CloudFront::OriginAccessControl');
    expect(Object.keys(origins)).toHaveLength(1);
  });

  describe('as docs/console.md describes it', () => {
    const marketerConsole = () => {
      if (!stack.console) throw new Error('the stack has no marketer console');
      return stack.console;
    };
    const distributionDomain = () => ({ 'Fn::GetAtt': [logicalId(marketerConsole().distribution), 'DomainName'] });

    it('accepts only JWTs the user pool issued to the console client, on every route, throttled at 20/s (burst 40)', () => {
      const [authorizerId, authorizer] = Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0] ?? [];
      expect(authorizer?.Properties.JwtConfiguration).toEqual({
        Audience: [{ Ref: logicalId(marketerConsole().client) }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: logicalId(marketerConsole().users) }]] },
      });
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes)
        expect([route.Properties.RouteKey, route.Properties.AuthorizationType, route.Properties.AuthorizerId]).toEqual([route.Properties.RouteKey, 'JWT', { Ref: authorizerId }]);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.objectLike({ AllowMethods: ['POST'], AllowOrigins: [{ 'Fn::Join': ['', ['https://', distributionDomain()]] }] }),
      });
    });

    it('signs marketers in with email, a 12-character password, an authenticator app and threat protection, code flow with PKCE and 1-hour tokens', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UsernameAttributes: ['email'],
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12 }) },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes', IdToken: 'minutes' }),
        CallbackURLs: [{ 'Fn::Join': ['', ['https://', distributionDomain(), '/']] }],
      });
    });

    it('serves the app over HTTPS from a private, encrypted bucket that only this distribution may read, with the documented headers', () => {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          DefaultRootObject: 'index.html',
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] }),
          Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
          Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
        }),
      });
      const [bucketId, bucket] = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('MarketerConsoleAssets')) ?? [];
      expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
      const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }));
      const statements = policy?.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[]; Principal: unknown; Condition?: unknown }[];
      expect(statements.find((st) => st.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
      const reads = statements.filter((st) => st.Effect === 'Allow' && st.Action === 's3:GetObject');
      expect(reads).toHaveLength(1);
      expect(reads[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(JSON.stringify(reads[0]?.Condition)).toContain(logicalId(marketerConsole().distribution));
      const [headers] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
      const security = headers?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      expect(security.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true });
      expect(security.ContentTypeOptions).toEqual({ Override: true });
      expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
      expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
      const csp = JSON.stringify(security.ContentSecurityPolicy);
      expect(csp).toContain("connect-src 'self' https://*.execute-api.");
      expect(csp).toContain('.amazoncognito.com');
    });
  });
});
