// Relationship level and loyalty type from measurable signals: repeat purchases, share of orders
// using a coupon, survey score (attitude) and response to campaigns. Each classification is a
// small ordered rule table (first match wins), documented in docs/segments-and-analytics.md.
import { DAY_MS } from './clock.ts';

export interface LoyaltySignals {
  orderCount: number;
  couponOrderCount: number;
  /** Latest survey answer, 0–10; undefined if the customer never answered. */
  surveyScore: number | undefined;
  /** Conversions / campaign emails received; undefined if the customer received none. */
  campaignResponseRate: number | undefined;
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
}

export interface LoyaltyTypeRules {
  /** Orders from which purchasing counts as repeated ("high repeat"). */
  repeatOrders: number;
  /** Survey scores from which attachment is high (NPS promoters)... */
  highAttachmentScore: number;
  /** ...and up to which it is low (NPS detractors). */
  lowAttachmentScore: number;
  /** Share of orders with a coupon from which the customer is price-driven. */
  priceCouponShare: number;
  /** Campaign response rate from which the customer is incentive-driven / engaged. */
  responsiveRate: number;
  /** Orders per 30 days (first to last purchase) from which repeat buying is convenience. */
  convenienceOrdersPer30Days: number;
}

export const DEFAULT_LOYALTY_TYPE_RULES: LoyaltyTypeRules = {
  repeatOrders: 3,
  highAttachmentScore: 9,
  lowAttachmentScore: 6,
  priceCouponShare: 0.5,
  responsiveRate: 0.3,
  convenienceOrdersPer30Days: 2,
};

export const LOYALTY_TYPES = [
  'premium',
  'inertia',
  'convenience',
  'price',
  'incentive',
  'latent',
  'monopoly-like',
  'none',
] as const;
export type LoyaltyType = (typeof LOYALTY_TYPES)[number];

export const RELATIONSHIP_LEVELS = ['intimate', 'face-to-face', 'brand', 'distant'] as const;
export type RelationshipLevel = (typeof RELATIONSHIP_LEVELS)[number];

type Attachment = 'high' | 'medium' | 'low' | 'unknown';

function attachment(signals: LoyaltySignals, rules: LoyaltyTypeRules): Attachment {
  if (signals.surveyScore === undefined) return 'unknown';
  if (signals.surveyScore >= rules.highAttachmentScore) return 'high';
  if (signals.surveyScore <= rules.lowAttachmentScore) return 'low';
  return 'medium';
}

export function couponShare(signals: Pick<LoyaltySignals, 'orderCount' | 'couponOrderCount'>): number {
  return signals.orderCount === 0 ? 0 : signals.couponOrderCount / signals.orderCount;
}

function ordersPer30Days(signals: LoyaltySignals): number {
  if (!signals.firstPurchaseAt || !signals.lastPurchaseAt || signals.orderCount < 2) return 0;
  const spanDays = Math.max(
    1,
    (Date.parse(signals.lastPurchaseAt) - Date.parse(signals.firstPurchaseAt)) / DAY_MS,
  );
  return ((signals.orderCount - 1) / spanDays) * 30;
}

/**
 * Loyalty type (first match wins; "repeat" = orderCount >= repeatOrders):
 *   1 repeat, coupon share >= priceCouponShare                 -> price
 *   2 repeat, campaign response >= responsiveRate              -> incentive
 *   3 repeat, attachment high (score >= 9)                      -> premium
 *   4 repeat, attachment low (score <= 6)                       -> monopoly-like (buys, dislikes)
 *   5 repeat, >= convenienceOrdersPer30Days orders / 30 days    -> convenience
 *   6 repeat                                                    -> inertia (habit, no stated attachment)
 *   7 not repeat, attachment high                               -> latent
 *   8 otherwise                                                 -> none
 */
export function loyaltyType(signals: LoyaltySignals, rules = DEFAULT_LOYALTY_TYPE_RULES): LoyaltyType {
  const attached = attachment(signals, rules);
  if (signals.orderCount >= rules.repeatOrders) {
    if (couponShare(signals) >= rules.priceCouponShare) return 'price';
    if ((signals.campaignResponseRate ?? 0) >= rules.responsiveRate) return 'incentive';
    if (attached === 'high') return 'premium';
    if (attached === 'low') return 'monopoly-like';
    if (ordersPer30Days(signals) >= rules.convenienceOrdersPer30Days) return 'convenience';
    return 'inertia';
  }
  return attached === 'high' ? 'latent' : 'none';
}

/**
 * Relationship level (first match wins):
 *   intimate      repeat, attachment high, and responds to campaigns (a two-way relationship)
 *   face-to-face  repeat, and answers surveys or responds to campaigns (regular interaction)
 *   brand         bought at least once, and attachment medium/high or repeat (knows the brand)
 *   distant       otherwise (transactional or never bought)
 */
export function relationshipLevel(
  signals: LoyaltySignals,
  rules = DEFAULT_LOYALTY_TYPE_RULES,
): RelationshipLevel {
  const attached = attachment(signals, rules);
  const repeat = signals.orderCount >= rules.repeatOrders;
  const responsive = (signals.campaignResponseRate ?? 0) >= rules.responsiveRate;
  if (repeat && attached === 'high' && responsive) return 'intimate';
  if (repeat && (signals.surveyScore !== undefined || responsive)) return 'face-to-face';
  if (signals.orderCount >= 1 && (attached === 'high' || attached === 'medium' || repeat)) return 'brand';
  return 'distant';
}
