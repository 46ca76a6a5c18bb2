import { describe, expect, it } from 'vitest';
import { estimateAudience } from '#shared/domain/audience-estimate.ts';
import { computeSegmentThresholds } from '#shared/flows/segments.ts';
import type { CustomerFacts } from '#shared/domain/metrics.ts';

const population = {
  customers: 1000,
  tiers: { Bronze: 600, Silver: 250, Gold: 120, Platinum: 30 },
  lifecycleStages: { new: 100, active: 500, 'at-risk': 200, lapsed: 150, churned: 50 },
  segments: { champions: 80, loyal: 120, 'high-value': 200, standard: 800 },
};

describe('audience estimate from the weekly population counts', () => {
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
