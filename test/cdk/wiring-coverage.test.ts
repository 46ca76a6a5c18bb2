// The stack built from a wiring that uses every trigger type and every access flag — the shapes
// the sender, scheduler and unsubscribe functions will take — so each path of the generator is
// checked (and cdk-nag clean) before the real functions exist. Synthesised once for the file.
import { App, CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfigFrom } from '#infra/aws/config.ts';
import { defineLoyaltyFlows } from '#infra/aws/loyalty-flows.ts';
import { LoyaltyFlowsStack } from '#infra/aws/stack.ts';
import { ENV, type FunctionWiring, functions, queues } from '#infra/wiring.ts';
import { EMAIL_HISTORY_ENV } from '#shared/domain/email-history.ts';

const extraFunctions = {
  'event-consumer': {
    folder: 'ingest-customers',
    description: 'events -> queue -> function',
    trigger: {
      type: 'events',
      queue: 'customer-events',
      patterns: [{ source: 'shop.customers', detailType: ['Customer Upserted'] }],
    },
    access: { table: 'readWrite' },
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  sender: {
    folder: 'ingest-customers',
    description: 'send requests -> SES',
    trigger: { type: 'queue', queue: 'send-requests' },
    access: { table: 'readWrite', sendEmail: true, publishEvents: true },
    timeoutSeconds: 60,
    memoryMb: 512,
    maxConcurrency: 4,
  },
  scheduler: {
    folder: 'ingest-customers',
    description: 'due timers -> send requests',
    trigger: { type: 'schedule', everyMinutes: 5 },
    access: { table: 'read', dueIndexOnly: true, sendsTo: ['send-requests'] },
    timeoutSeconds: 60,
    memoryMb: 512,
    maxConcurrency: 1,
  },
  'weekly-analytics': {
    folder: 'ingest-customers',
    description: 'weekly parallel scan',
    trigger: { type: 'schedule', everyMinutes: 10080 },
    access: { table: 'read', scanTable: true },
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  'mail-feedback': {
    folder: 'ingest-customers',
    description: 'SES events on the default bus',
    trigger: {
      type: 'events',
      queue: 'ses-events',
      patterns: [
        { bus: 'default', source: 'aws.ses', detailType: ['Email Bounced'], ownConfigurationSet: true },
      ],
    },
    access: { table: 'readWrite' },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  unsubscribe: {
    folder: 'ingest-customers',
    description: 'one-click unsubscribe',
    trigger: { type: 'url', path: '/unsubscribe' },
    access: { table: 'readWrite', unsubscribeSecret: true, emailHistory: true },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
} satisfies Record<string, FunctionWiring>;

function buildStack(context: Record<string, unknown>, wiredFunctions: Record<string, FunctionWiring>) {
  const app = new App({ context });
  const config = deployConfigFrom(app.node);
  const stack = new LoyaltyFlowsStack(app, 'Coverage', {
    config,
    wiring: { functions: wiredFunctions, queues },
  });
  return { app, stack };
}

/** No esbuild run: for the tests that only check the generator refuses a bad wiring. */
const noBundling = { 'aws:cdk:bundling-stacks': [] };

let app: App;
let stack: LoyaltyFlowsStack;
let template: Template;

beforeAll(() => {
  ({ app, stack } = buildStack(
    {
      deletionProtection: 'false',
      busName: 'marketing-test',
      senderAddress: 'news@shop.example',
      senderName: 'Shop Rewards',
      maxSendRate: '300',
      unsubscribeMailto: 'unsubscribe@shop.example',
      tracing: 'false',
    },
    // Only synthetic functions: real ones may consume the same queues (a queue has one consumer).
    extraFunctions,
  ));
  template = Template.fromStack(stack);
});

const logicalId = (construct: IConstruct): string => {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(child);
};
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const functionOf = (name: keyof typeof extraFunctions) => {
  const wired = stack.functions[name];
  if (!wired) throw new Error(`no function ${name}`);
  return wired;
};
const unsubscribeUrl = () => {
  const triggered = functionOf('unsubscribe').triggered;
  if (triggered.type !== 'url') throw new Error('unsubscribe is not served by a URL');
  return triggered.url;
};
const envOf = (name: keyof typeof extraFunctions) =>
  template.toJSON().Resources[logicalId(functionOf(name).fn)].Properties.Environment.Variables;
const statementsOf = (name: keyof typeof extraFunctions) => {
  const role = functionOf(name).fn.role;
  if (!role) throw new Error(`no role for ${name}`);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: logicalId(role) }] },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
};

describe('deploy context', () => {
  it('names the bus from busName and leaves an unprotected table deletable', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'marketing-test' });
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
  });

  it('warns at synth when no sender address is given, since SES would refuse the placeholder', () => {
    const bare = defineLoyaltyFlows(new App({ context: noBundling }));
    Annotations.fromStack(bare).hasWarning('*', Match.stringLikeRegexp('no -c senderAddress'));
  });

  it('gives the sender a valid From header for any display name: quoted with a comma, RFC 2047-encoded in Chinese', () => {
    const senderFrom = (senderName: string) => {
      const { stack } = buildStack(
        { ...noBundling, senderAddress: 'news@shop.example', senderName },
        extraFunctions,
      );
      const sender = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { [ENV.senderAddress]: Match.anyValue() } } },
      });
      return Object.values(sender).map((fn) => fn.Properties.Environment.Variables[ENV.senderAddress])[0];
    };
    expect(senderFrom('Shop, Inc.')).toBe('"Shop, Inc." <news@shop.example>');
    expect(senderFrom('会员中心')).toBe('=?UTF-8?B?5Lya5ZGY5Lit5b+D?= <news@shop.example>');
  });

  it('rejects a sender name with a line break or other control character at synth', () => {
    const app = new App({ context: { senderAddress: 'news@shop.example', senderName: 'Shop\r\nBcc: x@y' } });
    expect(() => deployConfigFrom(app.node)).toThrow(/-c senderName=.*no control characters/);
  });

  it('rejects at synth an unsubscribe mailto too long to fit List-Unsubscribe beside the longest token', () => {
    // About 210 characters are left beside the longest token: this one is 225.
    const mailto = `${'u'.repeat(64)}@${'m'.repeat(60)}.${'n'.repeat(60)}.${'o'.repeat(30)}.example`;
    const app = new App({ context: { unsubscribeMailto: mailto } });
    expect(() => deployConfigFrom(app.node)).toThrow(
      /-c unsubscribeMailto=.*would pass SES's 870 characters/,
    );
    const fits = new App({ context: { unsubscribeMailto: 'unsubscribe@mail.example.com' } });
    expect(deployConfigFrom(fits.node).unsubscribeMailto).toBe('unsubscribe@mail.example.com');
  });

  it('rejects a malformed context value naming the key and the value', () => {
    const app = new App({ context: { senderAddress: 'not-an-address', deletionProtection: 'maybe' } });
    expect(() => deployConfigFrom(app.node)).toThrow(/-c senderAddress="not-an-address"/);
    expect(() => deployConfigFrom(app.node)).toThrow(/-c deletionProtection="maybe"/);
  });
});

