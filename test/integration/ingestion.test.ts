// Ingestion end to end on the embedded engines: events go through the local bus and queues into
// the real handlers and dynalite. Each test uses its own customers, so one runtime serves the file.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEvent, type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent, purchaseEvent, refundEvent } from '../support/fixtures.ts';
import { withDynamoFault } from '../support/faults.ts';
import { customerItems, profileOf } from '../support/table.ts';

let local: LocalRuntime;
let faults: { injected: () => number } | undefined;

beforeAll(async () => {
  local = await startLocal({
    now: '2026-11-01T00:00:00Z',
    wrapRuntime: (name, runtime, endpoints) => {
      if (name !== 'ingest-orders') return runtime;
      // Orders for customer "crash-*" crash once right after the order is written, before the
      // aggregates are saved, like a Lambda timing out half-way.
      const faulty = withDynamoFault(runtime, endpoints.dynamo, { command: 'UpdateItemCommand', times: 1 });
      faults = faulty;
      return {
        ...runtime,
        doc: new Proxy(runtime.doc, {
          get: (target, key) => (key === 'send' ? sendRouter(target, faulty.doc) : Reflect.get(target, key)),
        }),
      };
    },
  });
}, 60_000);
afterAll(() => local?.stop());

/** Routes writes for "crash-*" customers through the faulty client, everything else normally. */
function sendRouter(normal: LocalRuntime['doc'], faulty: LocalRuntime['doc']) {
  return (command: { input: { Key?: { PK?: string }; Item?: { PK?: string } } }) => {
    const pk = command.input.Key?.PK ?? command.input.Item?.PK ?? '';
    const client = pk.startsWith('CUSTOMER#crash-') ? faulty : normal;
    return client.send(command as never);
  };
}

const profile = (customerId: string) => profileOf(local.doc, local.tableName, customerId);

