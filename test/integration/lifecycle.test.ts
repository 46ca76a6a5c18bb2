// The lifecycle stage end to end: purchases through the local bus into ingest-orders, the
// 'lifecycle' timer fired by the scheduler as the simulated clock advances; the stage is read
// from the stored profile and every Lifecycle Stage Changed the two functions put on the bus is
// counted.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { StoredLifecycle } from '#shared/domain/lifecycle.ts';
import {
  LIFECYCLE_STAGE_CHANGED,
  type LifecycleStageChanged,
  lifecycleStageChangedDetail,
} from '#shared/events/emitted.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { dueShard, keys } from '#shared/store/keys.ts';
import { timerItem } from '#shared/store/timers.ts';
import { aroundPutEvents } from '../support/faults.ts';
import { purchaseEvent } from '../support/fixtures.ts';
import { customerItems, profileOf } from '../support/table.ts';

let local: LocalRuntime;
const published: LifecycleStageChanged[] = [];
/** Customers whose next Lifecycle Stage Changed publish crashes (after the stage was stored). */
const crashBeforePublish = new Set<string>();

beforeAll(async () => {
  local = await startLocal({
    now: '2026-01-01T00:00:00Z',
    ports: 'random',
    wrapRuntime: (name, runtime) =>
      name !== 'ingest-orders' && name !== 'scheduler'
        ? runtime
        : aroundPutEvents(runtime, async (command, put) => {
            const changes = (command.input.Entries ?? [])
              .filter((entry) => entry.DetailType === LIFECYCLE_STAGE_CHANGED)
              .map((entry) => lifecycleStageChangedDetail.parse(JSON.parse(entry.Detail ?? '{}')));
            const crashing = changes.find((change) => crashBeforePublish.delete(change.customerId));
            if (crashing) throw new Error(`injected crash before publishing ${crashing.changeId}`);
            const result = await put();
            published.push(...changes);
            return result;
          }),
  });
}, 60_000);
afterAll(() => local?.stop());

async function purchase(customerId: string, orderId: string, purchasedAt: string) {
  await local.putEvents([purchaseEvent({ customerId, orderId, purchasedAt, amount: '42.00' })]);
  await local.drain();
}

async function lifecycleOf(customerId: string): Promise<StoredLifecycle | undefined> {
  return (await profileOf(local.doc, local.tableName, customerId))?.lifecycle as StoredLifecycle | undefined;
}
const stageOf = async (customerId: string) => (await lifecycleOf(customerId))?.stage;
const transitionsOf = (customerId: string) =>
  published.filter((event) => event.customerId === customerId).map((event) => `${event.from}->${event.to}`);

