// Coupons end to end against the local runtime: a journey's send issues a unique code per
// customer, a purchase that carries it is recorded as a redemption ONCE (redelivered, or after a
// crash between the two writes) and attributed to the journey, step and variant that issued it;
// expired, foreign and re-used codes are counted as such and never attributed; the report shows
// redemption rate and revenue per journey and step in JSON, text and HTML.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { LoyaltyReport } from '#shared/flows/analytics.ts';
import { recordCouponUse } from '#shared/journeys/coupon-redemptions.ts';
import { CouponStore } from '#shared/store/coupons.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { keys } from '#shared/store/keys.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
const codes = new Map<string, string>();

const thankYou = `id: thank-you
name: Thank you for your first order
trigger:
  on: event
  event: Purchase Completed
steps:
  - id: thanks
    send:
      template: thank-you
      offer: { kind: amount-off, codePrefix: TY, valueByTier: { Bronze: "5" }, expiresAfterDays: 10 }
`;

async function orderOf(customerId: string, orderId: string) {
  const { Item } = await local.doc.send(
    new GetCommand({ TableName: local.tableName, Key: keys.purchase(customerId, orderId) }),
  );
  return Item;
}

/** The coupon items in the table (a customer's, when named). */
async function couponItems(customerId?: string) {
  const { Items = [] } = await local.doc.send(
    new ScanCommand({
      TableName: local.tableName,
      FilterExpression: customerId ? '#t = :coupon AND customerId = :c' : '#t = :coupon',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':coupon': 'coupon', ...(customerId ? { ':c': customerId } : {}) },
    }),
  );
  return Items;
}

async function report(format: 'json' | 'html' = 'json') {
  return fetch(`${local.endpoints.aws}/_local/report?format=${format}&from=2027-03-01&to=2027-04-01`);
}

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random' });
  const repo = await mkdtemp(path.join(tmpdir(), 'coupons-'));
  await writeFile(path.join(repo, 'thank-you.yaml'), thankYou);
  await writeTemplate(repo, 'thank-you', { subject: 'Thanks', text: 'Your code {{ coupon.code }}' });
  await publishJourneyFile(local, path.join(repo, 'thank-you.yaml'));
  for (const customerId of ['ann', 'bob', 'cy']) {
    local.putEvents([customerEvent({ customerId, email: `${customerId}@example.com`, locale: 'en-US' })]);
    await local.drain();
    local.putEvents([
      purchaseEvent({ customerId, orderId: `${customerId}-1`, amount: '40.00', purchasedAt: '2027-03-01T11:00:00Z' }),
    ]);
    await local.drain();
  }
  for (const item of await couponItems()) codes.set(String(item.customerId), String(item.code));
}, 120_000);
afterAll(() => local?.stop());

