// The shipped win-back journey end to end: purchases arrive on the bus, the inactivity trigger
// enters the customer on day 60, waits take them to days 90 and 120, a purchase takes them out;
// the real sender delivers to SES local.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { keys } from '#shared/store/keys.ts';
import { purchaseEvent, samEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { customerItems } from '../support/table.ts';
import { subjectsTo, textsTo } from '../support/timer-campaigns.ts';

let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2027-01-10T16:00:00Z', ports: 'random', shippedJourneys: ['win-back'] });
}, 60_000);
afterAll(() => local?.stop());

async function customer(customerId: string) {
  local.putEvents([samEvent(customerId)]);
  await local.drain();
}

async function purchase(customerId: string, orderId: string, purchasedAt: string) {
  local.putEvents([purchaseEvent({ customerId, orderId, purchasedAt, amount: '42.00' })]);
  await local.drain();
}

const STEP_60 = 'Sam, we miss you — 10% off your next order';
const STEP_90 = '15% off + free shipping — just for you, Sam';
const STEP_120 = 'Last chance, Sam: 20% off is waiting';

describe('win-back series', () => {
  it('sends the 60-, 90- and 120-day steps at 10:00 local after the last purchase, then stops', async () => {
    await customer('lapse-1');
    await customer('never-bought');
    await purchase('lapse-1', 'lapse-1-a', '2027-01-10T15:00:00Z');

    await local.advanceTo('2027-03-11T14:55:00Z'); // day 60, 09:55 EST
    expect(await subjectsTo(local, 'lapse-1@example.com')).toEqual([]);
    await local.advanceTo('2027-03-11T15:00:00Z'); // 10:00 EST
    expect(await subjectsTo(local, 'lapse-1@example.com')).toEqual([STEP_60]);
    await local.advanceTo('2027-04-10T13:55:00Z'); // day 90, 09:55 EDT
    expect(await subjectsTo(local, 'lapse-1@example.com')).toEqual([STEP_60]);
    await local.advanceTo('2027-04-10T14:00:00Z');
    expect(await subjectsTo(local, 'lapse-1@example.com')).toEqual([STEP_60, STEP_90]);
    await local.advanceTo('2027-05-10T14:00:00Z'); // day 120
    expect(await subjectsTo(local, 'lapse-1@example.com')).toEqual([STEP_60, STEP_90, STEP_120]);

    await local.advanceTo('2027-07-01T00:00:00Z');
    expect(await subjectsTo(local, 'lapse-1@example.com')).toEqual([STEP_60, STEP_90, STEP_120]);
    expect(await textsTo(local, 'lapse-1@example.com')).toEqual([
      expect.stringContaining('Code: COMEBACK10'),
      expect.stringContaining('Code: COMEBACK15'),
      expect.stringContaining('Code: COMEBACK20'),
    ]);
    expect((await textsTo(local, 'lapse-1@example.com'))[0]).toContain(
      'It has been 60 days since your last order',
    );
  }, 120_000);

  it('leaves customers who never bought out of the series', async () => {
    expect(await subjectsTo(local, 'never-bought@example.com')).toEqual([]);
  });

  it('cancels the rest of the series when the customer buys between steps 1 and 2, and restarts from that purchase; a held-out lapse gets nothing', async () => {
    // lapse-2 buys alike, but the draw holds both of its lapses out: recorded, never sent.
    const lapses = ['inactive#2027-07-02T15:00:00.000Z', 'inactive#2027-09-10T12:00:00.000Z'];
    for (const lapse of lapses) expect(heldOutOfShipped('win-back', lapse, ['lapse-2', 'lapse-3'])).toEqual(['lapse-2']);
    await customer('lapse-3');
    await customer('lapse-2');
    await local.advanceTo('2027-07-02T15:00:00Z');
    await purchase('lapse-3', 'lapse-3-a', '2027-07-02T15:00:00Z');
    await purchase('lapse-2', 'lapse-2-a', '2027-07-02T15:00:00Z');
    await local.advanceTo('2027-08-31T14:00:00Z'); // day 60 (10:00 EDT)
    expect(await subjectsTo(local, 'lapse-3@example.com')).toEqual([STEP_60]);

    await local.advanceTo('2027-09-10T12:00:00Z');
    await purchase('lapse-3', 'lapse-3-b', '2027-09-10T12:00:00Z');
    await purchase('lapse-2', 'lapse-2-b', '2027-09-10T12:00:00Z');
    // Redelivering the old order changes nothing.
    await purchase('lapse-3', 'lapse-3-a', '2027-07-02T15:00:00Z');

    await local.advanceTo('2027-11-09T14:55:00Z'); // old day 90 (Sep 30) passed; new day 60 is Nov 9
    expect(await subjectsTo(local, 'lapse-3@example.com')).toEqual([STEP_60]);
    await local.advanceTo('2027-11-09T15:00:00Z'); // 10:00 EST (clocks went back on Nov 7)
    expect(await subjectsTo(local, 'lapse-3@example.com')).toEqual([STEP_60, STEP_60]);
    expect(await subjectsTo(local, 'lapse-2@example.com')).toEqual([]);
    for (const lapse of lapses) {
      const { Item } = await local.doc.send(
        new GetCommand({ TableName: local.tableName, Key: keys.holdout('lapse-2', 'win-back', lapse) }),
      );
      expect(Item).toMatchObject({ status: 'held-out' });
    }
    expect(local.deadLetters()).toEqual([]);
  }, 120_000);

  it('writes no trigger for a repeat purchase that only postpones the lapse: the timer fires at the old day, enters nothing and re-arms for the new one', async () => {
    expect(heldOutOfShipped('win-back', 'inactive#2027-11-30T15:00:00.000Z', ['lapse-4'])).toEqual([]);
    await customer('lapse-4');
    await local.advanceTo('2027-11-10T15:00:00Z');
    await purchase('lapse-4', 'lapse-4-a', '2027-11-10T15:00:00Z');
    const first = await trigger('lapse-4');
    expect(first).toMatchObject({ dueAt: '2028-01-09T15:00:00.000Z', version: 1 }); // day 60, 10:00 EST
    await local.advanceTo('2027-11-30T15:00:00Z');
    await purchase('lapse-4', 'lapse-4-b', '2027-11-30T15:00:00Z');
    expect(await trigger('lapse-4')).toEqual(first);

    await local.advanceTo('2028-01-09T16:00:00Z');
    expect(await subjectsTo(local, 'lapse-4@example.com')).toEqual([]);
    expect(await trigger('lapse-4')).toMatchObject({ dueAt: '2028-01-29T15:00:00.000Z' });
    await local.advanceTo('2028-01-29T15:00:00Z');
    expect(await subjectsTo(local, 'lapse-4@example.com')).toEqual([STEP_60]);
    expect(local.deadLetters()).toEqual([]);
  }, 120_000);
});

/** The customer's win-back occasion (its due instant) and the version of their date-trigger timer. */
async function trigger(customerId: string) {
  const items = await customerItems(local.doc, local.tableName, customerId);
  const timer = items.find((item) => item.SK === keys.journeyTriggers(customerId).SK);
  const occasions = timer?.data as { journeys: Record<string, { dueAt: string | null }> } | undefined;
  return timer && { dueAt: occasions?.journeys['win-back']?.dueAt, version: timer.version };
}