describe('email history retention', () => {
  it('tells -c emailHistoryDays to exactly the functions that write the per-email history', () => {
    const { stack } = buildStack({ ...noBundling, emailHistoryDays: '500' }, functions);
    const resources = Template.fromStack(stack).toJSON().Resources;
    const told = Object.entries(stack.functions)
      .filter(([, wired]) => {
        const child = wired.fn.node.defaultChild;
        if (!(child instanceof CfnElement)) throw new Error('no function resource');
        const variables = resources[stack.getLogicalId(child)].Properties.Environment.Variables;
        if (EMAIL_HISTORY_ENV in variables) expect(variables[EMAIL_HISTORY_ENV]).toBe('500');
        return EMAIL_HISTORY_ENV in variables;
      })
      .map(([name]) => name)
      .sort();
    // The sender (ledger, send outcomes), the journey engine's two hosts (outcomes, holdouts,
    // coupons), the unsubscribe link (its count marker) and SES feedback (the markers of opens and
    // clicks, which a reader can repeat any time).
    expect(told).toEqual(['journeys', 'scheduler', 'sender', 'ses-feedback', 'unsubscribe']);
  });

  it('deploys 400 days unless told, and rejects fewer than the report looks back over, naming key and value', () => {
    expect(deployConfigFrom(new App().node).emailHistoryDays).toBe(400);
    const app = new App({ context: { emailHistoryDays: '100' } });
    expect(() => deployConfigFrom(app.node)).toThrow(/-c emailHistoryDays="100": must be at least 124 days: the weekly report's/);
  });
});

describe('scheduled functions', () => {
  it('run from EventBridge Scheduler at the wiring rate with the scheduled time, retries and a DLQ', () => {
    const scheduler = functionOf('scheduler');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: arnOf(scheduler.fn),
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: arnOf(scheduler.deadLetters) },
      }),
    });
    expect(template.toJSON().Resources[logicalId(scheduler.fn)].Properties.ReservedConcurrentExecutions).toBe(
      1,
    );
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(scheduler.fn) },
      DestinationConfig: { OnFailure: { Destination: arnOf(scheduler.deadLetters) } },
    });
  });

  it('with dueIndexOnly may only Query the due index, and may enqueue send requests', () => {
    const dynamo = statementsOf('scheduler').filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(dynamo).toEqual([
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [arnOf(stack.store.table), '/index/due']] },
      },
    ]);
    expect(statementsOf('scheduler')).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: arnOf(stack.queues['send-requests'].queue),
      }),
    );
    expect(envOf('scheduler')).toMatchObject({
      QUEUE_URL_SEND_REQUESTS: { Ref: logicalId(stack.queues['send-requests'].queue) },
    });
  });
});

