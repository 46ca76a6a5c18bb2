// `loyalty customers import`: a 100k-row file with bad rows (reported, not fatal) against a
// counting stand-in for the bus; an interrupted import resumed from its checkpoint; and a small
// CSV end to end into the local runtime's customer profiles.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { profileOf } from '../support/table.ts';
import { loyalty } from './cli-support.ts';

interface Bus {
  server: Server;
  endpoint: string;
  batches: number[];
  customerIds: string[];
  /** Calls after which every call fails with a 500 (undefined: never). */
  failAfter: number | undefined;
}

async function startBus(): Promise<Bus> {
  const bus: Bus = {
    server: createServer(),
    endpoint: '',
    batches: [],
    customerIds: [],
    failAfter: undefined,
  };
  bus.server.on('request', (request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (bus.failAfter !== undefined && bus.batches.length >= bus.failAfter) {
        response
          .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ __type: 'InternalException', message: 'bus down' }));
        return;
      }
      const { Entries } = JSON.parse(body) as { Entries: { Detail: string }[] };
      bus.batches.push(Entries.length);
      for (const entry of Entries)
        bus.customerIds.push((JSON.parse(entry.Detail) as { customerId: string }).customerId);
      response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(
          JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `e-${i}` })) }),
        );
    });
  });
  await new Promise<void>((resolve) => bus.server.listen(0, '127.0.0.1', resolve));
  const address = bus.server.address();
  bus.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return bus;
}

const endpointFor = (bus: Bus) => ({
  endpoints: { aws: bus.endpoint, dynamo: bus.endpoint, ses: bus.endpoint },
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'import-'));
});

/** 100k JSON Lines; every 2000th row is bad in one of four ways. */
async function bigFile(name: string, rows: number) {
  const lines: string[] = [];
  const bad = new Map<number, string>();
  for (let i = 1; i <= rows; i++) {
    const row: Record<string, unknown> = {
      customerId: `imp-${i}`,
      email: `imp-${i}@example.com`,
      firstName: `N${i}`,
      locale: i % 2 ? 'en-US' : 'zh-CN',
      marketingConsent: i % 3 !== 0,
    };
    if (i % 2000 === 0) {
      const kind = (i / 2000) % 4;
      if (kind === 0) row.email = 'not-an-email';
      if (kind === 1) row.timeZone = 'Mars/Olympus';
      if (kind === 2) row.favouriteColour = 'red';
      bad.set(i, kind === 0 ? 'email' : kind === 1 ? 'timeZone' : kind === 2 ? 'favouriteColour' : '(row)');
      lines.push(kind === 3 ? `{"customerId": "imp-${i}", oops` : JSON.stringify(row));
    } else lines.push(JSON.stringify(row));
  }
  const file = path.join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return { file, bad };
}

describe('loyalty customers import', () => {
  it('imports 100,000 rows in batches of 10, reporting bad rows by line, field and value without stopping', async () => {
    const bus = await startBus();
    try {
      const { file, bad } = await bigFile('customers.jsonl', 100_000);
      const started = Date.now();
      const run = await loyalty(endpointFor(bus), ['--json', 'customers', 'import', file]);
      const seconds = (Date.now() - started) / 1000;
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const result = run.json<{
        sent: number;
        bad: { line: number; field: string; value: unknown; reason: string }[];
      }>();
      expect(result.sent).toBe(100_000 - bad.size);
      expect(result.bad.map((row) => [row.line, row.field])).toEqual([...bad.entries()]);
      expect(result.bad.find((row) => row.field === 'timeZone')).toMatchObject({
        value: 'Mars/Olympus',
        reason: 'must be an IANA time zone such as Asia/Shanghai',
      });
      expect(new Set(bus.customerIds).size).toBe(100_000 - bad.size);
      expect(Math.max(...bus.batches)).toBe(10);
      expect(existsSync(`${file}.import-state.json`)).toBe(false);
      expect(seconds).toBeLessThan(50);
    } finally {
      bus.server.close();
    }
  }, 90_000);

  it('stops with exit 4 when the bus fails, keeps a checkpoint, and resumes after the last acknowledged line', async () => {
    const bus = await startBus();
    try {
      const { file, bad } = await bigFile('resume.jsonl', 5_000);
      bus.failAfter = 200;
      const first = await loyalty(endpointFor(bus), ['customers', 'import', file]);
      expect(first.code).toBe(4);
      expect(first.stderr).toContain('run the same command again to resume');
      const checkpoint = JSON.parse(readFileSync(`${file}.import-state.json`, 'utf8')) as {
        lastAcknowledgedLine: number;
      };
      expect(checkpoint.lastAcknowledgedLine).toBeGreaterThan(0);
      expect(checkpoint.lastAcknowledgedLine).toBeLessThanOrEqual(2_100);

      bus.failAfter = undefined;
      const second = await loyalty(endpointFor(bus), ['--json', 'customers', 'import', file]);
      expect(second.code).toBe(0);
      expect(second.json<{ resumedAfterLine: number }>().resumedAfterLine).toBe(
        checkpoint.lastAcknowledgedLine,
      );
      // Every good row arrived; only the batches in flight at the failure may arrive twice.
      expect(new Set(bus.customerIds).size).toBe(5_000 - bad.size);
      expect(bus.customerIds.length - new Set(bus.customerIds).size).toBeLessThanOrEqual(8 * 10);
      expect(existsSync(`${file}.import-state.json`)).toBe(false);
    } finally {
      bus.server.close();
    }
  });

  it('exits 2 for a file that is neither .csv nor .jsonl and 3 for a missing one', async () => {
    expect((await loyalty(undefined, ['customers', 'import', path.join(dir, 'x.txt')])).code).toBe(2);
    expect((await loyalty(undefined, ['customers', 'import', path.join(dir, 'missing.csv')])).code).toBe(3);
  });
});

describe('a CSV import end to end', () => {
  let local: LocalRuntime;
  beforeAll(async () => {
    local = await startLocal({ now: '2027-01-01T00:00:00Z', ports: 'random' });
  }, 60_000);
  afterAll(() => local?.stop());

  it('turns good rows into customer profiles (quotes, attribute columns, yes/no consent) and reports the bad one', async () => {
    const file = path.join(dir, 'shop.csv');
    await writeFile(
      file,
      [
        'customerId,email,firstName,lastName,locale,timeZone,birthday,marketingConsent,attributes.store',
        'csv-1,ana@example.com,"Ana, ""the boss""",Silva,en-US,America/New_York,1991-07-04,yes,Lisbon',
        'csv-2,li@example.com,丽,李,zh-CN,Asia/Shanghai,02-29,no,',
        'csv-3,broken-address,Bo,,en-US,,,yes,',
      ].join('\n'),
    );
    const run = await loyalty(local, ['customers', 'import', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 customer(s) sent to the bus');
    expect(run.stdout).toContain('line 4: email: "broken-address"');
    await local.drain();
    expect(await profileOf(local.doc, local.tableName, 'csv-1')).toMatchObject({
      firstName: 'Ana, "the boss"',
      attributes: { store: 'Lisbon' },
    });
    expect(await profileOf(local.doc, local.tableName, 'csv-2')).toMatchObject({
      firstName: '丽',
      birthday: '02-29',
      consent: { granted: false },
    });
    expect(await profileOf(local.doc, local.tableName, 'csv-3')).toBeUndefined();
  });
});
