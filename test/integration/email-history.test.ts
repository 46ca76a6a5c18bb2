// The email history's retention end to end on the embedded engines, with a deploy's shorter
// setting (200 days): every per-email item the functions write — ledger entry, journey send
// outcome, holdout, coupon, counted unsubscribe — carries `expiresAt` (epoch seconds) = its instant
// + the retention (a coupon: its own expiry + the retention). dynalite has no TTL, so the test
// deletes what DynamoDB would (sweepExpired): what the journeys guarantee must survive it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { LOCAL_CONFIGURATION_SET } from '#infra/local/ses-simulator.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { sentMailFromSesLocal, sesEvent } from '#shared/mail/ses-events.ts';
import { CouponStore } from '#shared/store/coupons.ts';
import { keys, TTL_ATTRIBUTE } from '#shared/store/keys.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';
import { customerItems } from '../support/table.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import {
  type DeliveryLocal,
  emailsTo,
  enqueue,
  header,
  ledgerEntry,
  newsRequest,
  sendOutcome,
  startDelivery,
  stepCounters,
  upsertCustomers,
} from './sender-fixtures.ts';

const RETENTION_DAYS = 200;
const epochSeconds = (iso: unknown) => Math.floor(Date.parse(String(iso)) / 1000);
const plusRetention = (iso: unknown) => epochSeconds(iso) + RETENTION_DAYS * 86_400;

// reentry once (the default): one thank-you per customer, ever; half held out to measure uplift.
const THANKS = `id: thanks
name: Thank you
trigger: { on: event, event: Purchase Completed }
holdoutPercent: 50
steps:
  - id: thank
    send:
      template: thanks
      offer: { kind: amount-off, codePrefix: TY, valueByTier: { Bronze: "5" }, expiresAfterDays: 10 }
`;
// At most once a year: its look-back is the run state's entry time, which never expires.
const YEARLY = `id: yearly
name: Once a year
trigger: { on: event, event: Purchase Completed }
reentry: { every: 365d }
steps:
  - id: hello
    send: { template: yearly }
`;

const customers = Array.from({ length: 8 }, (_, i) => `eh-${i}`);
let local: LocalRuntime;
/** The customer who unsubscribes (no marketing after). */
let unsubscribed = '';

async function tableItems() {
  const { Items = [] } = await local.doc.send(new ScanCommand({ TableName: local.tableName, ConsistentRead: true }));
  return Items;
}

/** What DynamoDB's TTL does in the days after an item's `expiresAt`: deletes it. */
async function sweepExpired(): Promise<number> {
  const now = local.clock.now().getTime() / 1000;
  const expired = (await tableItems()).filter((item) => typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= now);
  for (const item of expired)
    await local.doc.send(new DeleteCommand({ TableName: local.tableName, Key: { PK: item.PK, SK: item.SK } }));
  return expired.length;
}

const buy = async (customerId: string, orderId: string) => {
  local.putEvents([purchaseEvent({ customerId, orderId, amount: '40.00', purchasedAt: local.clock.now().toISOString() })]);
  await local.drain();
};
const sent = async (customerId: string, subject: string) =>
  (await subjectsTo(local, `${customerId}@example.com`)).filter((s) => s === subject).length;

beforeAll(async () => {
  // Noon in the customers' zone (UTC), outside quiet hours.
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random', shippedJourneys: false, emailHistoryDays: RETENTION_DAYS });
  const repo = await mkdtemp(path.join(tmpdir(), 'email-history-'));
  await writeFile(path.join(repo, 'thanks.yaml'), THANKS);
  await writeFile(path.join(repo, 'yearly.yaml'), YEARLY);
  await writeTemplate(repo, 'thanks', { subject: 'Thanks', text: 'Your code {{ coupon.code }}' });
  await writeTemplate(repo, 'yearly', { subject: 'Hello again', text: 'Hello' });
  await publishJourneyFile(local, path.join(repo, 'thanks.yaml'));
  await publishJourneyFile(local, path.join(repo, 'yearly.yaml'));
  local.putEvents(customers.map((customerId) => customerEvent({ customerId, email: `${customerId}@example.com`, locale: 'en-US', timeZone: 'UTC' })));
  await local.drain();
  for (const customerId of customers) await buy(customerId, `${customerId}-1`);
}, 120_000);
afterAll(() => local?.stop());

