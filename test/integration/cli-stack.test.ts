// `--stack <name>`: the CLI reads the table and bus names from the CloudFormation stack outputs
// with the user's AWS credentials. A stand-in CloudFormation (and EventBridge) endpoint and
// dynalite play AWS here (AWS_ENDPOINT_URL_<SERVICE> is the SDK's standard endpoint override).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoWithTable } from '#infra/local/engines.ts';
import { loyalty } from './cli-support.ts';

let cloudFormation: Server;
let dynamo: Awaited<ReturnType<typeof startDynamoWithTable>>;
const requested: string[] = [];
/** What the CLI put on the stack's bus: [bus, detail-type, detail]. */
const busEvents: [string, string, Record<string, unknown>][] = [];

const describeStacks = (
  name: string,
) => `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
<DescribeStacksResult><Stacks><member><StackName>${name}</StackName><StackStatus>CREATE_COMPLETE</StackStatus>
<CreationTime>2026-11-01T00:00:00Z</CreationTime><Outputs>
<member><OutputKey>TableName</OutputKey><OutputValue>prod-customer-store</OutputValue></member>
<member><OutputKey>EventBusName</OutputKey><OutputValue>prod-marketing</OutputValue></member>
</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`;

beforeAll(async () => {
  dynamo = await startDynamoWithTable('prod-customer-store');
  cloudFormation = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (String(request.headers['x-amz-target']) === 'AWSEvents.PutEvents') {
        const { Entries } = JSON.parse(body) as { Entries: { EventBusName: string; DetailType: string; Detail: string }[] };
        for (const entry of Entries) busEvents.push([entry.EventBusName, entry.DetailType, JSON.parse(entry.Detail)]);
        response
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `e-${i}` })) }));
        return;
      }
      const name = new URLSearchParams(body).get('StackName') ?? '';
      requested.push(name);
      if (name === 'LoyaltyFlows-prod') {
        response.writeHead(200, { 'content-type': 'text/xml' }).end(describeStacks(name));
      } else {
        response
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
          );
      }
    });
  });
  await new Promise<void>((resolve) => cloudFormation.listen(0, '127.0.0.1', resolve));
  const address = cloudFormation.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${port}`,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${port}`,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.engine.endpoint,
  });
}, 60_000);
afterAll(async () => {
  cloudFormation?.close();
  await dynamo?.engine.close();
});

describe('loyalty --stack', () => {
  it('publishes to and lists from the table named by the stack outputs', async () => {
    const publish = await loyalty(undefined, [
      '--stack',
      'LoyaltyFlows-prod',
      '--json',
      'campaigns',
      'publish',
      'campaigns/birthday.yaml',
    ]);
    expect(publish.stderr).toBe('');
    // A new date-trigger journey is armed for the stack's stored customers (none here), and the
    // stack's journey-arming function is asked for its delayed pass on the stack's bus.
    expect(publish.json()).toEqual([
      { id: 'birthday', kind: 'published', version: 1, previous: 0, armed: { customers: 0, secondPassAfterSeconds: 35 } },
    ]);
    expect(busEvents).toEqual([
      ['prod-marketing', 'Journey Arming Requested', expect.objectContaining({ journeyId: 'birthday', version: 1 })],
    ]);
    const list = await loyalty(undefined, ['--stack', 'LoyaltyFlows-prod', '--json', 'campaigns', 'list']);
    expect(list.json<{ id: string }[]>().map((c) => c.id)).toEqual(['birthday']);
    expect(requested).toContain('LoyaltyFlows-prod');
  });

  it('exits 3 for a stack that does not exist', async () => {
    const run = await loyalty(undefined, ['--stack', 'LoyaltyFlows-nope', 'campaigns', 'list']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('stack LoyaltyFlows-nope not found');
  });
});
