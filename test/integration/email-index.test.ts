// The byEmail index holds one small ADDRESS item per address a customer was given, never the
// profile (whose every write would rewrite a 1–2 KB index entry): finding customers by address
// (bounces, complaints, the console's search) stays exact through address changes, crashes
// between the two writes, concurrent upserts, and tables whose profiles are still on the index.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/commons/runtime.ts';
import { type Engine, startDynamoWithTable } from '#infra/local/engines.ts';
import { loadProgram } from '#shared/config/program-file.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import type { CustomerUpserted } from '#shared/events/contracts.ts';
import { upsertCustomer } from '#shared/flows/customers.ts';
import { recordPurchase } from '#shared/flows/purchases.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { keys } from '#shared/store/keys.ts';
import { SuppressionStore } from '#shared/store/suppression.ts';
import { customerItems, profileOf } from '../support/table.ts';

const TABLE = 'email-index';
const clock = new ManualClock('2027-02-01T09:00:00Z');
let engine: Engine;
let doc: ReturnType<typeof documentClient>;
let customers: CustomerStore;
let suppression: SuppressionStore;
let seq = 0;
let customerId: string;

beforeAll(async () => {
  const started = await startDynamoWithTable(TABLE);
  engine = started.engine;
  doc = documentClient(started.client);
  customers = new CustomerStore(doc, TABLE);
  suppression = new SuppressionStore(doc, TABLE);
}, 60_000);
afterAll(() => engine?.close());
beforeEach(() => {
  customerId = `c-${++seq}`;
});

/** A Customer Upserted for the test's customer, newer than every one before it. */
function upsert(email: string, id = customerId) {
  clock.advanceMs(60_000);
  const event: CustomerUpserted = { customerId: id, email, marketingConsent: true };
  return upsertCustomer(customers, clock, event, { eventId: `e-${++seq}`, eventAt: clock.now().toISOString() });
}

const addressItems = async (id = customerId) =>
  (await customerItems(doc, TABLE, id)).filter((item) => String(item.SK).startsWith('ADDRESS#')).map((item) => item.SK);