describe('table scans', () => {
  it('are granted on the table (not its indexes) only to functions with scanTable', () => {
    const scans = (name: keyof typeof extraFunctions) =>
      statementsOf(name).filter((s) => JSON.stringify(s.Action).includes('dynamodb:Scan'));
    expect(scans('weekly-analytics')).toEqual([
      { Action: 'dynamodb:Scan', Effect: 'Allow', Resource: arnOf(stack.store.table) },
    ]);
    for (const name of Object.keys(extraFunctions) as (keyof typeof extraFunctions)[]) {
      if (name !== 'weekly-analytics') expect(scans(name)).toEqual([]);
    }
  });
});

describe('sending email', () => {
  it('may send only from the SES identity through the configuration set, and knows both', () => {
    const ses = statementsOf('sender').filter((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(ses).toHaveLength(1);
    expect(ses[0].Action).toBe('ses:SendEmail');
    const resources = JSON.stringify(ses[0].Resource);
    expect(resources).toContain(':identity/shop.example');
    expect(resources).toContain(':configuration-set/');
    expect(ses[0].Resource).toHaveLength(2);
    expect(envOf('sender')).toMatchObject({
      [ENV.senderAddress]: 'Shop Rewards <news@shop.example>',
      MAX_SEND_RATE: '300',
      UNSUBSCRIBE_MAILTO: 'unsubscribe@shop.example',
      [ENV.sesConfigurationSet]: { Ref: logicalId(stack.mail.configurationSet) },
      FUNCTION_URL_UNSUBSCRIBE: { 'Fn::GetAtt': [logicalId(unsubscribeUrl()), 'FunctionUrl'] },
    });
  });

  it('consumes its queue with as many senders as the SES quota needs: the wiring cap, raised for a quota above it', () => {
    // 300 emails a second: one sender per 50 (mail-delivery.ts), over the wiring's 4.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.queues['send-requests'].queue),
      ScalingConfig: { MaximumConcurrency: 6 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('mail feedback', () => {
  it("publishes the configuration set's SES events to the default bus", () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalId(stack.mail.configurationSet) },
      EventDestination: Match.objectLike({
        Enabled: true,
        EventBridgeDestination: {
          EventBusArn: { 'Fn::Join': ['', Match.arrayWith([':event-bus/default'])] },
        },
      }),
    });
  });

  it("routes only this configuration set's SES events from the default bus into the feedback queue", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': ['Email Bounced'],
        detail: {
          mail: { tags: { 'ses:configuration-set': [{ Ref: logicalId(stack.mail.configurationSet) }] } },
        },
      },
      Targets: [Match.objectLike({ Arn: arnOf(stack.queues['ses-events'].queue) })],
    });
  });

  it('alarms on SES bounce rate above 2% and complaint rate above 0.08%', () => {
    for (const [metric, threshold] of [
      ['Reputation.BounceRate', 0.02],
      ['Reputation.ComplaintRate', 0.0008],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metric,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });
});

describe('the timer scheduler', () => {
  it('alarms when it falls two hours behind the due index or stops reporting', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'LoyaltyFlows',
      MetricName: 'SchedulerLagSeconds',
      Dimensions: [{ Name: 'Service', Value: 'scheduler' }],
      Threshold: 7200,
      TreatMissingData: 'breaching',
    });
  });
});

describe('public endpoints', () => {
  it('serve through an unauthenticated Function URL and may read only the unsubscribe signing key', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: arnOf(functionOf('unsubscribe').fn),
    });
    const secrets = statementsOf('unsubscribe').filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:'),
    );
    const signingKey = { Ref: logicalId(stack.mail.unsubscribeSigningKey()) };
    expect(secrets).toEqual([expect.objectContaining({ Resource: signingKey })]);
    expect(envOf('unsubscribe')[ENV.unsubscribeSecretArn]).toEqual(secrets[0].Resource);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
  });

  it('alarm on their own dead-letter queues too', () => {
    for (const name of ['scheduler', 'unsubscribe'] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(functionOf(name).deadLetters), 'QueueName'] },
          },
        ],
      });
    }
  });
});

describe('the generator', () => {
  it('leaves every trigger type and access flag cdk-nag clean', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });

  it("derives a queue's visibility timeout from its consumer's timeout, so a slower consumer cannot outlive it", () => {
    const slow = { ...extraFunctions.sender, timeoutSeconds: 900 };
    const built = Template.fromStack(buildStack(noBundling, { sender: slow }).stack);
    // Six times 900 s, plus the send queue's 10 s batching window.
    built.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 5410 });
  });

  it('refuses two consumers of one queue', () => {
    const twice = { sender: extraFunctions.sender, 'sender-again': extraFunctions.sender };
    expect(() => buildStack(noBundling, twice)).toThrow(
      /send-requests is consumed by both sender and sender-again/,
    );
  });
});
