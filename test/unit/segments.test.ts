import { describe, expect, it } from 'vitest';
import { type LoyaltySignals, loyaltyType, relationshipLevel } from '#shared/domain/loyalty-type.ts';
import type { CustomerFacts } from '#shared/domain/metrics.ts';
import { highValueRevenueShare, valueTier, valueTierThreshold } from '#shared/domain/value-tier.ts';
import { audienceSegmentsOf, computeSegmentThresholds, customerSegments } from '#shared/flows/segments.ts';

describe('value tier (80/20)', () => {
  const spends = [1000, 900, 800, 700, 600, 500, 400, 300, 200, 0].map((u) => u * 1000);

  it('takes the spend at the 20% rank from the top as the threshold (2 of 10 customers)', () => {
    expect(valueTierThreshold(spends)).toBe(900_000);
    expect(valueTier(900_000, 900_000)).toBe('high-value');
    expect(valueTier(899_999, 900_000)).toBe('standard');
  });

  it('never makes zero spend high-value, and has no tier before the first threshold', () => {
    expect(valueTierThreshold([0, 0, 0, 0, 0, 0, 0, 0, 0, 5000])).toBe(5000);
    expect(valueTierThreshold([0, 0])).toBeUndefined();
    expect(valueTier(0, 0)).toBe('standard');
    expect(valueTier(1_000_000, undefined)).toBe('standard');
  });

  it('reports the share of spend the high-value tier brings: 1900 of 5400', () => {
    expect(highValueRevenueShare(spends, 900_000)).toBeCloseTo(1900 / 5400, 12);
  });
});

const signals = (overrides: Partial<LoyaltySignals>): LoyaltySignals => ({
  orderCount: 4,
  couponOrderCount: 0,
  surveyScore: undefined,
  campaignResponseRate: undefined,
  firstPurchaseAt: '2026-01-01T00:00:00Z',
  lastPurchaseAt: '2026-06-01T00:00:00Z',
  ...overrides,
});

describe('loyalty type rules (first match wins)', () => {
  it.each([
    ['price: repeat buyer with half the orders on a coupon', { couponOrderCount: 2 }, 'price'],
    ['incentive: repeat buyer responding to 30%+ of campaigns', { campaignResponseRate: 0.3 }, 'incentive'],
    ['premium: repeat buyer who scores 9+', { surveyScore: 9 }, 'premium'],
    ['monopoly-like: repeat buyer who scores 6 or less', { surveyScore: 6 }, 'monopoly-like'],
    ['convenience: repeat buyer every two weeks', { lastPurchaseAt: '2026-01-31T00:00:00Z' }, 'convenience'],
    ['inertia: repeat buyer with no stated attachment', { surveyScore: 8 }, 'inertia'],
    ['latent: high attachment without repeat purchases', { orderCount: 1, surveyScore: 10 }, 'latent'],
    ['none: a one-off buyer', { orderCount: 2 }, 'none'],
  ] as const)('%s', (_name, overrides, expected) => {
    expect(loyaltyType(signals(overrides))).toBe(expected);
  });

  it('checks price before premium: a promoter who only buys on coupons is price loyal', () => {
    expect(loyaltyType(signals({ couponOrderCount: 3, surveyScore: 10 }))).toBe('price');
  });
});

describe('relationship level rules', () => {
  it.each([
    ['intimate: repeat, promoter and responsive', { surveyScore: 10, campaignResponseRate: 0.5 }, 'intimate'],
    ['face-to-face: repeat and answers surveys', { surveyScore: 5 }, 'face-to-face'],
    ['brand: one purchase and a good score', { orderCount: 1, surveyScore: 8 }, 'brand'],
    ['brand: repeat without any interaction', {}, 'brand'],
    ['distant: one purchase, no signals', { orderCount: 1 }, 'distant'],
    ['distant: never bought', { orderCount: 0, surveyScore: 10 }, 'distant'],
  ] as const)('%s', (_name, overrides, expected) => {
    expect(relationshipLevel(signals(overrides))).toBe(expected);
  });
});