describe('coupons end to end', () => {
  it('issues one code per customer, stored with the journey and step that issued it', async () => {
    expect([...codes.keys()].sort()).toEqual(['ann', 'bob', 'cy']);
    const coupon = await new CouponStore(local.doc, local.tableName).get(codes.get('ann') ?? '');
    expect(coupon).toMatchObject({ customerId: 'ann', campaignId: 'thank-you', stepId: 'thanks' });
  });

  it('records a redemption once, attributed to the send, even when the purchase is delivered twice', async () => {
    const redeem = purchaseEvent({
      customerId: 'ann',
      orderId: 'ann-2',
      amount: '80.00',
      purchasedAt: '2027-03-03T10:00:00Z',
      couponCode: codes.get('ann'),
    });
    await local.advanceTo('2027-03-03T12:00:00Z');
    local.putEvents([redeem, redeem]);
    await local.drain();
    local.putEvents([redeem]);
    await local.drain();
    expect(await orderOf('ann', 'ann-2')).toMatchObject({
      couponOutcome: 'redeemed',
      couponJourney: 'thank-you',
      couponStep: 'thanks',
    });
    expect(await new CouponStore(local.doc, local.tableName).get(codes.get('ann') ?? '')).toMatchObject({
      redeemedBy: 'ann-2',
    });
  });

  it('counts a second use, another customer’s code, an unknown code and an expired code — never attributed', async () => {
    await local.advanceTo('2027-03-20T12:00:00Z');
    local.putEvents([
      purchaseEvent({ customerId: 'ann', orderId: 'ann-3', amount: '10.00', purchasedAt: '2027-03-20T10:00:00Z', couponCode: codes.get('ann') }),
      purchaseEvent({ customerId: 'bob', orderId: 'bob-2', amount: '10.00', purchasedAt: '2027-03-20T10:00:00Z', couponCode: codes.get('cy') }),
      purchaseEvent({ customerId: 'bob', orderId: 'bob-3', amount: '10.00', purchasedAt: '2027-03-20T10:05:00Z', couponCode: 'NOPE-1234' }),
      purchaseEvent({ customerId: 'cy', orderId: 'cy-2', amount: '10.00', purchasedAt: '2027-03-20T10:00:00Z', couponCode: codes.get('cy') }),
    ]);
    await local.drain();
    expect((await orderOf('ann', 'ann-3'))?.couponOutcome).toBe('already-used');
    expect(await orderOf('bob', 'bob-2')).toMatchObject({ couponOutcome: 'foreign', couponReason: 'issued to another customer by thank-you' });
    expect((await orderOf('bob', 'bob-3'))?.couponOutcome).toBe('foreign');
    expect(await orderOf('cy', 'cy-2')).toMatchObject({ couponOutcome: 'expired' });
    for (const order of ['ann-3', 'bob-2', 'bob-3', 'cy-2'])
      expect((await orderOf(order.split('-')[0] ?? '', order))?.couponJourney).toBeUndefined();
    // cy's own code stays unredeemed: an expired use does not consume it, bob's attempt did not either.
    expect((await new CouponStore(local.doc, local.tableName).get(codes.get('cy') ?? ''))?.redeemedBy).toBeUndefined();
  });

  it('converges when the first delivery died between marking the coupon and the order', async () => {
    const coupons = new CouponStore(local.doc, local.tableName);
    const customers = new CustomerStore(local.doc, local.tableName);
    local.putEvents([customerEvent({ customerId: 'dee', email: 'dee@example.com', locale: 'en-US' })]);
    await local.drain();
    local.putEvents([purchaseEvent({ customerId: 'dee', orderId: 'dee-1', amount: '20.00', purchasedAt: '2027-03-20T11:00:00Z' })]);
    await local.drain();
    const code = String((await couponItems('dee'))[0]?.code);
    // The order is recorded by ingestion first (record, then announce); its coupon verdict crashes.
    const purchase = { customerId: 'dee', orderId: 'dee-2', purchasedAt: '2027-03-20T11:30:00Z', couponCode: code };
    await customers.recordOrderOnce(
      'dee',
      { orderId: 'dee-2', amountMilli: 30_000, currency: 'USD', purchasedAt: purchase.purchasedAt, couponCode: code },
      new Date('2027-03-20T11:30:00Z'),
    );
    const crashing = {
      coupons,
      customers: {
        recordCouponOutcome: async () => {
          throw new Error('crash after the coupon was marked');
        },
      },
    };
    await expect(recordCouponUse(crashing, purchase)).rejects.toThrow(/crash/);
    expect((await coupons.get(code))?.redeemedBy).toBe('dee-2');
    expect((await orderOf('dee', 'dee-2'))?.couponOutcome).toBeUndefined();
    expect((await recordCouponUse({ coupons, customers }, purchase))?.outcome).toBe('redeemed');
    expect((await recordCouponUse({ coupons, customers }, purchase))?.outcome).toBe('redeemed');
    expect(await orderOf('dee', 'dee-2')).toMatchObject({ couponOutcome: 'redeemed', couponJourney: 'thank-you' });
  });

  it('reports redemption rate and revenue per journey and step, and the codes not attributed', async () => {
    const json = (await (await report()).json()) as LoyaltyReport;
    const journey = json.campaigns.find((c) => c.campaignId === 'thank-you');
    expect(journey?.coupons).toMatchObject({ issued: 4, redeemed: 2, redemptionRate: 0.5, revenueMilli: 110_000 });
    expect(journey?.coupons.steps).toEqual([
      { step: 'thanks', issued: 4, redeemed: 2, redemptionRate: 0.5, revenueMilli: 110_000 },
    ]);
    expect(json.unattributedCodes).toEqual({ expired: 1, foreign: 2, alreadyUsed: 1 });

    const html = await (await report('html')).text();
    expect(html).toMatch(/data-coupons="thank-you" data-step="thanks"><td>↳ step thanks<\/td><td>4<\/td><td data-redeemed>2 of 4 \(50\.0%\)/);
    expect(html).toContain("expired 1, foreign (not ours, or another customer's) 2, already used 1");

    const elsewhere = await mkdtemp(path.join(tmpdir(), 'cwd-'));
    const text = await loyalty(local, ['report', '--from', '2027-03-01', '--to', '2027-04-01'], elsewhere);
    expect(text.stdout).toMatch(/coupons {7}issued 4 {2}redeemed 2 of 4 \(50\.0%\) {2}revenue \$110\.00/);
    expect(text.stdout).toContain('expired 1, foreign 2, already used 1');
  });

  it('does not count a code minted for an email the sender then skipped (no consent): it reached nobody', async () => {
    local.putEvents([customerEvent({ customerId: 'eve', email: 'eve@example.com', locale: 'en-US', marketingConsent: false })]);
    await local.drain();
    local.putEvents([purchaseEvent({ customerId: 'eve', orderId: 'eve-1', amount: '40.00', purchasedAt: local.clock.now().toISOString() })]);
    await local.drain();
    expect(await couponItems('eve')).toHaveLength(1); // minted at the send step, before the sender's consent check
    expect((await local.emails()).filter((email) => email.destination.to.includes('eve@example.com'))).toEqual([]);
    const json = (await (await report()).json()) as LoyaltyReport;
    expect(json.campaigns.find((c) => c.campaignId === 'thank-you')?.coupons).toMatchObject({ issued: 4, redeemed: 2 });
  });
});
