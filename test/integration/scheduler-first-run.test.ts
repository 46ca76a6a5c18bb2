// A scheduler whose very first run comes long after the timers were armed (deployed late, or
// broken from the start) catches up like any other run: no bucket is left unfired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { SchedulerRun } from '#shared/flows/timers-scheduler.ts';
import { customerEvent } from '../support/fixtures.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';

let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-18T00:00:00Z', ports: 'random' });
}, 60_000);
afterAll(() => local?.stop());

const runScheduler = async (at: string) => {
  const schedule = local.schedules.find((s) => s.name === 'scheduler');
  if (!schedule) throw new Error('no scheduler schedule');
  local.clock.set(new Date(at));
  const run = (await schedule.invoke(new Date(at))) as SchedulerRun;
  await local.drain();
  return run;
};

describe('the first scheduler run', () => {
  it('fires timers armed two years before it, so the birthday is re-armed and greeted on time', async () => {
    local.putEvents([
      customerEvent({
        customerId: 'first-run-1',
        email: 'first-run-1@example.com',
        firstName: 'Kim',
        locale: 'en-US',
        timeZone: 'Europe/Berlin',
        birthday: '03-20',
      }),
    ]);
    await local.drain();

    // No scheduler tick at all until 2029 (the clock is set, not advanced).
    const first = await runScheduler('2029-03-20T07:55:00Z');
    // The 2027 birthday is far too late to greet, but firing it re-arms this year's.
    expect(first).toMatchObject({ ran: true, fired: 1 });
    expect(await subjectsTo(local, 'first-run-1@example.com')).toEqual([]);

    // 09:00 in Berlin (CET) on the birthday.
    await runScheduler('2029-03-20T08:05:00Z');
    expect(await subjectsTo(local, 'first-run-1@example.com')).toEqual([
      'Happy birthday, Kim! A gift of $5.00 inside',
    ]);
  });
});