describe('email history retention', () => {
  it('puts expiresAt = the instant + the retention on the ledger entry, the send outcome and the holdout', async () => {
    const items = (await Promise.all(customers.map((id) => customerItems(local.doc, local.tableName, id)))).flat();
    const ledger = items.filter((item) => String(item.SK).startsWith('SEND#thanks#'));
    const outcomes = items.filter((item) => item.type === 'journey-send' && item.journeyId === 'thanks');
    const holdouts = items.filter((item) => String(item.SK).startsWith('HOLDOUT#thanks#'));
    expect(ledger.length).toBeGreaterThan(0);
    expect(holdouts.length).toBeGreaterThan(0);
    expect(ledger.length + holdouts.length).toBe(customers.length);
    for (const entry of ledger) {
      expect(entry.status).toBe('sent');
      expect(entry[TTL_ATTRIBUTE]).toBe(plusRetention(entry.claimedAt));
    }
    expect(outcomes).toHaveLength(ledger.length);
    for (const outcome of outcomes) {
      expect(outcome.outcome).toBe('sent');
      expect(outcome[TTL_ATTRIBUTE]).toBe(plusRetention(outcome.at));
    }
    for (const holdout of holdouts) expect(holdout[TTL_ATTRIBUTE]).toBe(plusRetention(holdout.at));
    // Items that do not grow with emails keep no expiry: the run state, the profile.
    const kept = items.filter((item) => item.type === 'journey-state' || item.SK === 'PROFILE');
    expect(kept.length).toBeGreaterThan(customers.length);
    for (const item of kept) expect(item[TTL_ATTRIBUTE]).toBeUndefined();
  });

  it('keeps a coupon findable for the retention after its own expiry, its validity as validUntil', async () => {
    const coupons = (await tableItems()).filter((item) => item.type === 'coupon');
    expect(coupons.length).toBeGreaterThan(0);
    for (const coupon of coupons) {
      expect(Date.parse(String(coupon.validUntil)) - Date.parse(String(coupon.issuedAt))).toBe(10 * DAY_MS);
      expect(coupon[TTL_ATTRIBUTE]).toBe(plusRetention(coupon.validUntil));
    }
  });

  it('still reads a coupon stored before validUntil, its validity in expiresAt (a string, which TTL ignores)', async () => {
    const code = 'OLD27-ABCDEFGH';
    await local.doc.send(
      new PutCommand({
        TableName: local.tableName,
        Item: {
          ...keys.coupon(code),
          type: 'coupon',
          code,
          customerId: 'eh-0',
          campaignId: 'thanks',
          period: 'order#old#thank',
          issuedAt: '2026-01-01T00:00:00.000Z',
          expiresAt: '2026-01-31T00:00:00.000Z',
        },
      }),
    );
    expect(await new CouponStore(local.doc, local.tableName).get(code)).toMatchObject({ expiresAt: '2026-01-31T00:00:00.000Z' });
  });

  it("expires a counted unsubscribe with the history, measured from the unsubscribe", async () => {
    const email = (await local.emails()).find((e) => e.subject === 'Thanks');
    const customerId = email?.destination.to[0]?.split('@')[0] ?? 'none';
    unsubscribed = customerId;
    const link = /<(http[^>]+)>/.exec(header(email!, 'List-Unsubscribe') ?? '')?.[1] ?? '';
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    const { Item } = await local.doc.send(
      new GetCommand({ TableName: local.tableName, Key: keys.unsubscribeCountMarker(customerId, 'thanks') }),
    );
    expect(Item?.[TTL_ATTRIBUTE]).toBe(plusRetention(local.clock.now().toISOString()));
  });

  it('re-entry "once" and "at most once a year" hold after the history is deleted: they read the run state', async () => {
    const before = await Promise.all(customers.map((id) => sent(id, 'Hello again')));
    expect(before.every((n) => n === 1)).toBe(true);
    const thanked = await Promise.all(customers.map((id) => sent(id, 'Thanks')));
    // 250 days on: past every item's expiry; DynamoDB has deleted them.
    await local.advanceTo('2027-11-06T12:00:00Z');
    expect(await sweepExpired()).toBeGreaterThan(customers.length * 2);
    const left = (await tableItems()).filter((item) => /^(SEND|HOLDOUT)#/.test(String(item.SK)) || item.type === 'journey-send');
    expect(left).toEqual([]);
    for (const customerId of customers) await buy(customerId, `${customerId}-2`);
    for (const [i, customerId] of customers.entries()) {
      expect(await sent(customerId, 'Thanks'), customerId).toBe(thanked[i]);
      expect(await sent(customerId, 'Hello again'), customerId).toBe(1);
    }
    // A year after the first entry, the yearly journey takes them again (who has not unsubscribed).
    await local.advanceTo('2028-03-02T12:00:00Z');
    for (const customerId of customers) await buy(customerId, `${customerId}-3`);
    for (const customerId of customers) {
      expect(await sent(customerId, 'Hello again'), customerId).toBe(customerId === unsubscribed ? 1 : 2);
    }
    expect(await Promise.all(customers.map((id) => sent(id, 'Thanks')))).toEqual(thanked);
  }, 120_000);
});

// No request or SES event for a ledger key comes after the entry's expiry (the retention is longer
// than a deferral's wait plus a message's lifetime, shared/domain/email-history.ts), and DynamoDB
// deletes an expired item days later, not at the second. So no reader must treat an expired item
// as gone: the sender honours an entry it still finds, which can only hold back an email.
describe('the ledger past its expiry, not yet deleted', () => {
  let d: DeliveryLocal;
  beforeAll(async () => {
    d = await startDelivery({ now: '2026-01-05T10:00:00Z' });
    await upsertCustomers(d.local, [{ customerId: 'c-ada', email: 'ada@example.com', timeZone: 'UTC' }]);
  });
  afterAll(() => d?.stop());

  it('still holds back a second email for its key, with the default 400 days', async () => {
    const request = newsRequest('c-ada');
    await enqueue(d.local, [request]);
    await d.local.drain();
    const entry = await ledgerEntry(d.local, 'c-ada', request.campaignId, request.period);
    expect(entry?.[TTL_ATTRIBUTE]).toBe(epochSeconds(entry?.claimedAt) + 400 * 86_400);
    expect(await sendOutcome(d.local, request)).toMatchObject({ outcome: 'sent', [TTL_ATTRIBUTE]: expect.any(Number) });
    await d.local.advanceTo('2027-02-10T10:00:00Z');
    expect(d.local.clock.now().getTime() / 1000).toBeGreaterThan(Number(entry?.[TTL_ATTRIBUTE]));
    await enqueue(d.local, [request]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(1);
    expect(await ledgerEntry(d.local, 'c-ada', request.campaignId, request.period)).toMatchObject({ status: 'sent' });
  });

  it("completes and counts nothing when an SES Send event comes after DynamoDB deleted the entry", async () => {
    const request = newsRequest('c-ada');
    const [email] = await emailsTo(d.local, 'ada@example.com');
    const mail = sentMailFromSesLocal(email!, LOCAL_CONFIGURATION_SET);
    await d.local.doc.send(
      new DeleteCommand({ TableName: d.local.tableName, Key: keys.sendLedger('c-ada', request.campaignId, request.period) }),
    );
    await d.local.putEvents([{ ...sesEvent('send', mail, d.local.clock.now()), busName: 'default' }]);
    await d.local.drain();
    expect(await ledgerEntry(d.local, 'c-ada', request.campaignId, request.period)).toBeUndefined();
    expect(await stepCounters(d.local, 'news', '2026-01-05')).toMatchObject({ sent: 1 });
    expect(await stepCounters(d.local, 'news', d.local.clock.now().toISOString().slice(0, 10))).toBeUndefined();
  });
});
