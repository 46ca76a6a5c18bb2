// Every date-trigger journey's next occasion for a customer, and their lifecycle stage's next
// change, live in ONE timer (JOURNEY#TRIGGERS) on the due index at the earliest of them: a first
// purchase arms the lifecycle change, the anniversary and the win-back in one write, concurrent arms of two journeys both land, a disabled journey's occasion
// enters no one while the others fire, and a table written before it (one trigger item per
// journey) is folded in as its items come due, greeting once though the fold crashes half-way.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { PURCHASE_RECORDED } from '#shared/events/emitted.ts';
import { EMITTED_SOURCE } from '#shared/events/publisher.ts';
import { journeyRuntime } from '#shared/journeys/runtime.ts';
import { dueShard, INDEXES, keys } from '#shared/store/keys.ts';
import { DynamoMeter } from '../../bench/meter.ts';
import { withDynamoFault } from '../support/faults.ts';
import { purchaseEvent, samEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import { loyalty } from './cli-support.ts';
import { EMAIL_HISTORY_DEFAULT_DAYS, historyExpiry } from '#shared/domain/email-history.ts';

let local: LocalRuntime;
const journeysMeter = new DynamoMeter();
let schedulerFault: { injected: () => number } | undefined;

beforeAll(async () => {
  local = await startLocal({
    now: '2027-01-10T16:00:00Z',
    ports: 'random',
    shippedJourneys: ['birthday', 'win-back', 'first-purchase-anniversary'],
    wrapRuntime: (name, runtime, endpoints) => {
      if (name === 'journeys') return journeysMeter.meter(runtime, endpoints.dynamo);
      if (name !== 'scheduler') return runtime;
      // The scheduler crashes once between folding an old trigger item in and deleting it: the new
      // item is written, the old one stays (moved an hour on) — folded again then, to the same item.
      const faulty = withDynamoFault(runtime, endpoints.dynamo, { command: 'DeleteItemCommand', times: 1 });
      schedulerFault = faulty;
      return faulty;
    },
  });
}, 60_000);
afterAll(() => local?.stop());

const GREETING = 'Happy birthday, Sam! A gift of $5.00 inside';
const WIN_BACK = 'Sam, we miss you — 10% off your next order';

async function customer(customerId: string, birthday: string) {
  local.putEvents([samEvent(customerId, birthday)]);
  await local.drain();
}

async function triggers(customerId: string) {
  const { Item } = await local.doc.send(
    new GetCommand({ TableName: local.tableName, Key: keys.journeyTriggers(customerId), ConsistentRead: true }),
  );
  return Item;
}

describe('one date-trigger timer per customer', () => {
  it("arms a first purchase's lifecycle change, anniversary and win-back in one write, on the index at the earliest; a redelivery writes nothing", async () => {
    await customer('first-1', '1990-09-14');
    expect(await triggers('first-1')).toMatchObject({ version: 1, dueAt: '2027-09-14T13:00:00.000Z' });
    journeysMeter.reset();
    const purchase = purchaseEvent({ customerId: 'first-1', orderId: 'first-1-a', purchasedAt: '2027-01-10T16:00:00Z', amount: '42.00' });
    local.putEvents([purchase]);
    await local.drain();
    const writes = journeysMeter.log.filter((r) => r.key === 'CUSTOMER#<id> / JOURNEY#TRIGGERS');
    expect(writes.map((r) => r.command)).toEqual(['PutItemCommand']);
    const armed = await triggers('first-1');
    expect(armed).toMatchObject({
      version: 2,
      // 'new' becomes 'active' 30 days after the first purchase: the earliest of the four.
      dueAt: '2027-02-09T16:00:00.000Z',
      [INDEXES.due.partitionKey]: keys.dueBucket(new Date('2027-02-09T16:00:00.000Z'), dueShard('first-1')),
      data: {
        kind: 'journey-triggers',
        lifecycle: '2027-02-09T16:00:00.000Z',
        journeys: {
          birthday: { entryId: 'birthday#2027', dueAt: '2027-09-14T13:00:00.000Z', entered: [] },
          // Day 60 of the win-back, 10:00 in New York.
          'win-back': { dueAt: '2027-03-11T15:00:00.000Z', entered: [] },
          'first-purchase-anniversary': { dueAt: expect.stringMatching(/^2028-01-10T/), entered: [] },
        },
      },
    });

    // The birthday's day still counts them, though their timer sits at the earlier win-back.
    const audience = await loyalty(local, ['--json', 'campaigns', 'audience', 'birthday', '--on', '2027-09-14']);
    expect(audience.json()).toMatchObject({ due: 1, sample: [{ customerId: 'first-1', dueAt: '2027-09-14T13:00:00.000Z' }] });

    journeysMeter.reset();
    local.putEvents([purchase]);
    await local.drain();
    expect(journeysMeter.log.filter((r) => r.key === 'CUSTOMER#<id> / JOURNEY#TRIGGERS')).toEqual([]);
    expect(await triggers('first-1')).toEqual(armed);
  });

  it("never lets a reordered or redelivered Purchase Recorded postpone the lifecycle change: only a sooner one moves it", async () => {
    await customer('order-1', '1990-12-01');
    local.putEvents([purchaseEvent({ customerId: 'order-1', orderId: 'order-1-a', purchasedAt: '2027-01-10T16:00:00Z', amount: '42.00' })]);
    await local.drain();
    const armed = await triggers('order-1');
    expect(armed).toMatchObject({ data: { lifecycle: '2027-02-09T16:00:00.000Z' } });
    // As ingest-orders announces a purchase (the journeys function reads only the event and the table).
    const recorded = (orderId: string, nextLifecycleChangeAt: string | null) => ({
      source: EMITTED_SOURCE,
      detailType: PURCHASE_RECORDED,
      detail: {
        customerId: 'order-1',
        orderId,
        amount: '42.00',
        currency: 'USD',
        purchasedAt: '2027-01-10T16:00:00.000Z',
        orderCount: 1,
        firstPurchaseAt: '2027-01-10T16:00:00.000Z',
        lastPurchaseAt: '2027-01-10T16:00:00.000Z',
        nextLifecycleChangeAt,
      },
    });
    journeysMeter.reset();
    local.putEvents([recorded('order-1-a', '2027-02-09T16:00:00.000Z'), recorded('order-1-old', '2027-03-30T00:00:00.000Z'), recorded('order-1-none', null)]);
    await local.drain();
    expect(journeysMeter.log.filter((r) => r.key === 'CUSTOMER#<id> / JOURNEY#TRIGGERS')).toEqual([]);
    expect(await triggers('order-1')).toEqual(armed);
    local.putEvents([recorded('order-1-sooner', '2027-02-01T00:00:00.000Z')]);
    await local.drain();
    expect(await triggers('order-1')).toMatchObject({ dueAt: '2027-02-01T00:00:00.000Z', data: { lifecycle: '2027-02-01T00:00:00.000Z' } });
  });

  it('keeps both journeys when two arms race on the one item: the loser re-reads and merges', async () => {
    await customer('race-1', '1990-09-14');
    local.putEvents([purchaseEvent({ customerId: 'race-1', orderId: 'race-1-a', purchasedAt: '2027-01-10T16:00:00Z', amount: '42.00' })]);
    await local.drain();
    const expected = (await triggers('race-1'))?.data;
    await local.doc.send(new DeleteCommand({ TableName: local.tableName, Key: keys.journeyTriggers('race-1') }));
    // Both arms start from the same read (no timer yet): both write expecting version 0.
    const meter = new DynamoMeter();
    const runtime = local.runtimeFor('journeys');
    const doc = meter.meter(runtime, local.endpoints.dynamo).doc;
    const journeys = journeyRuntime(
      { doc, tableName: local.tableName, clock: local.clock },
      loadProgram({}),
      { enqueue: () => Promise.reject(new Error('arming never sends')) },
      historyExpiry(EMAIL_HISTORY_DEFAULT_DAYS),
    );
    const view = await journeys.customerJourneys.load('race-1');
    expect(view.triggers).toBeUndefined();
    const [birthday, winBack] = await Promise.all([journeys.journeys.current('birthday'), journeys.journeys.current('win-back')]);
    if (!birthday || !winBack) throw new Error('shipped journeys not published');
    const now = local.clock.now();
    await Promise.all([
      journeys.reactions.armDateTriggers('race-1', now, [birthday], { known: view }),
      journeys.reactions.armDateTriggers('race-1', now, [winBack], { known: view }),
    ]);
    expect(meter.log.filter((r) => r.key === 'CUSTOMER#<id> / JOURNEY#TRIGGERS' && r.failed)).toHaveLength(1);
    const raced = await triggers('race-1');
    expect(raced).toMatchObject({ version: 2, dueAt: '2027-03-11T15:00:00.000Z' });
    const occasions = (raced?.data as { journeys: Record<string, unknown> }).journeys;
    expect(occasions.birthday).toEqual((expected as { journeys: Record<string, unknown> }).journeys.birthday);
    expect(occasions['win-back']).toEqual((expected as { journeys: Record<string, unknown> }).journeys['win-back']);
  });

  it("enters no one for a disabled journey's occasion while the others in the item fire", async () => {
    expect(heldOutOfShipped('win-back', 'inactive#2027-01-10T16:00:00.000Z', ['first-1'])).toEqual([]);
    // first-1: win-back on Mar 11, birthday Sep 14. Birthday disabled before either.
    expect((await loyalty(local, ['campaigns', 'disable', 'birthday'])).code).toBe(0);
    await local.advanceTo('2027-03-11T15:30:00Z');
    expect(await subjectsTo(local, 'first-1@example.com')).toEqual([WIN_BACK]);
    await local.advanceTo('2027-09-15T00:00:00Z');
    expect(await subjectsTo(local, 'first-1@example.com')).not.toContain(GREETING);
    // Fired on Sep 14 with the journey disabled: that occasion is disarmed, the rest stay armed.
    const after = await triggers('first-1');
    const occasions = (after?.data as { journeys: Record<string, { dueAt: string | null; entryId: string | null }> }).journeys;
    expect(occasions.birthday).toEqual({ entryId: null, dueAt: null, entered: [] });
    expect(occasions['first-purchase-anniversary']?.dueAt).toMatch(/^2028-01-10T/);
    expect((await loyalty(local, ['campaigns', 'enable', 'birthday'])).code).toBe(0);
  }, 120_000);

  it('folds a trigger item of an older table into the customer timer when it comes due, and greets once though the fold crashed', async () => {
    await local.advanceTo('2027-10-01T00:00:00Z');
    expect(heldOutOfShipped('birthday', 'birthday#2027', ['legacy-1', 'legacy-2'])).toEqual([]);
    // legacy-1: only the old per-journey item (as a table written before JOURNEY#TRIGGERS holds it).
    // legacy-2: both, for the same occasion (armed again by a profile edit after the upgrade).
    await customer('legacy-1', '1990-10-20');
    await customer('legacy-2', '1990-10-20');
    await local.doc.send(new DeleteCommand({ TableName: local.tableName, Key: keys.journeyTriggers('legacy-1') }));
    const dueAt = new Date('2027-10-20T13:00:00.000Z');
    for (const customerId of ['legacy-1', 'legacy-2']) {
      await local.doc.send(new PutCommand({ TableName: local.tableName, Item: { ...keys.dueDirectory(dueAt, dueShard(customerId)), type: 'due-directory' } }));
      await local.doc.send(
        new PutCommand({
          TableName: local.tableName,
          Item: {
            ...keys.legacyJourneyTrigger(customerId, 'birthday'),
            type: 'timer',
            customerId,
            kind: 'journey-trigger',
            version: 4,
            data: { kind: 'journey-trigger', journeyId: 'birthday', entryId: 'birthday#2027', entered: ['birthday#2026'] },
            dueAt: dueAt.toISOString(),
            [INDEXES.due.partitionKey]: keys.dueBucket(dueAt, dueShard(customerId)),
            [INDEXES.due.sortKey]: keys.dueSort(dueAt, customerId, 'journey-trigger#birthday'),
          },
        }),
      );
    }
    await local.advanceTo('2027-10-20T14:00:00Z');
    expect(schedulerFault?.injected()).toBe(1);
    for (const customerId of ['legacy-1', 'legacy-2']) {
      expect(await subjectsTo(local, `${customerId}@example.com`)).toEqual([GREETING]);
      const { Item } = await local.doc.send(
        new GetCommand({ TableName: local.tableName, Key: keys.legacyJourneyTrigger(customerId, 'birthday'), ConsistentRead: true }),
      );
      expect(Item).toBeUndefined();
      expect(await triggers(customerId)).toMatchObject({
        dueAt: '2028-10-20T13:00:00.000Z',
        data: { journeys: { birthday: { entryId: 'birthday#2028', entered: ['birthday#2026', 'birthday#2027'] } } },
      });
    }
    await local.advanceTo('2027-10-25T00:00:00Z');
    expect(await subjectsTo(local, 'legacy-1@example.com')).toEqual([GREETING]);
    expect(local.deadLetters()).toEqual([]);
  }, 120_000);
});
