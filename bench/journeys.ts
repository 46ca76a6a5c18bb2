// What a journey costs in DynamoDB per step and per day, as the base grows: a 3-step journey
// (wait one day -> branch on a purchase since entry -> send) entered by a fixed audience, run by
// the ONE scheduler over a day of 5-minute ticks, on tables of 10k and 100k customers. Per-step
// figures must stay flat: a run touches its own state item, its profile and the due index only.
import { BatchWriteCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#functions/commons/runtime.ts';
import { startDynamoWithTable } from '#infra/local/engines.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { DAY_MS, ManualClock } from '#shared/domain/clock.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { DEFAULT_SCHEDULER_OPTIONS, runScheduler } from '#shared/flows/timers-scheduler.ts';
import { journeyRuntime } from '#shared/journeys/runtime.ts';
import type { SendQueue } from '#shared/mail/send-request.ts';
import { JourneyCatalogue } from '#shared/store/journeys.ts';
import { keys } from '#shared/store/keys.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';
import { chargeMinimum } from './timers.ts';
import { EMAIL_HISTORY_DEFAULT_DAYS, historyExpiry } from '#shared/domain/email-history.ts';

const TABLE = 'journeys-bench';
const DAY = Date.parse('2027-03-14T00:00:00Z');
const TICK_MS = 5 * 60_000;
const STEPS_PER_RUN = 3;

const JOURNEY = journeySchema.parse({
  id: 'bench-nudge',
  name: 'Bench nudge',
  trigger: { on: 'event', event: 'Purchase Completed' },
  steps: [
    { id: 'wait-1d', wait: { days: 1 } },
    { id: 'bought-again', branch: [{ if: { purchasedSinceEntry: true }, goto: 'end' }, { goto: 'nudge' }] },
    { id: 'nudge', send: { template: 'nudge' } },
  ],
});

function profile(index: number): Record<string, unknown> {
  const id = `jb-${index}`;
  return {
    ...keys.profile(id),
    customerId: id,
    email: `${id}@example.com`,
    firstName: 'Alex',
    locale: 'en-US',
    timeZone: 'America/New_York',
    consent: { granted: true, at: '2026-01-01T00:00:00.000Z', source: 'Customer Upserted' },
    profileVersion: 1,
    aggVersion: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    purchases: {
      orderCount: 2,
      totalSpendMilli: 80_000,
      rollingSpendMilli: 80_000,
      refundedMilli: 0,
      averageOrderValueMilli: 40_000,
      couponOrderCount: 0,
      firstPurchaseAt: '2026-06-01T10:00:00.000Z',
      lastPurchaseAt: new Date(DAY - DAY_MS).toISOString(),
      asOf: new Date(DAY - DAY_MS).toISOString(),
    },
  };
}

export async function benchJourneys({
  audience = 1000,
  bases = [10_000, 100_000],
} = {}): Promise<BenchSection> {
  const meter = new DynamoMeter();
  const { engine, client } = await startDynamoWithTable(TABLE);
  const minimum = chargeMinimum(client);
  meter.attach(client);
  const doc = documentClient(client);
  const clock = new ManualClock(new Date(DAY - DAY_MS));
  let sends = 0;
  const sendQueue: SendQueue = {
    enqueue: async (requests) => {
      sends += requests.length;
    },
  };
  const rows: BenchSection['rows'] = [];
  let written = 0;
  const writeProfiles = async (upTo: number) => {
    const indexes = Array.from({ length: upTo - written }, (_, i) => written + i);
    written = upTo;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let at = next; at < indexes.length; at = next) {
          next += 25;
          const batch = indexes.slice(at, at + 25).map((i) => ({ PutRequest: { Item: profile(i) } }));
          await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: batch } }));
        }
      }),
    );
  };
  try {
    await new JourneyCatalogue(doc, TABLE, clock).publish({
      journey: JOURNEY,
      templates: { nudge: { 'en-US': { subject: 'Still thinking?', html: '<p>Hi</p>', text: 'Hi' } } },
      source: '',
      by: 'bench',
    });
    for (const [round, base] of bases.entries()) {
      await writeProfiles(base);
      // A fresh runtime per round (cold caches), and a fresh audience entering across the day before.
      const runtime = journeyRuntime(
        { doc, tableName: TABLE, clock },
        loadProgram({}),
        sendQueue,
        historyExpiry(EMAIL_HISTORY_DEFAULT_DAYS),
      );
      const version = await runtime.journeys.current(JOURNEY.id);
      if (!version) throw new Error('bench journey not published');
      const entrants = Array.from({ length: audience }, (_, i) => `jb-${round * audience + i}`);
      meter.reset();
      minimum.reset();
      for (const [i, customerId] of entrants.entries()) {
        clock.set(new Date(DAY - DAY_MS + Math.floor((i * DAY_MS) / audience)));
        await runtime.engine.enter(
          version,
          customerId,
          { entryId: `order#bench-${round}-${i}`, at: clock.now().toISOString(), detail: {} },
          clock.now(),
        );
      }
      const entry = {
        requests: meter.requests,
        read: meter.readUnits + minimum.shortfall,
        write: meter.writeUnits,
      };
      const deps = {
        timers: new TimerStore(doc, TABLE),
        options: DEFAULT_SCHEDULER_OPTIONS,
        journeys: runtime.timers,
      };
      // The scheduler starts fresh each round, with a warm-up tick the evening before (not counted).
      await doc.send(new DeleteCommand({ TableName: TABLE, Key: keys.schedulerState() }));
      await runScheduler(deps, new Date(DAY - TICK_MS));
      meter.reset();
      minimum.reset();
      sends = 0;
      for (let at = DAY; at < DAY + DAY_MS; at += TICK_MS) {
        clock.set(new Date(at));
        await runScheduler(deps, new Date(at));
      }
      const day = {
        requests: meter.requests,
        read: meter.readUnits + minimum.shortfall,
        write: meter.writeUnits,
      };
      const steps = audience * STEPS_PER_RUN;
      const round2 = (n: number) => Math.round(n * 100) / 100;
      rows.push({
        customers: base,
        'entered (day before)': audience,
        'emails enqueued': sends,
        'entry: requests / customer': round2(entry.requests / audience),
        'entry: RCU+WCU / customer': round2((entry.read + entry.write) / audience),
        'day: requests': day.requests,
        'day: RCU': round2(day.read),
        'day: WCU': round2(day.write),
        'requests / step': round2(day.requests / steps),
        'RCU / step': round2(day.read / steps),
        'WCU / step': round2(day.write / steps),
      });
    }
  } finally {
    await engine.close();
  }
  return {
    title: `Journeys: DynamoDB per step and per day of a 3-step journey (wait 1 day -> branch -> send), ${audience} customers, as the base grows`,
    rows,
    notes: [
      'entry: the journeys function entering one customer (state read, state write, profile read for the wait, wait write).',
      'day: 288 scheduler ticks of 5 minutes over the day the waits end — the run of the 3 steps (wait over, branch, send)',
      "  for every entrant plus the scheduler's own directory and bucket Queries. Query/GetItem/PutItem only, never a Scan.",
      'per step = day / (entrants × 3). The base grows tenfold; the per-step figures do not move.',
    ],
  };
}
