// Segmentation and analytics end to end: a known population goes through the real ingestion
// handlers, the weekly segment-thresholds job runs on the local schedule, and the report read
// from the table equals the hand-computed answers.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { type LoyaltyReport, NO_TIER, UNKNOWN_LOCALE } from '#shared/flows/analytics.ts';
import { keys } from '#shared/store/keys.ts';
import { EXPECTED, Q2, seedPopulation } from './analytics-population.ts';

let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2026-07-01T00:00:00Z', ports: 'random' });
  await seedPopulation(local);
}, 60_000);
afterAll(() => local?.stop());

const DAY = 86_400_000;

async function report(query: string): Promise<LoyaltyReport> {
  const response = await fetch(`${local.endpoints.aws}/_local/report?format=json&${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as LoyaltyReport;
}

describe('weekly segment thresholds', () => {
  it('has no thresholds before the first weekly run; the report computes its own meanwhile', async () => {
    const { Item } = await local.doc.send(
      new GetCommand({ TableName: local.tableName, Key: keys.segmentThresholds() }),
    );
    expect(Item).toBeUndefined();
    expect((await report(`from=${Q2.from}&to=${Q2.to}`)).thresholds.source).toBe('computed for this report');
  });

  it('stores RFM quintile cuts and the 80/20 threshold after the weekly scan', async () => {
    await local.advanceTo('2026-07-08T00:00:01Z');
    const { Item } = await local.doc.send(
      new GetCommand({ TableName: local.tableName, Key: keys.segmentThresholds() }),
    );
    expect(Item).toBeDefined();
    const computedAt = Date.parse(String(Item?.computedAt));
    // Buyers A, B, C, D: last purchases 05-10, 02-01, 06-01, 04-20 (noon); orders 3, 1, 2, 1;
    // lifetime spend 600, 50, 200, 60. 12-month spend of all five (E: 0): top 20% = 1 customer = 600.
    const daysSince = (day: string) => (computedAt - Date.parse(`${day}T12:00:00Z`)) / DAY;
    expect(Item?.rfm.recencyDays).toEqual([
      daysSince('2026-06-01'),
      daysSince('2026-05-10'),
      daysSince('2026-04-20'),
      daysSince('2026-02-01'),
    ]);
    expect(Item?.rfm.frequency).toEqual([1, 1, 2, 3]);
    expect(Item?.rfm.monetaryMilli).toEqual([50_000, 60_000, 200_000, 600_000]);
    expect(Item?.valueTierThresholdMilli).toBe(600_000);
    expect(Item?.customers).toBe(5);
  });
});

describe('loyalty report from the table (Q2 2026)', () => {
  it('uses the weekly thresholds for a period ending now, and its own for a period that ended before the run', async () => {
    expect((await report('')).thresholds.source).toBe('weekly job');
    const q2 = await report(`from=${Q2.from}&to=${Q2.to}`);
    expect(q2.thresholds.source).toBe('computed for this report');
    expect(q2.thresholds.computedAt).toBe(q2.segmentsAsOf);
  });

  it('has tier rows that add up to the customers, the untiered ones named as such', async () => {
    const { metrics, tierDistribution } = await report(`from=${Q2.from}&to=${Q2.to}`);
    expect(tierDistribution.reduce((sum, row) => sum + row.customers, 0)).toBe(metrics.customers);
    // E never bought: the loyalty program has not placed them in a tier.
    expect(tierDistribution.at(-1)).toEqual({ tier: NO_TIER, customers: 1 });
  });

  it('equals the hand-computed program metrics', async () => {
    const { metrics } = await report(`from=${Q2.from}&to=${Q2.to}`);
    expect(metrics.customers).toBe(EXPECTED.customers);
    expect(metrics.retentionRate).toBeCloseTo(EXPECTED.retentionRate, 12);
    expect(metrics.orders).toBe(EXPECTED.orders);
    expect(metrics.revenueMilli).toBe(EXPECTED.revenueMilli);
    expect(metrics.averageOrderValueMilli).toBe(EXPECTED.averageOrderValueMilli);
    expect(metrics.historicalClvMilli).toBe(EXPECTED.historicalClvMilli);
    expect(metrics.predictiveClvMilli).toBe(EXPECTED.predictiveClvMilli);
    expect(metrics.nps.score).toBe(EXPECTED.nps);
  });

  it('counts every customer in one lifecycle stage and one value tier as of the period end', async () => {
    const { segments } = await report(`from=${Q2.from}&to=${Q2.to}`);
    // At 06-30: A last bought 05-10 (51 d, active), B 02-01 (149 d, lapsed), C 06-01 (29 d; its
    // first purchase was in Feb: active), D 04-20 (71 d, at-risk), E never bought (new).
    expect(segments.lifecycle).toEqual({
      new: 1,
      active: 2,
      'at-risk': 1,
      lapsed: 1,
      churned: 0,
      reactivated: 0,
    });
    expect(segments.valueTier).toEqual({ 'high-value': 1, standard: 4 });
    expect(Object.values(segments.rfm).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('reports the campaign funnel, conversions within the window and uplift against the holdout', async () => {
    const { campaigns } = await report(`from=${Q2.from}&to=${Q2.to}&attributionDays=7`);
    expect(campaigns).toHaveLength(1);
    const [spring] = campaigns;
    expect(spring).toMatchObject({
      campaignId: 'spring-sale',
      sent: 2,
      delivered: 2,
      opened: 2,
      clicked: 1,
      recipients: 2,
      holdout: 2,
      converted: 1,
      holdoutConverted: 0,
      conversionRate: 0.5,
      holdoutConversionRate: 0,
      revenueMilli: 200_000,
    });
    expect(spring?.uplift?.uplift).toBe(0.5);
    expect(spring?.uplift?.significant).toBe(false);
    expect(spring).toMatchObject({
      revenuePerRecipientMilli: 100_000,
      holdoutRevenueMilli: 0,
      holdoutRevenuePerContactMilli: 0,
    });
    // Sent on Sunday 2026-04-05: the week of Monday 2026-03-30; the population has no locales.
    const row = { recipients: 2, converted: 1, revenueMilli: 200_000, holdout: 2, holdoutConverted: 0 };
    expect(spring?.weekly).toEqual([expect.objectContaining({ key: '2026-03-30', ...row })]);
    expect(spring?.byLocale).toEqual([expect.objectContaining({ key: UNKNOWN_LOCALE, ...row })]);
    expect(spring?.uplift?.significance).toMatch(
      /^not significant at 95%: too few customers — needs about \d+ per group/,
    );
    // Revenue per recipient [$200, $0] minus per held-out contact [$0, $0]: +$100 with a wide interval.
    expect(spring?.revenueUplift).toMatchObject({ differenceMilli: 100_000, significant: false });
    expect(spring?.revenueUplift?.interval.low).toBeLessThan(0);
    expect(spring?.revenueUplift?.interval.high).toBeGreaterThan(100_000);
  });

  it('restricts the report to a cohort', async () => {
    const { metrics, cohortRetention } = await report(`from=${Q2.from}&to=${Q2.to}&cohort=2026-02`);
    expect(metrics.customers).toBe(2);
    expect(metrics.retentionRate).toBe(0.5);
    expect(cohortRetention.map((c) => c.cohort)).toEqual(['2026-02']);
    expect(cohortRetention[0]?.curve.map((p) => p.rate)).toEqual([1, 0, 0, 0, 0.5]);
  });
});
