// The artifact Lambda runs, not the TypeScript: the esbuild bundle the stack builds for
// ingest-customers (ESM, minified, SDK bundled, the program as JSON, no campaigns/) is imported
// and invoked like Lambda would, against dynalite; the sender's asset carries no campaigns/ either
// (it renders from the journey catalogue). Every function's bundle is built with the same options
// to pin what it carries.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployConfigFrom } from '#infra/aws/config.ts';
import { build } from 'esbuild';
import {
  esbuildOptionsOf,
  functionBundling,
  LAMBDA_PROGRAM_JSON,
  RUNTIME_PROVIDED_MODULES,
} from '#infra/aws/constructs/bundling.ts';
import { LoyaltyFlowsStack } from '#infra/aws/stack.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import { startDynamoWithTable } from '#infra/local/engines.ts';
import { ENV, functions, queues } from '#infra/wiring.ts';
import { PROGRAM_JSON_ENV, parseProgramJson } from '#shared/config/deployed-program.ts';
import { loadProgram } from '#shared/config/program-file.ts';

const TABLE = 'bundle-smoke';
const CHECKOUT_CAMPAIGNS = path.resolve(import.meta.dirname, '../../campaigns');

let bundleDir: string;
let dynamo: Awaited<ReturnType<typeof startDynamoWithTable>>;
let bus: Server;
/** What the bundle published (PutEvents entries), as EventBridge would have received them. */
const published: { DetailType?: string; Detail?: string }[] = [];

/** Synthesises a stack of one function alone; returns its asset folder and its environment. */
function bundleOf(name: 'ingest-customers' | 'ingest-orders' | 'sender', context: Record<string, string>) {
  const app = new App({ context: { stage: 'bundle', ...context } });
  const stack = new LoyaltyFlowsStack(app, 'Bundle', {
    config: deployConfigFrom(app.node),
    wiring: { functions: { [name]: functions[name] }, queues },
  });
  const fn = stack.functions[name]?.fn;
  const code = fn?.node.tryFindChild('Code');
  if (!(code instanceof Asset)) throw new Error(`${name} has no bundled code asset`);
  const environment = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const variables = Object.values(environment).map(
    (resource) =>
      (resource as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
        .Environment.Variables,
  );
  return { dir: path.join(app.outdir, code.assetPath), variables: variables[0] ?? {} };
}

beforeAll(async () => {
  bundleDir = bundleOf('ingest-customers', {}).dir;

  dynamo = await startDynamoWithTable(TABLE);
  // A stand-in for EventBridge PutEvents (JSON protocol): records entries, accepts them all.
  bus = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entries = (JSON.parse(body) as { Entries: { DetailType?: string; Detail?: string }[] }).Entries;
      published.push(...entries);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) }),
      );
    });
  });
  await new Promise<void>((resolve) => bus.listen(0, '127.0.0.1', () => resolve()));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(bus.address() as AddressInfo).port}`,
    [ENV.tableName]: TABLE,
    [ENV.eventBusName]: 'marketing',
    [ENV.deadLetterQueueUrl]: 'http://127.0.0.1:9/unused-dead-letters',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.engine.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
});

afterAll(async () => {
  await dynamo?.engine.close();
  await new Promise((resolve) => bus?.close(resolve));
});

describe('the ingest-customers Lambda bundle', () => {
  it('is one ESM file and the program as JSON, no source map unless asked for, and no campaigns/ (it renders nothing)', () => {
    expect(readdirSync(bundleDir).sort()).toEqual(['index.mjs', 'program.json']);
    expect(bundleOf('ingest-customers', {}).variables[ENV.campaignsDir]).toBeUndefined();
  });

  it('ships its source map and runs with --enable-source-maps under -c sourceMaps=true', () => {
    const withMaps = bundleOf('ingest-customers', { sourceMaps: 'true' });
    expect(readdirSync(withMaps.dir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'program.json']);
    expect(withMaps.variables.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(bundleOf('ingest-customers', {}).variables.NODE_OPTIONS).toBeUndefined();
  });

  it('is, for the sender too, the code and the program alone: it renders from the journey catalogue, not a campaigns/ copy', () => {
    const sender = bundleOf('sender', {});
    expect(readdirSync(sender.dir).sort()).toEqual(['index.mjs', 'program.json']);
    expect(sender.variables[ENV.campaignsDir]).toBeUndefined();
  });

  it("ships the checkout's program.yaml as the JSON its environment names, validated at synth", () => {
    const { dir, variables } = bundleOf('ingest-customers', {});
    expect(variables[PROGRAM_JSON_ENV]).toBe(LAMBDA_PROGRAM_JSON);
    const shipped = parseProgramJson(readFileSync(path.join(dir, 'program.json'), 'utf8'), 'program.json');
    expect(shipped).toEqual(loadProgram({ CAMPAIGNS_DIR: CHECKOUT_CAMPAIGNS }));
  });

  it('writes the program JSON byte for byte, whatever the shell would read in it', () => {
    const json = JSON.stringify({ brand: { shopName: `Ada's "Shop" $HOME \`date\` \\ %s 店` } });
    const outputDir = mkdtempSync(path.join(tmpdir(), 'bundle-program-'));
    const hooks = functionBundling({ sourceMaps: false, programJson: json }).commandHooks;
    const write = hooks?.afterBundling('/unused', outputDir).find((command) => command.includes('program.json'));
    if (!write) throw new Error('no bundling command writes program.json');
    execFileSync('bash', ['-c', write]);
    expect(readFileSync(path.join(outputDir, 'program.json'), 'utf8')).toBe(json);
  });

  it('imports nothing from outside itself but Node built-ins and the runtime-provided credential fallbacks', () => {
    const code = readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
    const specifiers = [...code.matchAll(/import\("([^"]+)"\)|import[\w\s{},$*]*from\s*"([^"]+)"/g)].map(
      (match) => match[1] ?? match[2] ?? '',
    );
    const outside = new Set(specifiers.filter((specifier) => !specifier.startsWith('node:')));
    expect([...outside].sort()).toEqual([...RUNTIME_PROVIDED_MODULES].sort());
  });

  it('handles a Customer Upserted delivery from SQS: profile stored, then announced', async () => {
    const { handler } = await import(pathToFileURL(path.join(bundleDir, 'index.mjs')).href);
    const event = sqsDelivery('shop.customers', 'Customer Upserted', {
      customerId: 'c-bundle',
      email: 'ada@example.com',
      birthday: '1990-03-14',
      timeZone: 'Asia/Shanghai',
      marketingConsent: true,
    });

    const response: SQSBatchResponse = await handler(event, lambdaContext('ingest-customers'));

    expect(response.batchItemFailures).toEqual([]);
    const profile = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#c-bundle' }, SK: { S: 'PROFILE' } } }),
    );
    expect(profile.Item?.email?.S).toBe('ada@example.com');
    expect(published.map((entry) => [entry.DetailType, JSON.parse(entry.Detail ?? '{}').customerId])).toEqual(
      [['Customer Profile Updated', 'c-bundle']],
    );
  });
});