describe('segments derived from the weekly thresholds', () => {
  const now = new Date('2026-07-01T00:00:00Z');
  const buyer = (
    id: string,
    days: number[],
    units: number,
    extra: Partial<CustomerFacts> = {},
  ): CustomerFacts => ({
    customerId: id,
    signedUpAt: '2025-01-01T00:00:00.000Z',
    orders: days.map((d) => ({
      at: new Date(now.getTime() - d * 86_400_000).toISOString(),
      amountMilli: units * 1000,
      coupon: false,
    })),
    surveys: [],
    tier: undefined,
    tierChanges: [],
    ...extra,
  });
  const base = [
    buyer('a', [1, 20, 40, 60], 100),
    buyer('b', [10], 50),
    buyer('c', [200, 400], 30),
    buyer('d', [90], 20),
    buyer('e', [], 0),
  ];

  it('computes cuts over buyers only and the 80/20 threshold over everyone', () => {
    const thresholds = computeSegmentThresholds(base, now);
    expect(thresholds.customers).toBe(5);
    expect(thresholds.rfm?.recencyDays).toEqual([1, 10, 90, 200]);
    expect(thresholds.rfm?.frequency).toEqual([1, 1, 2, 4]);
    expect(thresholds.valueTierThresholdMilli).toBe(400_000);
  });

  it('scores a customer against stored thresholds, and has no RFM before the first run', () => {
    const thresholds = computeSegmentThresholds(base, now);
    const a = customerSegments(base[0] as CustomerFacts, thresholds, now);
    expect(a).toMatchObject({
      lifecycle: 'active',
      valueTier: 'high-value',
      loyaltyType: 'inertia',
      relationshipLevel: 'brand',
    });
    // With 4 buyers the 80th-percentile cut IS the top value, so the best F and M score 4, not 5.
    expect(a.rfm).toMatchObject({ code: '544', segment: 'champions' });
    const early = customerSegments(base[0] as CustomerFacts, undefined, now);
    expect(early.rfm).toBeUndefined();
    expect(early.valueTier).toBe('standard');
    expect(customerSegments(base[4] as CustomerFacts, thresholds, now)).toMatchObject({
      lifecycle: 'new',
      rfm: undefined,
    });
  });

  it('uses the latest survey answer up to now as the attachment signal', () => {
    const answered = buyer('f', [5, 15, 25], 10, {
      surveys: [
        { at: '2026-06-01T00:00:00.000Z', score: 10 },
        { at: '2026-06-20T00:00:00.000Z', score: 3 },
      ],
    });
    expect(customerSegments(answered, undefined, now).loyaltyType).toBe('monopoly-like');
  });
});

describe('audience segments from the stored profile', () => {
  const now = new Date('2026-07-01T00:00:00Z');
  const thresholds = {
    computedAt: '2026-06-28T00:00:00.000Z',
    customers: 100,
    rfm: {
      recencyDays: [7, 30, 60, 120],
      frequency: [1, 2, 3, 5],
      monetaryMilli: [50_000, 100_000, 200_000, 400_000],
    },
    valueTierThresholdMilli: 300_000,
  } as const;
  const purchases = {
    orderCount: 6,
    totalSpendMilli: 900_000,
    rollingSpendMilli: 500_000,
    refundedMilli: 0,
    averageOrderValueMilli: 150_000,
    couponOrderCount: 0,
    firstPurchaseAt: '2025-01-01T00:00:00.000Z',
    lastPurchaseAt: '2026-06-28T00:00:00.000Z',
    asOf: '2026-06-28T00:00:00.000Z',
  };

  it('names the lifecycle stage and the RFM, value, loyalty-type and relationship segments', () => {
    expect(
      audienceSegmentsOf(
        { purchases, survey: { score: 10, answeredAt: '2026-06-01T00:00:00.000Z' } },
        thresholds,
        now,
      ),
    ).toEqual({
      lifecycleStage: 'active',
      segments: ['champions', 'high-value', 'premium', 'face-to-face'],
    });
  });

  it('prefers the lifecycle stage stored on the record, which can tell reactivated', () => {
    expect(audienceSegmentsOf({ purchases, lifecycle: { stage: 'reactivated' } }, thresholds, now).lifecycleStage).toBe(
      'reactivated',
    );
  });

  it('gives a customer who never bought only the stage new and the standard, distant segments', () => {
    expect(audienceSegmentsOf({}, thresholds, now)).toEqual({
      lifecycleStage: 'new',
      segments: ['standard', 'distant'],
    });
  });
});
