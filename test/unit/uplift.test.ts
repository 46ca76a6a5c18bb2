import { describe, expect, it } from 'vitest';
import {
  type AttributedOrder,
  type CampaignContact,
  campaignOutcome,
  revenueUplift,
  sampleSizePerGroup,
  upliftEstimate,
  wilson,
} from '#shared/domain/uplift.ts';

describe('confidence intervals', () => {
  it('matches the Wilson interval published by Newcombe (1998) for 81/263', () => {
    const interval = wilson(81, 263);
    expect(interval.low).toBeCloseTo(0.2553, 4);
    expect(interval.high).toBeCloseTo(0.3662, 4);
  });

  it('matches Newcombe method 10 for 56/70 vs 48/80: difference 0.2, CI 0.0524 to 0.3339', () => {
    const estimate = upliftEstimate({ converted: 56, n: 70 }, { converted: 48, n: 80 });
    expect(estimate?.uplift).toBeCloseTo(0.2, 12);
    expect(estimate?.newcombe.low).toBeCloseTo(0.0524, 4);
    expect(estimate?.newcombe.high).toBeCloseTo(0.3339, 4);
    expect(estimate?.significant).toBe(true);
  });

  it('computes the Wald interval as d ± 1.96·SE (15% vs 10% of 1000 each: 0.05 ± 0.0289)', () => {
    const estimate = upliftEstimate({ converted: 150, n: 1000 }, { converted: 100, n: 1000 });
    expect(estimate?.wald.low).toBeCloseTo(0.05 - 1.959964 * Math.sqrt(0.0002175), 6);
    expect(estimate?.wald.high).toBeCloseTo(0.05 + 1.959964 * Math.sqrt(0.0002175), 6);
  });

  it('says in words that 2 of 7 vs 0 of 1 means nothing, and how many customers it would take', () => {
    const estimate = upliftEstimate({ converted: 2, n: 7 }, { converted: 0, n: 1 });
    expect(estimate?.significant).toBe(false);
    expect(estimate?.neededPerGroup).toBe(sampleSizePerGroup(2 / 7, 0));
    expect(estimate?.significance).toBe(
      `not significant at 95%: too few customers — needs about ${estimate?.neededPerGroup} per group (smaller group has 1)`,
    );
    expect(upliftEstimate({ converted: 56, n: 70 }, { converted: 48, n: 80 })?.significance).toBe(
      'significant at 95%: the interval excludes zero',
    );
    expect(upliftEstimate({ converted: 5, n: 50 }, { converted: 5, n: 50 })?.significance).toBe(
      'not significant at 95%: no difference between the groups',
    );
  });

  it('sizes a test like the textbooks: 199 per group to tell 20% from 10% (95%, 80% power)', () => {
    expect(sampleSizePerGroup(0.2, 0.1)).toBe(199);
    expect(sampleSizePerGroup(0.1, 0.2)).toBe(199);
    expect(sampleSizePerGroup(0.3, 0.3)).toBeNull();
    expect(sampleSizePerGroup(1, 0)).toBe(2);
  });

  it('is not significant when the interval spans zero, and undefined without a holdout', () => {
    expect(upliftEstimate({ converted: 11, n: 100 }, { converted: 10, n: 100 })?.significant).toBe(false);
    expect(upliftEstimate({ converted: 11, n: 100 }, { converted: 0, n: 0 })).toBeUndefined();
  });
});

describe('a synthetic campaign with a known +10 point effect', () => {
  // 2000 contacts per group; treatment converts 20%, holdout 10%. Purchases before the send or
  // after the 7-day window must not count.
  const contacts: CampaignContact[] = [];
  const orders: AttributedOrder[] = [];
  for (let i = 0; i < 4000; i++) {
    const group = i % 2 === 0 ? 'treatment' : 'holdout';
    const customerId = `c${i}`;
    contacts.push({ customerId, group, at: '2026-03-01T09:00:00.000Z' });
    const k = Math.floor(i / 2) % 10;
    if ((group === 'treatment' && k < 2) || (group === 'holdout' && k < 1)) {
      orders.push({ customerId, at: '2026-03-04T10:00:00.000Z', amountMilli: 50_000 });
    }
    orders.push({ customerId, at: '2026-02-28T10:00:00.000Z', amountMilli: 1_000 });
    if (k === 9) orders.push({ customerId, at: '2026-03-08T09:00:01.000Z', amountMilli: 1_000 });
  }
  const outcome = campaignOutcome(contacts, orders, 7);

  it('attributes only purchases inside (send, send + 7 days]', () => {
    expect(outcome.converted).toEqual({ treatment: 400, holdout: 200 });
    expect(outcome.revenueMilli).toEqual({ treatment: 20_000_000, holdout: 10_000_000 });
  });

  it('recovers the effect: uplift 0.10 with a 95% CI that contains it and excludes zero', () => {
    const uplift = outcome.uplift;
    expect(uplift?.uplift).toBeCloseTo(0.1, 12);
    expect(uplift?.newcombe.low).toBeGreaterThan(0.07);
    expect(uplift?.newcombe.high).toBeLessThan(0.13);
    expect(uplift?.newcombe.low).toBeLessThan(0.1);
    expect(uplift?.significant).toBe(true);
  });
});

describe('revenue uplift per contact', () => {
  it('is the difference of means with a Welch interval: [10, 20, 30] vs [0, 20] → +10 ± 1.96·√(100/3 + 200/2)', () => {
    const u = revenueUplift([10_000, 20_000, 30_000], [0, 20_000]);
    const se = Math.sqrt(100_000_000 / 3 + 200_000_000 / 2);
    expect(u?.differenceMilli).toBe(10_000);
    expect(u?.interval.low).toBe(Math.round(10_000 - 1.959963984540054 * se));
    expect(u?.interval.high).toBe(Math.round(10_000 + 1.959963984540054 * se));
    expect(u?.significant).toBe(false);
    expect(u?.significance).toBe('not significant at 95%: the difference may be chance (2 in the smaller group)');
  });

  it('is significant when the interval excludes zero, and absent below two contacts per group', () => {
    const many = Array.from({ length: 200 }, (_, i) => 50_000 + (i % 5) * 1_000);
    const few = Array.from({ length: 200 }, (_, i) => 10_000 + (i % 5) * 1_000);
    expect(revenueUplift(many, few)?.significant).toBe(true);
    expect(revenueUplift([1, 2], [3])).toBeUndefined();
  });

  it('comes with every campaign outcome, from each contact’s attributed revenue (zero when none)', () => {
    const contacts: CampaignContact[] = [
      { customerId: 'a', group: 'treatment', at: '2026-01-01T00:00:00Z' },
      { customerId: 'b', group: 'treatment', at: '2026-01-01T00:00:00Z' },
      { customerId: 'c', group: 'holdout', at: '2026-01-01T00:00:00Z' },
      { customerId: 'd', group: 'holdout', at: '2026-01-01T00:00:00Z' },
    ];
    const orders: AttributedOrder[] = [
      { customerId: 'a', at: '2026-01-02T00:00:00Z', amountMilli: 40_000 },
      { customerId: 'c', at: '2026-01-03T00:00:00Z', amountMilli: 10_000 },
    ];
    expect(campaignOutcome(contacts, orders, 7).revenueUplift?.differenceMilli).toBe(20_000 - 5_000);
  });
});