describe('purchase ingestion', () => {
  it('records a purchase and the customer aggregates', async () => {
    local.putEvents([
      customerEvent({ customerId: 'p-1' }),
      purchaseEvent({ customerId: 'p-1', orderId: 'p-1-a', amount: '19.99' }),
    ]);
    await local.drain();
    const stored = await profile('p-1');
    expect(stored?.email).toBe('mei.chen@example.com');
    expect(stored?.purchases).toMatchObject({
      orderCount: 1,
      totalSpendMilli: 19_990,
      rollingSpendMilli: 19_990,
      averageOrderValueMilli: 19_990,
      firstPurchaseAt: '2026-10-01T10:00:00.000Z',
      lastPurchaseAt: '2026-10-01T10:00:00.000Z',
    });
  });

  it('treats a purchase delivered twice exactly like one delivery', async () => {
    const event = purchaseEvent({ customerId: 'dup-1', orderId: 'dup-1-a', amount: '50.00' });
    local.putEvents([event]);
    await local.drain();
    const once = await customerItems(local.doc, local.tableName, 'dup-1');
    local.putEvents([event, event]);
    await local.drain();
    const thrice = await customerItems(local.doc, local.tableName, 'dup-1');
    expect(thrice).toEqual(once);
    expect(thrice.filter((item) => String(item.SK).startsWith('PURCHASE#'))).toHaveLength(1);
    expect((await profile('dup-1'))?.purchases.totalSpendMilli).toBe(50_000);
  });

  it('converges to the same state whatever order the events arrive in', async () => {
    const events = (id: string) => [
      customerEvent({ customerId: id, firstName: 'First' }, new Date('2026-09-01T00:00:00Z')),
      customerEvent(
        { customerId: id, firstName: 'Second', locale: 'en-US' },
        new Date('2026-09-02T00:00:00Z'),
      ),
      purchaseEvent({
        customerId: id,
        orderId: `${id}-a`,
        amount: '100.00',
        purchasedAt: '2026-01-10T00:00:00Z',
      }),
      purchaseEvent({
        customerId: id,
        orderId: `${id}-b`,
        amount: '40.00',
        purchasedAt: '2026-06-10T00:00:00Z',
      }),
      refundEvent({
        customerId: id,
        orderId: `${id}-a`,
        amount: '30.00',
        refundedAt: '2026-02-01T00:00:00Z',
      }),
    ];
    const orders = [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [1, 4, 0, 3, 2],
    ];
    const states = [];
    for (const [n, order] of orders.entries()) {
      const id = `ooo-${n}`;
      const list = events(id);
      // One event at a time, in the permuted order, so the handler really sees that order.
      for (const index of order) {
        local.putEvents([list[index] as (typeof list)[number]]);
        await local.drain();
      }
      const stored = await profile(id);
      states.push({
        firstName: stored?.firstName,
        locale: stored?.locale,
        purchases: { ...stored?.purchases, asOf: undefined },
      });
    }
    expect(states[1]).toEqual(states[0]);
    expect(states[2]).toEqual(states[0]);
    expect(states[0]).toMatchObject({
      firstName: 'Second',
      locale: 'en-US',
      purchases: { orderCount: 2, totalSpendMilli: 110_000, refundedMilli: 30_000 },
    });
  });

  it('stores as refunded what the refunds took off, never more than the order amount', async () => {
    local.putEvents([purchaseEvent({ customerId: 'over-1', orderId: 'over-1-a', amount: '80.00' })]);
    await local.drain();
    local.putEvents([refundEvent({ customerId: 'over-1', orderId: 'over-1-a', amount: '500.00' })]);
    await local.drain();
    expect((await profile('over-1'))?.purchases).toMatchObject({
      orderCount: 1,
      totalSpendMilli: 0,
      refundedMilli: 80_000,
    });
  });

  it('creates a minimal profile for a purchase by an unknown customer, completed by a later upsert', async () => {
    local.putEvents([purchaseEvent({ customerId: 'new-1', orderId: 'new-1-a', amount: '12.00' })]);
    await local.drain();
    const minimal = await profile('new-1');
    expect(minimal).toMatchObject({
      customerId: 'new-1',
      consent: { granted: false },
      purchases: { orderCount: 1 },
    });
    expect(minimal?.email).toBeUndefined();
    local.putEvents([customerEvent({ customerId: 'new-1', email: 'late@example.com' })]);
    await local.drain();
    expect(await profile('new-1')).toMatchObject({
      email: 'late@example.com',
      consent: { granted: true },
      purchases: { orderCount: 1 },
    });
  });

  it('counts every purchase when many for one customer are processed concurrently', async () => {
    const purchases = Array.from({ length: 30 }, (_, i) =>
      purchaseEvent({ customerId: 'busy-1', orderId: `busy-1-${i}`, amount: '10.00' }),
    );
    local.putEvents(purchases);
    await local.drain();
    expect((await profile('busy-1'))?.purchases).toMatchObject({ orderCount: 30, totalSpendMilli: 300_000 });
  });

  it('recovers from a crash between recording the order and saving the aggregates', async () => {
    const before = faults?.injected() ?? 0;
    local.putEvents([purchaseEvent({ customerId: 'crash-1', orderId: 'crash-1-a', amount: '75.00' })]);
    await local.drain();
    expect(faults?.injected()).toBe(before + 1);
    expect((await profile('crash-1'))?.purchases).toMatchObject({ orderCount: 1, totalSpendMilli: 75_000 });
    expect(local.deadLetters().filter((letter) => letter.body.includes('crash-1'))).toEqual([]);
  });

  it('moves spend out of the rolling 365-day window as the clock advances', async () => {
    local.putEvents([
      purchaseEvent({
        customerId: 'roll-1',
        orderId: 'roll-1-a',
        amount: '80.00',
        purchasedAt: '2026-01-15T00:00:00Z',
      }),
    ]);
    await local.drain();
    expect((await profile('roll-1'))?.purchases.rollingSpendMilli).toBe(80_000);
    // Any later event for the customer recomputes the window as of the new now.
    await local.advanceTo('2027-02-01T00:00:00Z');
    local.putEvents([
      purchaseEvent({
        customerId: 'roll-1',
        orderId: 'roll-1-b',
        amount: '5.00',
        purchasedAt: '2027-01-31T00:00:00Z',
      }),
    ]);
    await local.drain();
    expect((await profile('roll-1'))?.purchases).toMatchObject({
      totalSpendMilli: 85_000,
      rollingSpendMilli: 5_000,
    });
  });
});

