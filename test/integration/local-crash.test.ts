// With a data dir, the local runtime keeps what it acknowledged: `npm start` in a child process
// takes a stream of purchases, is SIGKILLed in the middle of it, and started again on the same
// folder; every purchase it answered 200 for is then recorded, once, and no send is left pending.
// The same child process shows what a jump prints in `npm start`'s terminal.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { localDynamoClient } from '#infra/local/engines.ts';
import { REPO_ROOT } from '#infra/local/runtime.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';

const START = '2026-11-02T02:00:00Z';
const CUSTOMERS = 20;
const PURCHASES = 400;
/** SIGKILL once this many purchases were acknowledged (the rest are still being sent). */
const KILL_AFTER = 200;

const dataDir = mkdtempSync(path.join(tmpdir(), 'local-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  /** What the runtime printed so far (stdout and stderr). */
  output: () => string;
  aws: string;
  dynamo: string;
}

/** `npm start -- --empty --now <at>` on the test's data dir and free ports, one Node process. */
async function startRuntime(at: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--empty', '--now', at], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOCAL_DATA_DIR: dataDir,
      LOCAL_AWS_PORT: '0',
      LOCAL_DYNAMODB_PORT: '0',
      LOCAL_SES_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return await new Promise<Started>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const aws = /EventBridge \+ SQS\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const dynamo = /DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (aws && dynamo) resolve({ child, aws, dynamo, output: () => output });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) =>
      reject(new Error(`the runtime exited (${code}) before it was ready:\n${output}`)),
    );
  });
}

const putEvents = (aws: string, events: ReturnType<typeof purchaseEvent>[]) =>
  fetch(`${aws}/`, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({
      Entries: events.map((event) => ({
        EventBusName: 'marketing',
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      })),
    }),
  });

const customerId = (i: number) => `crash-${i % CUSTOMERS}`;
const order = (i: number) =>
  purchaseEvent({
    orderId: `crash-order-${i}`,
    customerId: customerId(i),
    amount: `${40 + (i % 7) * 15}.00`,
    purchasedAt: new Date(Date.parse('2026-10-01T00:00:00Z') + i * 60_000).toISOString(),
  });

describe('local runtime with a data dir', () => {
  it('processes every acknowledged purchase once after a SIGKILL mid-stream, and leaves no send pending', async () => {
    const first = await startRuntime(START);
    const customers = Array.from({ length: CUSTOMERS }, (_, i) =>
      customerEvent({
        customerId: customerId(i),
        email: `crash-${i}@example.com`,
        timeZone: 'Asia/Shanghai',
      }),
    );
    for (let i = 0; i < customers.length; i += 10) {
      expect((await putEvents(first.aws, customers.slice(i, i + 10))).status).toBe(200);
    }

    // Four senders put one purchase per request, as fast as the runtime answers; the kill lands
    // while some requests are in flight and the queues hold acknowledged, unprocessed work.
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (!killed && next < PURCHASES) {
        const event = order(next++);
        const response = await putEvents(first.aws, [event]).catch(() => undefined);
        if (response?.status !== 200) continue;
        const answer = (await response.json().catch(() => undefined)) as
          { FailedEntryCount?: number } | undefined;
        if (answer?.FailedEntryCount === 0) acknowledged.add((event.detail as { orderId: string }).orderId);
        if (acknowledged.size >= KILL_AFTER && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    await Promise.all([sender(), sender(), sender(), sender()]);
    await exited;
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);

    // Started again an hour later on the same folder: what was queued is delivered now.
    const second = await startRuntime('2026-11-02T03:00:00Z');
    expect((await fetch(`${second.aws}/_local/drain`, { method: 'POST' })).status).toBe(200);
    // Past every ledger lease (10 minutes), so a send claimed just before the kill is retried.
    await fetch(`${second.aws}/_local/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceTo: '2026-11-02T04:00:00Z' }),
    });

    const doc = DynamoDBDocumentClient.from(localDynamoClient(second.dynamo));
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({ TableName: 'loyalty-flows', ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);

    const recorded = items.filter((item) => String(item.SK).startsWith('PURCHASE#'));
    const recordedIds = recorded.map((item) => String(item.SK).slice('PURCHASE#'.length));
    const lost = [...acknowledged].filter((id) => !recordedIds.includes(id));
    expect(lost).toEqual([]);
    // Once: each customer's aggregates count each recorded order once.
    for (let c = 0; c < CUSTOMERS; c++) {
      const pk = `CUSTOMER#${customerId(c)}`;
      const orders = recorded.filter((item) => item.PK === pk);
      const spend = orders.reduce((sum, item) => sum + Number(item.amountMilli), 0);
      const profile = items.find((item) => item.PK === pk && item.SK === 'PROFILE');
      expect(profile).toMatchObject({ purchases: { orderCount: orders.length, totalSpendMilli: spend } });
    }
    const pending = items.filter((item) => String(item.SK).startsWith('SEND#') && item.status === 'pending');
    expect(pending).toEqual([]);

    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 240_000);
});

describe("npm start's terminal", () => {
  it('prints a line each simulated month while the clock jumps, with the month\'s pace once it jumped through all of it', async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const runtime = await startRuntime('2027-01-15T09:00:00Z');
    const answer = await fetch(`${runtime.aws}/_local/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceTo: '2027-04-02T00:00:00Z' }),
    });
    expect(answer.status).toBe(200);
    const lines = runtime.output().split('\n').filter((line) => line.includes('simulated clock at'));
    // February began mid-jump from January 15th: no pace for that part-month.
    expect(lines.map((line) => line.trim().replace(/\d+(\.\d)? (s|min)\)$/, 'N)'))).toEqual([
      'simulated clock at 2027-02-01',
      'simulated clock at 2027-03-01 (that month took N)',
      'simulated clock at 2027-04-01 (that month took N)',
    ]);
    runtime.child.kill('SIGTERM');
    await new Promise((resolve) => runtime.child.once('exit', resolve));
  }, 120_000);
});
