// The variables every journey email renders with, built in ONE place: the whole customer as the
// loyalty program sees them (localized tier names, benefits, points, next tier and the spend
// still needed, lifecycle stage, segments, last purchase), the trigger event's detail, the step,
// the split variant and the step's offer or unique coupon. The renderer adds `customer.*` and
// `unsubscribeUrl`. docs/journeys.md documents each variable.
import { DAY_MS } from '../domain/clock.ts';
import {
  type LoyaltyProgram,
  programLocale,
  tierBenefits,
  tierById,
  tierName,
} from '../domain/loyalty-program.ts';
import type { Offer } from '../domain/journey.ts';
import type { CustomerFacts } from './customer-facts.ts';

export interface IssuedCoupon {
  code: string;
  tier: string;
  /** Milli-units of the program currency (`{{ coupon.value | money }}`). */
  value: number;
  expiresAt: string;
}

export interface ContextInput {
  program: LoyaltyProgram;
  facts: CustomerFacts;
  journey: { id: string; version: number; entryId: string; enteredAt: string };
  stepId: string;
  variant: string | undefined;
  /** The trigger's detail (event detail, or the date trigger's occasion). */
  event: Record<string, unknown>;
  offer: Offer | undefined;
  coupon: IssuedCoupon | undefined;
  now: Date;
}

export function journeyTemplateContext(input: ContextInput): Record<string, unknown> {
  return {
    ...customerStanding(input.program, input.facts, input.now),
    event: input.event,
    journey: input.journey,
    step: input.stepId,
    variant: input.variant ?? null,
    offer: input.offer ? { ...input.offer, ...(input.coupon ? { code: input.coupon.code } : {}) } : null,
    coupon: input.coupon ?? null,
  };
}

/**
 * The customer as the program sees them at `now`: tier (localized), benefits, points, the hold,
 * the next tier, lifecycle, segments, last order. Taken again when the email is actually sent, so a
 * send deferred past a late order promises what is stored then, not what was known at enqueue.
 */
export function customerStanding(
  program: LoyaltyProgram,
  facts: CustomerFacts,
  now: Date,
): Record<string, unknown> {
  const { stored, condition } = facts;
  const locale = programLocale(program, stored.profile.locale);
  const loyalty = stored.loyalty;
  const tier = loyalty ? tierById(program, loyalty.tier) : undefined;
  const next = loyalty?.nextTier ? tierById(program, loyalty.nextTier) : undefined;
  const previousId = loyalty?.recentChanges.at(-1)?.from;
  const previous = previousId ? tierById(program, previousId) : undefined;
  const lastPurchaseAt = stored.profile.purchases?.lastPurchaseAt ?? null;
  return {
    tier: tier?.id ?? null,
    tierName: tier ? tierName(program, tier, locale) : null,
    tierNames: Object.fromEntries(program.tiers.map((t) => [t.id, tierName(program, t, locale)])),
    previousTierName: previous ? tierName(program, previous, locale) : null,
    benefits: tier ? tierBenefits(program, tier, locale) : [],
    pointsBalance: loyalty?.points ?? 0,
    rollingSpendMilli: loyalty?.rollingSpendMilli ?? 0,
    nextTier: next?.id ?? null,
    nextTierName: next ? tierName(program, next, locale) : null,
    spendToNextTierMilli: loyalty?.spendToNextTierMilli ?? null,
    tierHeldUntil: loyalty?.tierHeldUntil ?? null,
    currency: program.currency,
    lifecycleStage: condition.lifecycleStage ?? null,
    segments: condition.segments ?? [],
    orderCount: condition.orderCount,
    lastOrder: lastPurchaseAt ? { at: lastPurchaseAt } : null,
    lastPurchaseAt,
    daysSinceLastPurchase: lastPurchaseAt
      ? Math.floor((now.getTime() - Date.parse(lastPurchaseAt)) / DAY_MS)
      : null,
  };
}
