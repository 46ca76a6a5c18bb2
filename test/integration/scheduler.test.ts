// The timer scheduler's operational guarantees on the embedded engines: catching up after an
// outage without skipping or repeating, overlapping runs, and the send-time rules (quiet hours,
// frequency cap) deferring what the scheduler enqueued — exact emails in SES local.

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { SchedulerRun } from '#shared/flows/timers-scheduler.ts';
import { keys } from '#shared/store/keys.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { advanceWithSchedulerDown, subjectsTo } from '../support/timer-campaigns.ts';

let local: LocalRuntime;
let poisoned = true;

beforeAll(async () => {
  // A cap of one marketing email per 7 days makes the cap easy to hit.
  local = await startLocal({
    now: '2027-03-18T00:00:00Z',
    ports: 'random',
    env: { FREQUENCY_CAP_MAX: '1' },
    // The scheduler cannot read the profile of customer "poison-1" while `poisoned` is set.
    wrapRuntime: (name, runtime) =>
      name === 'scheduler'
        ? {
            ...runtime,
            doc: new Proxy(runtime.doc, {
              get: (target, key) =>
                key === 'send'
                  ? (command: { input: { Key?: { PK?: string; SK?: string } } }) => {
                      const key = command.input.Key;
                      if (poisoned && key?.PK === 'CUSTOMER#poison-1' && key.SK === 'PROFILE') {
                        return Promise.reject(new Error('simulated read failure'));
                      }
                      return target.send(command as never);
                    }
                  : Reflect.get(target, key),
            }),
          }
        : runtime,
  });
}, 60_000);
afterAll(() => local?.stop());

async function upsert(customerId: string, timeZone: string, birthday: string | undefined) {
  local.putEvents([
    customerEvent({
      customerId,
      email: `${customerId}@example.com`,
      firstName: 'Kim',
      locale: 'en-US',
      timeZone,
      birthday,
    }),
  ]);
  await local.drain();
}

const scheduler = () => {
  const schedule = local.schedules.find((s) => s.name === 'scheduler');
  if (!schedule) throw new Error('no scheduler schedule');
  return (at: Date) => schedule.invoke(at) as Promise<SchedulerRun>;
};

const greeting = 'Happy birthday, Kim! A gift of $5.00 inside';

