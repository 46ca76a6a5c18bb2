// The scheduler flow on dynalite without the rest of the runtime: bounded work per run, and the
// directory/nudge path for a timer armed inside the horizon the scheduler has already read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/commons/runtime.ts';
import { type Engine, startDynamoWithTable } from '#infra/local/engines.ts';
import { armBirthday } from '#shared/flows/timers.ts';
import { loadTimerCampaigns, type TimerCampaigns } from '#shared/flows/timers-config.ts';
import {
  DEFAULT_SCHEDULER_OPTIONS,
  runScheduler,
  type SchedulerDeps,
} from '#shared/flows/timers-scheduler.ts';
import type { SendRequest } from '#shared/mail/send-request.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { TimerStore } from '#shared/store/timers.ts';

const TABLE = 'scheduler-budget';
let engine: Engine;
let deps: SchedulerDeps;
let campaigns: TimerCampaigns;
const sent: SendRequest[] = [];

beforeAll(async () => {
  const started = await startDynamoWithTable(TABLE);
  engine = started.engine;
  const doc = documentClient(started.client);
  campaigns = await loadTimerCampaigns(undefined);
  deps = {
    timers: new TimerStore(doc, TABLE),
    customers: new CustomerStore(doc, TABLE),
    sendQueue: { enqueue: async (requests) => void sent.push(...requests) },
    campaigns,
    options: { ...DEFAULT_SCHEDULER_OPTIONS, maxFires: 2, concurrency: 2 },
  };
}, 60_000);
afterAll(() => engine?.close());

/** A customer with a profile (what the greeting reads) and an armed birthday timer. */
async function customer(customerId: string, birthday: string, now: string) {
  const profile = {
    customerId,
    email: `${customerId}@example.com`,
    birthday,
    timeZone: 'UTC',
    consent: { granted: true, at: now, source: 'test' },
    createdAt: now,
  };
  await deps.customers.saveProfileFields(profile, 0);
  await armBirthday(deps.timers, campaigns.birthday, profile, new Date(now));
}

describe('scheduler run', () => {
  it('fires at most maxFires timers per run and finishes the rest on the next ticks, each once', async () => {
    for (let i = 0; i < 5; i++) await customer(`budget-${i}`, '06-01', '2027-05-30T00:00:00Z');
    await runScheduler(deps, new Date('2027-06-01T08:55:00Z'));
    const runs = [];
    for (const at of ['09:00', '09:05', '09:10', '09:15'])
      runs.push(await runScheduler(deps, new Date(`2027-06-01T${at}:00Z`)));
    expect(runs.map((run) => run.fired)).toEqual([2, 2, 1, 0]);
    expect(sent.map((request) => request.customerId).sort()).toEqual([
      'budget-0',
      'budget-1',
      'budget-2',
      'budget-3',
      'budget-4',
    ]);
    expect(new Set(sent.map((request) => request.period))).toEqual(new Set(['2027']));
  });

  it('finds a timer armed close to now inside the horizon it had already read, thanks to the nudge', async () => {
    sent.length = 0;
    // Nothing listed before tomorrow: the scheduler sleeps through the 10:00 tick.
    expect((await runScheduler(deps, new Date('2027-06-01T10:00:00Z'))).ran).toBe(false);
    // A birthday edited to today, after the hour: due at once, nudging the scheduler awake.
    await customer('nudged-1', '06-01', '2027-06-01T10:01:00Z');
    const woken = await runScheduler(deps, new Date('2027-06-01T10:05:00Z'));
    expect(woken).toMatchObject({ ran: true, fired: 1 });
    expect(sent.map((request) => request.customerId)).toEqual(['nudged-1']);
  });
});
