// The sample shop after the tour's one-year jump: its customers kept buying, lapsing, coming
// back and redeeming birthday coupons, so the report a year on is worth reading.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivingShop } from '#infra/local/living-shop.ts';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { sampleEvents } from '#infra/local/sample-data.ts';
import type { LoyaltyReport } from '#shared/flows/analytics.ts';

const CUSTOMERS = 60;
let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2027-01-01T12:00:00Z', ports: 'random' });
  local.putEvents(sampleEvents({ customers: CUSTOMERS, now: local.clock.now() }));
  await local.drain();
  startLivingShop(local, { customers: CUSTOMERS });
  await local.advanceTo('2028-01-01T12:00:00Z');
}, 600_000);
afterAll(() => local?.stop());

async function report(): Promise<LoyaltyReport> {
  const response = await fetch(`${local.endpoints.aws}/_local/report?format=json`);
  return (await response.json()) as LoyaltyReport;
}

describe('the living sample shop a year on', () => {
  it('still has buyers and active customers in the last 90 days', async () => {
    const { metrics, segments } = await report();
    expect(metrics.period.to).toBe('2028-01-01T12:00:00.000Z');
    expect(metrics.orders).toBeGreaterThan(10);
    expect(metrics.purchasers).toBeGreaterThan(5);
    expect(segments.lifecycle.active ?? 0).toBeGreaterThan(5);
    expect(metrics.retentionRate).not.toBeNull();
  });

  it('redeemed some of the birthday coupons our emails carried', async () => {
    const { Items = [] } = await local.doc.send(
      new ScanCommand({
        TableName: local.tableName,
        FilterExpression: 'begins_with(couponCode, :prefix)',
        ExpressionAttributeValues: { ':prefix': 'BDAY' },
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    // Recorded as redemptions of the codes our journeys issued, so the report shows them.
    const { campaigns } = await report();
    expect(campaigns.reduce((sum, c) => sum + c.coupons.redeemed, 0)).toBeGreaterThan(0);
    expect(Items.filter((item) => item.couponOutcome === 'redeemed').length).toBeGreaterThan(0);
  });
});