describe('lifecycle stage on the customer record', () => {
  it('walks new -> active -> at-risk -> lapsed -> churned on its timer, one event per transition; a lapsed buyer is reactivated', async () => {
    await purchase('life-1', 'life-1-a', '2026-01-01T00:00:00Z');
    await purchase('life-2', 'life-2-a', '2026-01-01T00:00:00Z');
    expect(await lifecycleOf('life-1')).toEqual({
      stage: 'new',
      since: '2026-01-01T00:00:00.000Z',
      previousStage: null,
      seq: 0,
    });
    expect(transitionsOf('life-1')).toEqual([]);

    await local.advanceTo('2026-01-30T23:00:00Z');
    expect(await stageOf('life-1')).toBe('new');
    await local.advanceTo('2026-01-31T01:00:00Z'); // 30 days after the first purchase
    expect(await stageOf('life-1')).toBe('active');
    expect(transitionsOf('life-1')).toEqual(['new->active']);

    await local.advanceTo('2026-03-02T01:00:00Z'); // 60 days without a purchase
    expect(await stageOf('life-1')).toBe('at-risk');
    await local.advanceTo('2026-05-01T01:00:00Z'); // 120 days
    expect(await stageOf('life-1')).toBe('lapsed');
    expect(await stageOf('life-2')).toBe('lapsed');

    // life-2 comes back while lapsed; the purchase is delivered twice.
    await local.advanceTo('2026-06-01T00:00:00Z');
    await purchase('life-2', 'life-2-b', '2026-06-01T00:00:00Z');
    const reactivated = await lifecycleOf('life-2');
    expect(reactivated).toMatchObject({ stage: 'reactivated', previousStage: 'lapsed', seq: 4 });
    await purchase('life-2', 'life-2-b', '2026-06-01T00:00:00Z');
    expect(await lifecycleOf('life-2')).toEqual(reactivated);
    expect(transitionsOf('life-2')).toEqual([
      'new->active',
      'active->at-risk',
      'at-risk->lapsed',
      'lapsed->reactivated',
    ]);

    await local.advanceTo('2027-01-02T00:00:00Z'); // 365 days
    expect(await lifecycleOf('life-1')).toMatchObject({ stage: 'churned', previousStage: 'lapsed', seq: 4 });
    expect(transitionsOf('life-1')).toEqual([
      'new->active',
      'active->at-risk',
      'at-risk->lapsed',
      'lapsed->churned',
    ]);
    // Reactivated for 30 days, then active again; at-risk 60 days after the comeback purchase...
    expect(transitionsOf('life-2').slice(4, 7)).toEqual([
      'reactivated->active',
      'active->at-risk',
      'at-risk->lapsed',
    ]);
    expect(published.filter((event) => event.customerId === 'life-1').map((event) => event.changeId)).toEqual(
      ['life-1#lifecycle#1', 'life-1#lifecycle#2', 'life-1#lifecycle#3', 'life-1#lifecycle#4'],
    );
  }, 120_000);

  it('publishes a transition whose publish crashed after the write when the timer is retried, once', async () => {
    await purchase('life-3', 'life-3-a', '2027-01-02T00:00:00Z');
    crashBeforePublish.add('life-3');
    await local.advanceTo('2027-02-01T00:30:00Z'); // fired at day 30: stored, publish crashed
    expect(await stageOf('life-3')).toBe('active');
    expect(transitionsOf('life-3')).toEqual([]);
    await local.advanceTo('2027-02-01T02:00:00Z'); // the failed timer is retried an hour later
    expect(transitionsOf('life-3')).toEqual(['new->active']);
    await local.advanceTo('2027-03-05T00:00:00Z');
    expect(await stageOf('life-3')).toBe('at-risk');
    expect(transitionsOf('life-3')).toEqual(['new->active', 'active->at-risk']);
  }, 120_000);

  it('stores a reactivating purchase’s stage in its aggregates write; a publish that crashed after it is announced once by the redelivery', async () => {
    await purchase('life-5', 'life-5-a', '2027-03-05T00:00:00Z');
    await local.advanceTo('2027-07-05T01:00:00Z'); // 122 days without a purchase
    expect(await stageOf('life-5')).toBe('lapsed');
    crashBeforePublish.add('life-5');
    await purchase('life-5', 'life-5-b', '2027-07-05T01:00:00Z');
    expect(crashBeforePublish.has('life-5')).toBe(false); // the crash came after the write
    expect(await lifecycleOf('life-5')).toMatchObject({ stage: 'reactivated', previousStage: 'lapsed', seq: 4 });
    await local.advanceTo('2027-07-05T02:00:00Z'); // the failed delivery comes back
    expect(transitionsOf('life-5')).toEqual(['new->active', 'active->at-risk', 'at-risk->lapsed', 'lapsed->reactivated']);
    // The redelivery armed the timer the crash never reached: reactivated for 30 days, then active.
    await local.advanceTo('2027-08-05T02:00:00Z');
    expect(await stageOf('life-5')).toBe('active');
    expect(transitionsOf('life-5').at(-1)).toBe('reactivated->active');
  }, 120_000);

  it('arms one timer, at the earliest first purchase, for two first orders delivered at once and again', async () => {
    const older = purchaseEvent({ customerId: 'life-7', orderId: 'life-7-a', purchasedAt: '2027-08-04T00:00:00Z', amount: '42.00' });
    const newer = purchaseEvent({ customerId: 'life-7', orderId: 'life-7-b', purchasedAt: '2027-08-05T00:00:00Z', amount: '42.00' });
    local.putEvents([newer, older, newer, older]);
    await local.drain();
    const items = await customerItems(local.doc, local.tableName, 'life-7');
    // 'new' until 30 days after the first purchase, then 'active': the change is armed in the
    // customer's one timer, and no lifecycle timer item of its own is written.
    expect(items.find((item) => item.SK === 'JOURNEY#TRIGGERS')).toMatchObject({
      dueAt: '2027-09-03T00:00:00.000Z',
      data: { lifecycle: '2027-09-03T00:00:00.000Z' },
    });
    expect(items.find((item) => item.SK === 'TIMER#lifecycle')).toBeUndefined();
    expect(await lifecycleOf('life-7')).toMatchObject({ stage: 'new', seq: 0 });
    expect(local.deadLetters()).toEqual([]);
  });

  it('never overwrites a transition the timer stored after a purchase read the stage: the purchase’s write loses and it re-reads', async () => {
    const store = new CustomerStore(local.doc, local.tableName);
    await purchase('life-6', 'life-6-a', '2027-08-05T00:00:00Z');
    const read = await store.loadPurchaseHistory('life-6');
    const stored = read.stored;
    const stage = stored?.lifecycle;
    if (!stored?.profile.purchases || !stage) throw new Error('expected a stored stage and aggregates');
    const timerMove = { stage: 'active' as const, since: '2027-09-04T00:00:00.000Z', previousStage: stage.stage, seq: stage.seq + 1 };
    expect(await store.saveLifecycle('life-6', timerMove, stage.seq)).toBe(true);
    const purchaseMove = { ...timerMove, stage: 'reactivated' as const };
    expect(
      await store.saveAggregates('life-6', stored.profile.purchases, stored.aggVersion, new Date(), stored.loyalty, {
        lifecycle: { record: purchaseMove, expectedSeq: stage.seq },
      }),
    ).toBe(false);
    expect(await lifecycleOf('life-6')).toEqual(timerMove);
  });
});

