import { describe, expect, it } from 'vitest';
import { type LoyaltySignals, loyaltyType, relationshipLevel } from '#shared/domain/loyalty-type.ts';
import { highValueRevenueShare, valueTier, valueTierThreshold } from '#shared/domain/value-tier.ts';

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
