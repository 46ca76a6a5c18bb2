// The scheduler flow on dynalite without the rest of the runtime: bounded work per run, the
// directory/nudge path for a timer armed inside the horizon the scheduler has already read, and
// an upgraded table's pre-journey timers taken off the due index.
import path from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/commons/runtime.ts';
import { type Engine, startDynamoWithTable } from '#infra/local/engines.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import {
  DEFAULT_SCHEDULER_OPTIONS,
  runScheduler,
  type SchedulerDeps,
} from '#shared/flows/timers-scheduler.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { journeyRuntime } from '#shared/journeys/runtime.ts';
import type { SendRequest } from '#shared/mail/send-request.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { dueShard, INDEXES, keys } from '#shared/store/keys.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { EMAIL_HISTORY_DEFAULT_DAYS, historyExpiry } from '#shared/domain/email-history.ts';

const TABLE = 'scheduler-budget';
let engine: Engine;
let deps: SchedulerDeps;
let customers: CustomerStore;
let doc: ReturnType<typeof documentClient>;
let arm: (customerId: string, now: Date) => Promise<void>;
const clock = new ManualClock('2027-05-30T00:00:00Z');
const sent: SendRequest[] = [];

beforeAll(async () => {
  const started = await startDynamoWithTable(TABLE);
  engine = started.engine;
  doc = documentClient(started.client);
  customers = new CustomerStore(doc, TABLE);
  // The shipped birthday journey, fired by the scheduler through the journey engine.
  const birthday = await loadJourneyFiles(path.resolve(import.meta.dirname, '../../campaigns/birthday.yaml'));
  await new JourneyCatalogue(doc, TABLE, clock).publish({ ...birthday, by: 'test' });
  const journeys = journeyRuntime(
    { doc, tableName: TABLE, clock },
    loadProgram({}),
    { enqueue: async (requests) => void sent.push(...requests) },
    historyExpiry(EMAIL_HISTORY_DEFAULT_DAYS),
  );
  arm = (customerId, now) => journeys.reactions.armDateTriggers(customerId, now);
  deps = {
    timers: new TimerStore(doc, TABLE),
    options: { ...DEFAULT_SCHEDULER_OPTIONS, maxFires: 2, concurrency: 2 },
    journeys: journeys.timers,
  };
}, 60_000);
afterAll(() => engine?.close());

/** A customer with a profile (what the greeting reads) and an armed birthday trigger. */
async function customer(customerId: string, birthday: string, now: string) {
  clock.set(new Date(now));
  const profile = {
    customerId,
    email: `${customerId}@example.com`,
    birthday,
    timeZone: 'UTC',
    consent: { granted: true, at: now, source: 'test' },
    createdAt: now,
  };
  await customers.saveProfileFields(profile, 0);
  await arm(customerId, new Date(now));
}

/** The scheduler run at `at`, with the engine's clock there too. */
function runAt(at: string) {
  clock.set(new Date(at));
  return runScheduler(deps, new Date(at));
}

describe('scheduler run', () => {
  it('fires at most maxFires timers per run and finishes the rest on the next ticks, each once', async () => {
    for (let i = 0; i < 5; i++) await customer(`budget-${i}`, '06-01', '2027-05-30T00:00:00Z');
    await runAt('2027-06-01T08:55:00Z');
    const runs = [];
    for (const at of ['09:00', '09:05', '09:10', '09:15']) runs.push(await runAt(`2027-06-01T${at}:00Z`));
    expect(runs.map((run) => run.fired)).toEqual([2, 2, 1, 0]);
    expect(sent.map((request) => request.customerId).sort()).toEqual([
      'budget-0',
      'budget-1',
      'budget-2',
      'budget-3',
      'budget-4',
    ]);
    expect(new Set(sent.map((request) => request.period))).toEqual(new Set(['birthday#2027#greeting']));
  });

  it('finds a timer armed close to now inside the horizon it had already read, thanks to the nudge', async () => {
    sent.length = 0;
    // Nothing listed before tomorrow: the scheduler sleeps through the 10:00 tick.
    expect((await runAt('2027-06-01T10:00:00Z')).ran).toBe(false);
    // A birthday edited to today, after the hour: due at once, nudging the scheduler awake.
    await customer('nudged-1', '06-01', '2027-06-01T10:01:00Z');
    const woken = await runAt('2027-06-01T10:05:00Z');
    expect(woken).toMatchObject({ ran: true, fired: 1 });
    expect(sent.map((request) => request.customerId)).toEqual(['nudged-1']);
  });

  it("deletes an upgraded table's armed pre-journey birthday timer instead of failing on it", async () => {
    sent.length = 0;
    // A round-1 birthday timer as it was stored: TIMER#birthday, on the due index for 06-02 09:00.
    const dueAt = new Date('2027-06-02T09:00:00Z');
    const key = keys.timer('legacy-1', 'birthday');
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...key,
          type: 'timer',
          customerId: 'legacy-1',
          kind: 'birthday',
          version: 1,
          dueAt: dueAt.toISOString(),
          data: { kind: 'birthday', year: 2027, greetedYear: null },
          [INDEXES.due.partitionKey]: keys.dueBucket(dueAt, dueShard('legacy-1')),
          [INDEXES.due.sortKey]: keys.dueSort(dueAt, 'legacy-1', 'birthday'),
        },
      }),
    );
    await deps.timers.markBucket(dueAt, dueShard('legacy-1'));
    const run = await runAt('2027-06-02T09:05:00Z');
    expect(run).toMatchObject({ ran: true, failures: [] });
    expect((await doc.send(new GetCommand({ TableName: TABLE, Key: key }))).Item).toBeUndefined();
    expect(sent).toEqual([]);
  });
});