describe('byEmail: ADDRESS items instead of the profile', () => {
  it('a new customer gets an ADDRESS item on the index; the profile is not on it, and a purchase writes no index entry', async () => {
    await upsert('Ada@Example.com');
    expect(await addressItems()).toEqual(['ADDRESS#ada@example.com']);
    expect(await profileOf(doc, TABLE, customerId)).not.toHaveProperty('GSI2PK');
    expect(await suppression.customersWithAddress('ada@example.COM')).toEqual([customerId]);

    await recordPurchase(customers, clock, purchase('o-1'), loadProgram({}));
    const profile = await profileOf(doc, TABLE, customerId);
    expect(profile?.purchases).toBeDefined();
    expect(profile).not.toHaveProperty('GSI2PK');
    expect(await addressItems()).toEqual(['ADDRESS#ada@example.com']);
  });

  it('an address change moves the customer: the old address finds no one, a bounce on it suppresses no one', async () => {
    await upsert('old@example.com');
    await upsert('new@example.com');
    expect(await addressItems()).toEqual(['ADDRESS#new@example.com']);
    expect(await suppression.customersWithAddress('old@example.com')).toEqual([]);
    expect(await suppression.suppressAddress('old@example.com', 'hard-bounce', clock.now())).toEqual([]);
    expect((await profileOf(doc, TABLE, customerId))?.suppressed).toBeUndefined();
    expect(await suppression.suppressAddress('NEW@example.com', 'complaint', clock.now())).toEqual([customerId]);
    // A redelivered complaint suppresses no one newly.
    expect(await suppression.suppressAddress('new@example.com', 'complaint', clock.now())).toEqual([]);
  });

  it('a redelivered upsert writes no second item and changes nothing', async () => {
    await upsert('same@example.com');
    const before = await customerItems(doc, TABLE, customerId);
    const again = await upsertCustomer(
      customers,
      clock,
      { customerId, email: 'same@example.com', marketingConsent: true },
      { eventId: 'e-old', eventAt: '2027-01-01T00:00:00Z' },
    );
    expect(again).toEqual({ applied: false, reason: 'stale' });
    expect(await customerItems(doc, TABLE, customerId)).toEqual(before);
  });

  it('a crash between the ADDRESS item and the profile write: the index never lacks the address the profile holds', async () => {
    await upsert('held@example.com');
    const stored = await customers.getProfile(customerId);
    // The upsert to next@ crashed after its ADDRESS item, before the profile write.
    await customers.saveAddress(customerId, 'next@example.com', stored!.profileVersion + 1);
    expect(await suppression.customersWithAddress('held@example.com')).toEqual([customerId]);
    expect(await suppression.customersWithAddress('next@example.com')).toEqual([]);
    // Its redelivery completes the move.
    await upsert('next@example.com');
    expect(await suppression.customersWithAddress('next@example.com')).toEqual([customerId]);
    expect(await suppression.customersWithAddress('held@example.com')).toEqual([]);
    expect(await addressItems()).toEqual(['ADDRESS#next@example.com']);
  });

  it('an upsert giving an address back while another moves away keeps its item (forVersion)', async () => {
    await upsert('a@example.com'); // profile v1, ADDRESS#a for v1
    // U1 moves to b: its item, then its profile write (v2)…
    await customers.saveAddress(customerId, 'b@example.com', 2);
    const v1 = (await customers.getProfile(customerId))!;
    expect(await customers.saveProfileFields({ ...v1.profile, email: 'b@example.com' }, 1)).toBe(true);
    // …U2, having read v2, gives a back: its item for v3 goes in before U1 drops a's item.
    await customers.saveAddress(customerId, 'a@example.com', 3);
    await customers.dropAddress(customerId, 'a@example.com', 2);
    const v2 = (await customers.getProfile(customerId))!;
    expect(await customers.saveProfileFields({ ...v2.profile, email: 'a@example.com' }, 2)).toBe(true);
    expect(await suppression.customersWithAddress('a@example.com')).toEqual([customerId]);

    // An older claim never lowers the version of the item a newer upsert wrote.
    await customers.saveAddress(customerId, 'a@example.com', 1);
    const item = await doc.send(new GetCommand({ TableName: TABLE, Key: keys.customerAddress(customerId, 'a@example.com') }));
    expect(item.Item?.forVersion).toBe(3);
  });

  it('two customers sharing an address are both found and both suppressed', async () => {
    const other = `${customerId}-twin`;
    await upsert('shared@example.com');
    await upsert('Shared@example.com', other);
    expect((await suppression.customersWithAddress('shared@example.com')).sort()).toEqual([customerId, other].sort());
    expect((await suppression.suppressAddress('shared@example.com', 'hard-bounce', clock.now())).sort()).toEqual(
      [customerId, other].sort(),
    );
  });

  it('a profile still on the index (older tables) is found, and its next write moves it to an ADDRESS item', async () => {
    await upsert('legacy@example.com');
    // As the code before ADDRESS items wrote it: the profile carries the index keys, no ADDRESS item.
    const item = (await profileOf(doc, TABLE, customerId))!;
    await doc.send(
      new PutCommand({ TableName: TABLE, Item: { ...item, ...keys.emailIndex('legacy@example.com', customerId) } }),
    );
    await customers.dropAddress(customerId, 'legacy@example.com', 99);
    expect(await addressItems()).toEqual([]);
    expect(await suppression.customersWithAddress('legacy@example.com')).toEqual([customerId]);

    await recordPurchase(customers, clock, purchase('o-legacy'), loadProgram({}));
    expect(await profileOf(doc, TABLE, customerId)).not.toHaveProperty('GSI2PK');
    expect(await addressItems()).toEqual(['ADDRESS#legacy@example.com']);
    expect(await suppression.customersWithAddress('legacy@example.com')).toEqual([customerId]);
  });
});

function purchase(orderId: string) {
  return {
    orderId,
    customerId,
    amount: '25.00',
    currency: 'USD',
    purchasedAt: clock.now().toISOString(),
  } as Parameters<typeof recordPurchase>[2];
}