describe('customer ingestion', () => {
  it('keeps the newest profile when an older upsert arrives late', async () => {
    local.putEvents([
      customerEvent({ customerId: 'late-1', firstName: 'New' }, new Date('2026-10-02T00:00:00Z')),
    ]);
    await local.drain();
    local.putEvents([
      customerEvent(
        { customerId: 'late-1', firstName: 'Old', marketingConsent: false },
        new Date('2026-10-01T00:00:00Z'),
      ),
    ]);
    await local.drain();
    expect(await profile('late-1')).toMatchObject({ firstName: 'New', consent: { granted: true } });
  });

  it("orders upserts within one event-time second by the shop's updatedAt, whichever arrives first", async () => {
    const second = new Date('2026-10-20T08:00:00Z');
    const upsert = (customerId: string, firstName: string, updatedAt: string) =>
      customerEvent({ customerId, firstName, updatedAt }, second);
    // Both arrival orders for several customers: event ids (the old tie-break) are random.
    const ids = Array.from({ length: 8 }, (_, i) => `same-second-${i}`);
    for (const [i, id] of ids.entries()) {
      const older = upsert(id, 'Older', '2026-10-20T08:00:00.120Z');
      const newer = upsert(id, 'Newer', '2026-10-20T08:00:00.870Z');
      local.putEvents([i % 2 ? older : newer]);
      await local.drain();
      local.putEvents([i % 2 ? newer : older]);
      await local.drain();
    }
    for (const id of ids) expect((await profile(id))?.firstName, id).toBe('Newer');
  });

  it('clears optional fields an upsert leaves out (an upsert carries the whole profile)', async () => {
    local.putEvents([
      customerEvent({ customerId: 'clear-1', lastName: 'Chen' }, new Date('2026-10-01T00:00:00Z')),
    ]);
    await local.drain();
    local.putEvents([
      customerEvent({ customerId: 'clear-1', lastName: undefined }, new Date('2026-10-02T00:00:00Z')),
    ]);
    await local.drain();
    expect((await profile('clear-1'))?.lastName).toBeUndefined();
  });
});

/** A valid event with some detail fields replaced by values of the wrong type. */
function malformed(event: LocalEvent, patch: Record<string, unknown>): LocalEvent {
  return { ...event, detail: { ...(event.detail as Record<string, unknown>), ...patch } };
}

