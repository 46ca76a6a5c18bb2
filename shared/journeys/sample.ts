// A representative customer for publish-time rendering and test sends: in the program's second
// tier (or its only one) with points, a next tier and spend still needed, purchases and segments,
// so every template variable a real send can carry has a value, and a template that needs a
// variable no send provides fails at validate time, not in an inbox.
import { DAY_MS } from '../domain/clock.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import type { RenderCustomer } from '../mail/render.ts';
import type { CustomerFacts } from './customer-facts.ts';
import type { IssuedCoupon } from './template-context.ts';

export const SAMPLE_UNSUBSCRIBE_URL = 'https://example.com/unsubscribe?token=sample';

export function sampleRenderCustomer(locale: string): RenderCustomer {
  const zh = locale.startsWith('zh');
  return {
    customerId: 'sample-customer',
    email: 'sample@example.com',
    firstName: zh ? '小明' : 'Alex',
    lastName: zh ? '王' : 'Morgan',
    locale,
    timeZone: zh ? 'Asia/Shanghai' : 'America/New_York',
    attributes: {},
    // So a template that shows predictions renders in checks and previews.
    predictions: {
      pAlive: 0.42,
      churnRisk: 'high',
      predictedValue12mMilli: 86_500,
      expectedNextPurchaseAt: '2026-12-01T00:00:00.000Z',
    },
  };
}

export function sampleFacts(program: LoyaltyProgram, locale: string, now: Date): CustomerFacts {
  const customer = sampleRenderCustomer(locale);
  const rank = program.tiers.length > 1 ? 1 : 0;
  const tier = program.tiers[rank];
  const next = program.tiers[rank + 1];
  const spendMilli = (tier?.minSpend ?? 0) + 120_000;
  const lastPurchaseAt = new Date(now.getTime() - 12 * DAY_MS).toISOString();
  const firstPurchaseAt = new Date(now.getTime() - 400 * DAY_MS).toISOString();
  const spendToNextTierMilli = next ? next.minSpend - spendMilli : null;
  return {
    stored: {
      profile: {
        customerId: customer.customerId,
        email: customer.email,
        firstName: customer.firstName,
        lastName: customer.lastName,
        locale,
        timeZone: customer.timeZone,
        attributes: {},
        consent: { granted: true, at: firstPurchaseAt, source: 'sample' },
        createdAt: firstPurchaseAt,
        purchases: {
          orderCount: 6,
          totalSpendMilli: spendMilli + 200_000,
          rollingSpendMilli: spendMilli,
          refundedMilli: 0,
          averageOrderValueMilli: Math.round((spendMilli + 200_000) / 6),
          couponOrderCount: 1,
          firstPurchaseAt,
          lastPurchaseAt,
          asOf: lastPurchaseAt,
        },
      },
      profileVersion: 1,
      aggVersion: 1,
      tierAnnouncedSeq: 0,
      loyalty: {
        tier: tier?.id ?? 'Bronze',
        tierSince: lastPurchaseAt,
        tierHeldUntil: new Date(now.getTime() + 353 * DAY_MS).toISOString(),
        qualifiedTier: tier?.id ?? 'Bronze',
        rollingSpendMilli: spendMilli,
        nextTier: next?.id ?? null,
        spendToNextTierMilli,
        points: 1_250,
        pointsDebt: 0,
        pointsEarned: 1_400,
        pointsReversed: 0,
        pointsExpired: 150,
        nextPointsExpiry: null,
        recentTransitions: [],
        asOf: lastPurchaseAt,
        changeSeq: 0,
        recentChanges: [],
      },
    },
    condition: {
      tier: tier?.id,
      lifecycleStage: 'active',
      segments: ['loyal', 'standard'],
      locale,
      spendMilli,
      orderCount: 6,
      attributes: {},
      pointsBalance: 1_250,
      spendToNextTierMilli: spendToNextTierMilli ?? undefined,
      lastPurchaseAt,
    },
  };
}

/** The coupon an offer with a codePrefix would carry (value from valueByTier when given). */
export function sampleCoupon(
  offer: {
    codePrefix?: string | undefined;
    valueByTier?: Record<string, string> | undefined;
    expiresAfterDays: number;
  },
  tier: string,
  now: Date,
): IssuedCoupon | undefined {
  if (!offer.codePrefix) return undefined;
  const value = Number(offer.valueByTier?.[tier] ?? Object.values(offer.valueByTier ?? {})[0] ?? 0);
  return {
    code: `${offer.codePrefix}-SAMPLE00`,
    tier,
    value: Math.round(value * 1000),
    expiresAt: new Date(now.getTime() + offer.expiresAfterDays * DAY_MS).toISOString(),
  };
}