describe('timer scheduler', () => {
  it('after 6 hours down, sends every birthday that came due in the outage exactly once', async () => {
    // 09:00 local on Mar 20: Sydney 22:00Z the day before, Tokyo 00:00Z, Shanghai 01:00Z,
    // Karachi 04:00Z, Dubai 05:00Z, Berlin 08:00Z.
    const zones = {
      'down-syd': 'Australia/Sydney',
      'down-tyo': 'Asia/Tokyo',
      'down-sha': 'Asia/Shanghai',
      'down-khi': 'Asia/Karachi',
      'down-dxb': 'Asia/Dubai',
      'down-ber': 'Europe/Berlin',
    };
    for (const [id, zone] of Object.entries(zones)) await upsert(id, zone, '03-20');
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          Object.keys(zones).map(async (id) => [id, (await subjectsTo(local, `${id}@example.com`)).length]),
        ),
      );

    await local.advanceTo('2027-03-19T23:55:00Z');
    expect(await counts()).toMatchObject({ 'down-syd': 1, 'down-tyo': 0 });

    await advanceWithSchedulerDown(local, '2027-03-20T05:55:00Z');
    expect(await counts()).toEqual({
      'down-syd': 1,
      'down-tyo': 0,
      'down-sha': 0,
      'down-khi': 0,
      'down-dxb': 0,
      'down-ber': 0,
    });

    // Back up: the first run covers every hour bucket missed, reports how late it is, and fires.
    const run = await scheduler()(new Date('2027-03-20T05:55:00Z'));
    await local.drain();
    expect(run).toMatchObject({ ran: true, fired: 4 });
    expect(run.lagMs).toBeGreaterThanOrEqual(5 * 3_600_000);
    expect(await counts()).toEqual({
      'down-syd': 1,
      'down-tyo': 1,
      'down-sha': 1,
      'down-khi': 1,
      'down-dxb': 1,
      'down-ber': 0,
    });

    await local.advanceTo('2027-03-21T12:00:00Z');
    expect(await counts()).toEqual({
      'down-syd': 1,
      'down-tyo': 1,
      'down-sha': 1,
      'down-khi': 1,
      'down-dxb': 1,
      'down-ber': 1,
    });
    expect(await subjectsTo(local, 'down-tyo@example.com')).toEqual([greeting]);
  });

  it('fires a timer once when two scheduler invocations overlap', async () => {
    await upsert('overlap-1', 'UTC', '03-22');
    await advanceWithSchedulerDown(local, '2027-03-22T09:00:00Z');
    const fire = scheduler();
    const runs = await Promise.all([
      fire(new Date('2027-03-22T09:00:00Z')),
      fire(new Date('2027-03-22T09:00:00Z')),
    ]);
    await local.advanceTo('2027-03-22T12:00:00Z');
    // One invocation holds the lease and fires what is due; the other does nothing.
    expect(runs.map((run) => run.fired > 0).sort()).toEqual([false, true]);
    expect(await subjectsTo(local, 'overlap-1@example.com')).toEqual([greeting]);
  });

  it('defers a birthday set late on the day into quiet hours until 08:00 local, without dropping it', async () => {
    await local.advanceTo('2027-03-23T14:30:00Z'); // 22:30 in Shanghai
    await upsert('quiet-1', 'Asia/Shanghai', '03-23'); // today, not greeted yet: due now
    await local.advanceTo('2027-03-23T23:55:00Z'); // 07:55 next morning in Shanghai
    expect(await subjectsTo(local, 'quiet-1@example.com')).toEqual([]);
    await local.advanceTo('2027-03-24T00:05:00Z'); // 08:05
    expect(await subjectsTo(local, 'quiet-1@example.com')).toEqual([
      'Happy birthday, Kim! A gift of $5.00 inside',
    ]);
  });

  it('holds a win-back step back while the frequency cap is used up, then sends it', async () => {
    // Birthday greeting on Mar 25 at 09:00 UTC uses the one email allowed per 7 days.
    await upsert('cap-1', 'UTC', '03-25');
    // Last purchase Jan 26: the 60-day step is due Mar 27 at 10:00 UTC, inside the cap window.
    local.putEvents([
      purchaseEvent({ customerId: 'cap-1', orderId: 'cap-1-a', purchasedAt: '2027-01-26T10:00:00Z' }),
    ]);
    await local.drain();
    await local.advanceTo('2027-03-27T12:00:00Z');
    expect(await subjectsTo(local, 'cap-1@example.com')).toEqual([greeting]);
    await local.advanceTo('2027-04-01T08:55:00Z'); // the birthday email leaves the window at 09:00 (+ a few seconds)
    expect(await subjectsTo(local, 'cap-1@example.com')).toEqual([greeting]);
    await local.advanceTo('2027-04-01T09:30:00Z');
    expect(await subjectsTo(local, 'cap-1@example.com')).toEqual([
      greeting,
      'Kim, we miss you — 10% off your next order',
    ]);
    expect(local.deadLetters()).toEqual([]);
  });

  it('greets a birthday held up by a 3-day outage belatedly, but skips a year held up for more than a week', async () => {
    await upsert('late-1', 'UTC', '04-05');
    await upsert('late-2', 'UTC', '04-20');
    await advanceWithSchedulerDown(local, '2027-04-08T00:00:00Z');
    // Fired at once on recovery, then held by quiet hours until 08:00 in the customer's zone.
    await local.advanceTo('2027-04-08T07:55:00Z');
    expect(await subjectsTo(local, 'late-1@example.com')).toEqual([]);
    await local.advanceTo('2027-04-08T08:05:00Z');
    expect(await subjectsTo(local, 'late-1@example.com')).toEqual([greeting]);

    await local.advanceTo('2027-04-19T00:00:00Z');
    await advanceWithSchedulerDown(local, '2027-04-28T12:00:00Z');
    await local.advanceTo('2027-04-29T00:00:00Z');
    expect(await subjectsTo(local, 'late-2@example.com')).toEqual([]);
    const { Item } = await local.doc.send(
      new GetCommand({ TableName: local.tableName, Key: keys.journeyTriggers('late-2') }),
    );
    // The birthday journey's trigger skipped 2027 (more than a week late) and waits for 2028.
    expect(Item).toMatchObject({
      dueAt: '2028-04-20T09:00:00.000Z',
      data: { journeys: { birthday: { entryId: 'birthday#2028', dueAt: '2028-04-20T09:00:00.000Z', entered: [] } } },
    });
  });

  it('retries a timer that fails to fire an hour later, without holding back anyone else', async () => {
    await upsert('poison-1', 'UTC', '05-03');
    await upsert('healthy-1', 'UTC', '05-03');
    await advanceWithSchedulerDown(local, '2027-05-03T09:00:00Z');
    const run = await scheduler()(new Date('2027-05-03T09:00:00Z'));
    expect(run).toMatchObject({ fired: 1, failures: ['journey-triggers timer of poison-1: simulated read failure'] });
    await local.advanceTo('2027-05-03T09:30:00Z');
    expect(await subjectsTo(local, 'healthy-1@example.com')).toEqual([greeting]);
    expect(await subjectsTo(local, 'poison-1@example.com')).toEqual([]);
    poisoned = false;
    await local.advanceTo('2027-05-03T10:05:00Z');
    expect(await subjectsTo(local, 'poison-1@example.com')).toEqual([greeting]);
  });
});
