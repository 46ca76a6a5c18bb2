import { describe, expect, it } from 'vitest';
import { estimateAudience } from '#shared/domain/audience-estimate.ts';
import { computeSegmentThresholds } from '#shared/flows/segments.ts';
import type { CustomerFacts } from '#shared/domain/metrics.ts';
import { buildAudienceSample } from '#shared/flows/audience-sample.ts';

const population = {
  customers: 1000,
  tiers: { Bronze: 600, Silver: 250, Gold: 120, Platinum: 30 },
  lifecycleStages: { new: 100, active: 500, 'at-risk': 200, lapsed: 150, churned: 50 },
  segments: { champions: 80, loyal: 120, 'high-value': 200, standard: 800 },
};

describe('audience estimate from the weekly population counts', () => {
  it('counts a bucket range as its exact share of everyone', () => {
    expect(estimateAudience({ bucket: { of: 'win-back-timing', from: 50, to: 99 } }, population)).toEqual({
      count: 500,
      counted: [{ part: 'bucket 50..99 of win-back-timing', share: 0.5 }],
      notCounted: [],
    });
  });

  it('counts everyone for no condition, and the listed share of one part', () => {
    expect(estimateAudience(undefined, population)).toEqual({ count: 1000, counted: [], notCounted: [] });
    expect(estimateAudience({ tiers: ['Gold', 'Platinum'] }, population)).toEqual({
      count: 150,
      counted: [{ part: 'tiers: Gold, Platinum', share: 0.15 }],
      notCounted: [],
    });
  });

  it('multiplies the shares of several parts and names the parts it cannot count', () => {
    const estimate = estimateAudience(
      { tiers: ['Gold'], lifecycleStages: ['active'], minSpend: '100', locales: ['en'] },
      population,
    );
    expect(estimate.count).toBe(Math.round(1000 * 0.12 * 0.5));
    expect(estimate.notCounted).toEqual(['minSpend', 'locales']);
  });

  it('caps overlapping segments at everyone and counts unknown names as nobody', () => {
    expect(estimateAudience({ segments: ['high-value', 'standard', 'champions'] }, population).count).toBe(
      1000,
    );
    expect(estimateAudience({ tiers: ['Diamond'] }, population).count).toBe(0);
    expect(estimateAudience({ tiers: ['Gold'] }, { ...population, customers: 0 }).count).toBe(0);
  });
});

describe('audience estimate with locale and churn-risk counts', () => {
  const counted = { ...population, locales: { 'zh-CN': 300, 'zh-TW': 100, 'en-US': 500 }, churnRisk: { low: 400, medium: 200, high: 100 } };

  it('counts a language as every locale of it, and a locale exactly', () => {
    expect(estimateAudience({ locales: ['zh'] }, counted).count).toBe(400);
    expect(estimateAudience({ locales: ['zh-TW', 'zh'] }, counted).count).toBe(400);
    expect(estimateAudience({ locales: ['zh-TW'] }, counted)).toMatchObject({ count: 100, notCounted: [] });
  });

  it('counts churn-risk bands against every customer, and leaves P(alive) ranges to the upper bound', () => {
    const estimate = estimateAudience({ churnRisk: ['high', 'medium'], pAlive: { max: 0.3 } }, counted);
    expect(estimate.count).toBe(300);
    expect(estimate.notCounted).toEqual(['pAlive']);
  });

  it('names locales and churn risk as not counted when the weekly run has not counted them yet', () => {
    expect(estimateAudience({ locales: ['zh'], churnRisk: ['high'] }, population)).toMatchObject({ count: 1000, notCounted: ['locales', 'churnRisk'] });
  });
});

describe('weekly population counts', () => {
  it('counts customers per tier, lifecycle stage and segment', () => {
    const now = new Date('2027-03-01T00:00:00Z');
    const customer = (id: string, tier: string | undefined, orders: string[]): CustomerFacts => ({
      customerId: id,
      signedUpAt: '2026-01-01T00:00:00Z',
      orders: orders.map((at) => ({ at, amountMilli: 50_000, coupon: false })),
      surveys: [],
      tier,
      tierChanges: [],
    });
    const { population: counted } = computeSegmentThresholds(
      [
        customer('a', 'Gold', ['2027-02-20T00:00:00Z', '2026-12-01T00:00:00Z']),
        customer('b', 'Bronze', ['2026-06-01T00:00:00Z']),
        customer('c', undefined, []),
      ],
      now,
    );
    expect(counted?.tiers).toEqual({ Gold: 1, Bronze: 1 });
    expect(Object.values(counted?.lifecycleStages ?? {}).reduce((a, b) => a + b, 0)).toBe(3);
    expect(counted?.lifecycleStages.lapsed).toBe(1);
    expect((counted?.segments['high-value'] ?? 0) + (counted?.segments.standard ?? 0)).toBe(3);
  });
});

describe('weekly audience sample', () => {
  const now = new Date('2027-03-01T00:00:00Z');
  const customer = (id: string, locale: string, tier?: string): CustomerFacts => ({
    customerId: id,
    signedUpAt: '2026-01-01T00:00:00Z',
    locale,
    orders: tier ? [{ at: '2027-02-01T00:00:00Z', amountMilli: 10_000, coupon: false }] : [],
    surveys: [],
    tier,
    tierChanges: [],
  });

  it('keeps at most the first n ids per name, and counts buyers per churn band', () => {
    const customers = [customer('a', 'zh-CN', 'Gold'), customer('b', 'zh-CN', 'Gold'), customer('c', 'en-US'), customer('d', 'zh-CN', 'Bronze')];
    const thresholds = computeSegmentThresholds(customers, now);
    const sample = buildAudienceSample(customers, thresholds, new Map([['a', 'high'], ['d', 'low']] as const), now, 2);
    expect(sample.samples.locales).toEqual({ 'zh-CN': ['a', 'b'], 'en-US': ['c'] });
    expect(sample.samples.tiers).toEqual({ Gold: ['a', 'b'], Bronze: ['d'] });
    expect(sample.samples.churnRisk).toEqual({ high: ['a'], low: ['d'] });
    expect(sample.churnRisk).toEqual({ high: 1, low: 1 });
    expect(sample.everyone).toEqual(['a', 'b']);
    expect(thresholds.population?.locales).toEqual({ 'zh-CN': 3, 'en-US': 1 });
  });
});