describe('the ingest-orders Lambda bundle', () => {
  it('reads the program from the program.json beside it: the shipped ladder makes a 500.00 order Silver', async () => {
    const orders = bundleOf('ingest-orders', {});
    // /var/task/program.json in Lambda; here the same file in the synthesised asset.
    process.env[PROGRAM_JSON_ENV] = path.join(orders.dir, 'program.json');
    const { handler } = await import(pathToFileURL(path.join(orders.dir, 'index.mjs')).href);
    const event = sqsDelivery('shop.orders', 'Purchase Completed', {
      orderId: 'o-bundle',
      customerId: 'c-bundle',
      amount: '500.00',
      currency: 'USD',
      purchasedAt: '2026-11-23T09:00:00Z',
    });

    const response: SQSBatchResponse = await handler(event, lambdaContext('ingest-orders'));

    expect(response.batchItemFailures).toEqual([]);
    const tierChanged = published
      .filter((entry) => entry.DetailType === 'Tier Changed')
      .map((entry) => JSON.parse(entry.Detail ?? '{}'));
    expect(tierChanged).toMatchObject([
      { customerId: 'c-bundle', from: 'Bronze', to: 'Silver', nextTier: 'Gold', spendToNextTierMilli: 1_500_000 },
    ]);
  });
});

describe('what each function bundle carries (esbuild metafile, the options cdk synth uses)', () => {
  /** Each function's bundle: its size and the packages it carries, built once for the file. */
  const carried = new Map<string, { bytes: number; packages: Set<string> }>();
  beforeAll(async () => {
    const options = esbuildOptionsOf(functionBundling({ sourceMaps: false, programJson: '{}' }));
    for (const [name, wiring] of Object.entries(functions)) {
      const result = await build({
        ...options,
        entryPoints: [path.resolve(import.meta.dirname, '../../functions', wiring.folder, 'handler.ts')],
        write: false,
        outfile: 'index.mjs',
        metafile: true,
      });
      const output = Object.values(result.metafile.outputs)[0];
      if (!output) throw new Error(`${name}: esbuild wrote nothing`);
      const packages = Object.keys(output.inputs).flatMap(
        (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? [],
      );
      carried.set(name, { bytes: output.bytes, packages: new Set(packages) });
    }
  }, 120_000);

  // These read the program (deployed-program.ts) and nothing else YAML: the JSON keeps `yaml` out.
  it.each(['ingest-orders', 'journeys', 'scheduler', 'ses-feedback', 'segment-thresholds', 'sender'])(
    '%s carries no YAML parser',
    (name) => {
      expect(carried.get(name)?.packages.has('yaml')).toBe(false);
    },
  );

  it('keeps every function but the sender and console-api within 500 KB of code', () => {
    const over = [...carried].filter(([, bundle]) => bundle.bytes > 500 * 1024).map(([name]) => name);
    expect(over.sort()).toEqual(['console-api', 'sender']);
  });
});

/** One EventBridge event as its SQS queue delivers it to a function. */
function sqsDelivery(source: string, detailType: string, detail: Record<string, unknown>): SQSEvent {
  const envelope = {
    version: '0',
    id: `evt-${detailType}`,
    source,
    'detail-type': detailType,
    account: '123456789012',
    region: LOCAL_REGION,
    time: '2026-11-23T09:00:00Z',
    resources: [],
    detail,
  };
  return {
    Records: [
      {
        messageId: `m-${detailType}`,
        receiptHandle: 'r-1',
        body: JSON.stringify(envelope),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'events',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:events',
        awsRegion: LOCAL_REGION,
      },
    ],
  };
}

function lambdaContext(functionName: string): Partial<Context> {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${functionName}`,
    getRemainingTimeInMillis: () => 30_000,
  };
}