describe('invalid events', () => {
  const cases: { name: string; event: LocalEvent; field: string; value: unknown; reason: RegExp }[] = [
    {
      name: 'a missing required field',
      event: purchaseEvent({ customerId: 'bad-1', currency: undefined }),
      field: 'detail.currency',
      value: undefined,
      reason: /expected string/,
    },
    {
      name: 'an unknown currency',
      event: purchaseEvent({ customerId: 'bad-2', currency: 'XYZ' }),
      field: 'detail.currency',
      value: 'XYZ',
      reason: /ISO 4217/,
    },
    {
      name: 'a negative amount',
      event: purchaseEvent({ customerId: 'bad-3', amount: -12 }),
      field: 'detail.amount',
      value: -12,
      reason: /non-negative decimal/,
    },
    {
      name: 'more decimals than the currency has',
      event: purchaseEvent({ customerId: 'bad-4', amount: '10.5', currency: 'JPY' }),
      field: 'detail.amount',
      value: '10.5',
      reason: /JPY allows \(0\)/,
    },
    {
      name: 'a malformed date',
      event: purchaseEvent({ customerId: 'bad-5', purchasedAt: '2026-02-30 10:00' }),
      field: 'detail.purchasedAt',
      value: '2026-02-30 10:00',
      reason: /ISO 8601/,
    },
    {
      name: 'an unknown field',
      event: purchaseEvent({ customerId: 'bad-6', purchased_at: 'x' }),
      field: 'detail.purchased_at',
      value: 'x',
      reason: /not a field/,
    },
    {
      name: 'an impossible birthday',
      event: customerEvent({ customerId: 'bad-7', birthday: '02-30' }),
      field: 'detail.birthday',
      value: '02-30',
      reason: /real calendar day/,
    },
    {
      name: 'an unknown time zone',
      event: customerEvent({ customerId: 'bad-8', timeZone: 'Mars/Olympus' }),
      field: 'detail.timeZone',
      value: 'Mars/Olympus',
      reason: /IANA/,
    },
    // Future-dated business times (the clock skew allowance is 15 minutes).
    {
      name: 'a purchase dated 9999-12-31',
      event: purchaseEvent({ customerId: 'bad-10', purchasedAt: '9999-12-31T00:00:00Z' }),
      field: 'detail.purchasedAt',
      value: '9999-12-31T00:00:00Z',
      reason: /in the future: more than 15 minutes after/,
    },
    {
      name: 'a purchase 14 months ahead',
      event: purchaseEvent({ customerId: 'bad-11', purchasedAt: '2028-04-01T00:00:00Z' }),
      field: 'detail.purchasedAt',
      value: '2028-04-01T00:00:00Z',
      reason: /in the future/,
    },
    {
      name: 'a refund dated ahead',
      event: refundEvent({ customerId: 'bad-12', refundedAt: '2030-01-01T00:00:00Z' }),
      field: 'detail.refundedAt',
      value: '2030-01-01T00:00:00Z',
      reason: /in the future/,
    },
    {
      name: 'a survey answer dated ahead',
      event: {
        source: 'shop.surveys',
        detailType: 'Survey Answered',
        detail: { customerId: 'bad-13', score: 9, answeredAt: '2030-01-01T00:00:00Z' },
      },
      field: 'detail.answeredAt',
      value: '2030-01-01T00:00:00Z',
      reason: /in the future/,
    },
    {
      name: 'an upsert with updatedAt ahead',
      event: customerEvent({ customerId: 'bad-14', updatedAt: '2030-01-01T00:00:00.000Z' }),
      field: 'detail.updatedAt',
      value: '2030-01-01T00:00:00.000Z',
      reason: /in the future/,
    },
    {
      name: 'an upsert whose event time is ahead',
      event: customerEvent({ customerId: 'bad-15' }, new Date('2030-01-01T00:00:00Z')),
      field: 'time',
      value: '2030-01-01T00:00:00Z',
      reason: /in the future/,
    },
    // Hostile or undeliverable input.
    {
      name: 'an attribute named __proto__',
      event: customerEvent({
        customerId: 'bad-16',
        attributes: JSON.parse('{"__proto__":{"isAdmin":"yes"},"tier":"vip"}'),
      }),
      field: 'detail.attributes.__proto__',
      value: { isAdmin: 'yes' },
      reason: /reserved name/,
    },
    {
      name: 'an email local part over 64 octets',
      event: customerEvent({ customerId: 'bad-17', email: `${'a'.repeat(65)}@example.com` }),
      field: 'detail.email',
      value: `${'a'.repeat(65)}@example.com`,
      reason: /64 octets \(RFC 5321\)/,
    },
    {
      name: 'a NUL in a first name',
      event: customerEvent({ customerId: 'bad-18', firstName: 'Ada\u0000' }),
      field: 'detail.firstName',
      value: 'Ada\u0000',
      reason: /control characters/,
    },
    {
      name: 'a line break in a coupon code',
      event: purchaseEvent({ customerId: 'bad-19', couponCode: 'SAVE\r\nBcc: x' }),
      field: 'detail.couponCode',
      value: 'SAVE\r\nBcc: x',
      reason: /control characters/,
    },
    // Wrong types name what was expected rather than a bare "Invalid input".
    {
      name: 'an amount of the wrong type',
      event: malformed(purchaseEvent({ customerId: 'bad-20' }), { amount: true }),
      field: 'detail.amount',
      value: true,
      reason: /non-negative decimal.*number or a string/,
    },
    {
      name: 'a refund amount of the wrong type',
      event: malformed(refundEvent({ customerId: 'bad-21' }), { amount: {} }),
      field: 'detail.amount',
      value: {},
      reason: /non-negative decimal.*number or a string/,
    },
    {
      name: 'a line item price of the wrong type',
      event: malformed(purchaseEvent({ customerId: 'bad-22' }), {
        items: [{ sku: 's', quantity: 1, unitPrice: null }],
      }),
      field: 'detail.items.0.unitPrice',
      value: null,
      reason: /non-negative decimal/,
    },
  ];

  it.each(cases)(
    'rejects $name with field, value and reason, and writes nothing',
    async ({ event, field, value, reason }) => {
      const customerId = (event.detail as { customerId: string }).customerId;
      local.putEvents([event]);
      await local.drain();
      const letter = local.deadLetters().find((l) => l.body.includes(`"${customerId}"`));
      expect(letter?.rejections).toEqual([
        { field, ...(value === undefined ? {} : { value }), reason: expect.stringMatching(reason) },
      ]);
      expect(letter?.rejectedBy).toMatch(/^ingest-/);
      expect(await customerItems(local.doc, local.tableName, customerId)).toEqual([]);
    },
  );

  it('dead-letters nothing with a bare "Invalid input": every rejection says what was expected', () => {
    const letters = local.deadLetters().map((letter) => JSON.stringify(letter.rejections));
    expect(letters.length).toBeGreaterThanOrEqual(cases.length);
    expect(letters.filter((rejections) => rejections.includes('"reason":"Invalid input"'))).toEqual([]);
  });

  it('rejects an event type no function handles for that source', async () => {
    local.putEvents([{ source: 'shop.orders', detailType: 'Purchase Completed', detail: 'not an object' }]);
    await local.drain();
    expect(local.deadLetters().some((l) => JSON.stringify(l.rejections).includes('"field":"detail"'))).toBe(
      true,
    );
  });

  it('replays a dead letter once the cause is fixed, and lists it until then', async () => {
    const before = local.deadLetters().length;
    local.putEvents([purchaseEvent({ customerId: 'bad-9', amount: 'ten dollars' })]);
    await local.drain();
    expect(local.deadLetters()).toHaveLength(before + 1);
    // Rejected events stay rejected on replay (the data is still bad) and are listed again.
    local.redriveDeadLetters();
    await local.drain();
    expect(local.deadLetters()).toHaveLength(before + 1);
  });
});

describe('the EventBridge stand-in', () => {
  it('accepts PutEvents from the ordinary AWS SDK client with an endpoint override', async () => {
    const client = new EventBridgeClient({
      endpoint: local.endpoints.aws,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
    });
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'marketing',
            Source: 'shop.orders',
            DetailType: 'Purchase Completed',
            Detail: JSON.stringify({
              orderId: 'sdk-1-a',
              customerId: 'sdk-1',
              amount: 9.5,
              currency: 'EUR',
              purchasedAt: '2026-10-30T08:00:00+01:00',
            }),
          },
          { EventBusName: 'nope', Source: 'shop.orders', DetailType: 'Purchase Completed', Detail: '{}' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[1]?.ErrorCode).toBe('ResourceNotFoundException');
    await local.drain();
    expect((await profile('sdk-1'))?.purchases).toMatchObject({
      totalSpendMilli: 9_500,
      lastPurchaseAt: '2026-10-30T07:00:00.000Z',
    });
  });
});