describe('a lifecycle timer of an older table (its own TIMER#lifecycle item)', () => {
  it('moves on through the stages: its next change joins the customer timer and it is disarmed', async () => {
    await local.advanceTo('2027-09-10T00:00:00Z');
    await purchase('life-8', 'life-8-a', '2027-09-10T00:00:00Z');
    // As a table written before the change held it: no JOURNEY#TRIGGERS, a lifecycle timer item.
    await local.doc.send(new DeleteCommand({ TableName: local.tableName, Key: keys.journeyTriggers('life-8') }));
    const at = new Date('2027-10-10T00:00:00.000Z');
    await local.doc.send(new PutCommand({ TableName: local.tableName, Item: { ...keys.dueDirectory(at, dueShard('life-8')), type: 'due-directory' } }));
    await local.doc.send(new PutCommand({ TableName: local.tableName, Item: timerItem('life-8', { kind: 'lifecycle', at: at.toISOString() }, at, 3) }));
    await local.advanceTo('2027-10-10T01:00:00Z');
    expect(await stageOf('life-8')).toBe('active');
    const items = await customerItems(local.doc, local.tableName, 'life-8');
    const old = items.find((item) => item.SK === 'TIMER#lifecycle');
    expect(old).toMatchObject({ data: { kind: 'lifecycle', at: null } });
    expect(old?.dueAt).toBeUndefined();
    expect(old?.GSI1PK).toBeUndefined();
    // At risk 60 days after the purchase: armed in the customer's timer, which fires it.
    expect(items.find((item) => item.SK === 'JOURNEY#TRIGGERS')).toMatchObject({ data: { lifecycle: '2027-11-09T00:00:00.000Z' } });
    await local.advanceTo('2027-11-09T01:00:00Z');
    expect(await stageOf('life-8')).toBe('at-risk');
    expect(transitionsOf('life-8')).toEqual(['new->active', 'active->at-risk']);
  }, 120_000);
});

describe('lifecycle thresholds', () => {
  it('follow LIFECYCLE_THRESHOLDS in ingest-orders and the scheduler', async () => {
    const custom = await startLocal({
      now: '2026-01-01T00:00:00Z',
      ports: 'random',
      env: { LIFECYCLE_THRESHOLDS: '{"newDays":10,"atRiskDays":20,"reactivatedDays":10}' },
    });
    try {
      await custom.putEvents([
        purchaseEvent({ customerId: 'life-c', orderId: 'life-c-a', purchasedAt: '2026-01-01T00:00:00Z' }),
      ]);
      await custom.drain();
      await custom.advanceTo('2026-01-11T01:00:00Z');
      expect((await profileOf(custom.doc, custom.tableName, 'life-c'))?.lifecycle).toMatchObject({
        stage: 'active',
      });
      await custom.advanceTo('2026-01-21T01:00:00Z');
      expect((await profileOf(custom.doc, custom.tableName, 'life-c'))?.lifecycle).toMatchObject({
        stage: 'at-risk',
        previousStage: 'active',
      });
    } finally {
      await custom.stop();
    }
  }, 120_000);
});
