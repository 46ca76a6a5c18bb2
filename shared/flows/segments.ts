// Segments of a customer — lifecycle stage, RFM, 80/20 value tier, loyalty type, relationship
// level — derived at read time from the customer's facts and the weekly thresholds, and the
// weekly job that recomputes those thresholds from one parallel scan.
import { DAY_MS } from '../domain/clock.ts';
import {
  type LifecycleStage,
  type LifecycleThresholds,
  lifecycleFactsFrom,
  lifecycleStage,
} from '../domain/lifecycle.ts';
import {
  type LoyaltyType,
  loyaltyType,
  type RelationshipLevel,
  relationshipLevel,
} from '../domain/loyalty-type.ts';
import type { CustomerFacts } from '../domain/metrics.ts';
import { type PurchaseAggregates, ROLLING_WINDOW_DAYS } from '../domain/purchase-history.ts';
import { quintileCuts, type RfmScore, scoreRfm } from '../domain/rfm.ts';
import { type ValueTier, valueTier, valueTierThreshold } from '../domain/value-tier.ts';
import type { SegmentStore, SegmentThresholds, TableSnapshot } from '../store/segments.ts';

export interface CustomerSegments {
  lifecycle: LifecycleStage;
  /** Undefined before the first purchase or before the first weekly run. */
  rfm: RfmScore | undefined;
  valueTier: ValueTier;
  loyaltyType: LoyaltyType;
  relationshipLevel: RelationshipLevel;
}

/** Net spend of the orders placed in the 365 days up to `now`. */
export function rollingSpendMilli(customer: Pick<CustomerFacts, 'orders'>, now: Date): number {
  const windowStart = now.getTime() - ROLLING_WINDOW_DAYS * DAY_MS;
  return customer.orders
    .filter((order) => Date.parse(order.at) > windowStart && Date.parse(order.at) <= now.getTime())
    .reduce((sum, order) => sum + order.amountMilli, 0);
}

const orderedBefore = (customer: CustomerFacts, now: Date) =>
  customer.orders.filter((order) => Date.parse(order.at) <= now.getTime());

/** Recency (days), frequency (orders) and monetary (lifetime net spend) as of `now`. */
function rfmInput(customer: CustomerFacts, now: Date) {
  const orders = orderedBefore(customer, now);
  const last = Math.max(...orders.map((order) => Date.parse(order.at)));
  return {
    recencyDays: (now.getTime() - last) / DAY_MS,
    frequency: orders.length,
    monetaryMilli: orders.reduce((sum, order) => sum + order.amountMilli, 0),
  };
}

/** The weekly thresholds: RFM quintile cuts over buyers, 80/20 threshold over every customer. */
export function computeSegmentThresholds(customers: readonly CustomerFacts[], now: Date): SegmentThresholds {
  const buyers = customers
    .filter((customer) => orderedBefore(customer, now).length > 0)
    .map((customer) => rfmInput(customer, now));
  const recency = quintileCuts(buyers.map((b) => b.recencyDays));
  const frequency = quintileCuts(buyers.map((b) => b.frequency));
  const monetary = quintileCuts(buyers.map((b) => b.monetaryMilli));
  const threshold = valueTierThreshold(customers.map((customer) => rollingSpendMilli(customer, now)));
  const thresholds: SegmentThresholds = {
    computedAt: now.toISOString(),
    customers: customers.length,
    ...(recency && frequency && monetary
      ? { rfm: { recencyDays: recency, frequency, monetaryMilli: monetary } }
      : {}),
    ...(threshold !== undefined ? { valueTierThresholdMilli: threshold } : {}),
  };
  return { ...thresholds, population: population(customers, thresholds, now) };
}

/** The audience families a customer counts in, by the names conditions use (tiers, stages, segments, locales). */
export interface AudienceBuckets {
  tiers: string[];
  lifecycleStages: string[];
  segments: string[];
  locales: string[];
}

/** Where one customer counts in the weekly population (and the audience samples). */
export function audienceBucketsOf(customer: CustomerFacts, thresholds: SegmentThresholds, now: Date): AudienceBuckets {
  const found = customerSegments(customer, thresholds, now);
  return {
    tiers: customer.tier ? [customer.tier] : [],
    lifecycleStages: [found.lifecycle],
    segments: [
      ...(found.rfm ? [found.rfm.segment] : []),
      found.valueTier,
      ...(found.loyaltyType !== 'none' ? [found.loyaltyType] : []),
      found.relationshipLevel,
    ],
    locales: customer.locale ? [customer.locale] : [],
  };
}

/** How many customers are in each tier, lifecycle stage, segment and locale (names as conditions use them). */
function population(
  customers: readonly CustomerFacts[],
  thresholds: SegmentThresholds,
  now: Date,
): NonNullable<SegmentThresholds['population']> {
  const counted: NonNullable<SegmentThresholds['population']> = { tiers: {}, lifecycleStages: {}, segments: {}, locales: {} };
  for (const customer of customers) {
    const buckets = audienceBucketsOf(customer, thresholds, now);
    for (const family of ['tiers', 'lifecycleStages', 'segments', 'locales'] as const) {
      const counts = counted[family] ?? {};
      for (const name of buckets[family]) counts[name] = (counts[name] ?? 0) + 1;
      counted[family] = counts;
    }
  }
  return counted;
}

/**
 * One customer's segments at `now`. `campaignResponseRate` is conversions / campaign emails
 * received (undefined if none were received).
 */
export function customerSegments(
  customer: CustomerFacts,
  thresholds: SegmentThresholds | undefined,
  now: Date,
  options: { campaignResponseRate?: number; lifecycle?: LifecycleThresholds } = {},
): CustomerSegments {
  const orders = orderedBefore(customer, now);
  const facts = lifecycleFactsFrom(orders.map((order) => order.at));
  const latestSurvey = customer.surveys
    .filter((survey) => Date.parse(survey.at) <= now.getTime())
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .at(-1);
  const signals = {
    orderCount: orders.length,
    couponOrderCount: orders.filter((order) => order.coupon).length,
    surveyScore: latestSurvey?.score,
    campaignResponseRate: options.campaignResponseRate,
    firstPurchaseAt: facts.firstPurchaseAt,
    lastPurchaseAt: facts.lastPurchaseAt,
  };
  return {
    lifecycle: lifecycleStage(facts, now, options.lifecycle),
    rfm: orders.length > 0 && thresholds?.rfm ? scoreRfm(rfmInput(customer, now), thresholds.rfm) : undefined,
    valueTier: valueTier(rollingSpendMilli(customer, now), thresholds?.valueTierThresholdMilli),
    loyaltyType: loyaltyType(signals),
    relationshipLevel: relationshipLevel(signals),
  };
}

/** The weekly job's segment part: recompute from the run's one scan, store. */
export async function refreshSegmentThresholds(
  store: SegmentStore,
  snapshot: TableSnapshot,
  now: Date,
): Promise<SegmentThresholds> {
  const thresholds = computeSegmentThresholds(snapshot.customers, now);
  await store.saveThresholds(thresholds);
  return thresholds;
}

/** The profile fields the audience derivation reads (aggregates and the latest survey answer). */
export interface ProfileSignals {
  purchases?: PurchaseAggregates | undefined;
  /** The stage kept on the record by the lifecycle timer (shared/flows/lifecycle.ts): preferred. */
  lifecycle?: { stage: LifecycleStage } | undefined;
  survey?: { score: number; answeredAt: string } | undefined;
}

/**
 * Lifecycle stage and segment names for a campaign audience, from the stored profile alone (no
 * order Query): segments = [RFM segment, value tier, loyalty type, relationship level]. The
 * lifecycle stage is the stored one (kept by the lifecycle timer and every purchase, 'reactivated'
 * included); only a profile without one (no purchase since the timer existed) falls back to the
 * stage derived from first/last purchase, which cannot tell 'reactivated'. Spend is the
 * aggregates' as of their last purchase or refund.
 */
export function audienceSegmentsOf(
  profile: ProfileSignals,
  thresholds: SegmentThresholds | undefined,
  now: Date,
  lifecycle?: LifecycleThresholds,
): { lifecycleStage: LifecycleStage; segments: string[] } {
  const p = profile.purchases;
  const facts = {
    firstPurchaseAt: p?.firstPurchaseAt ?? null,
    lastPurchaseAt: p?.lastPurchaseAt ?? null,
    previousPurchaseAt: null,
  };
  const signals = {
    orderCount: p?.orderCount ?? 0,
    couponOrderCount: p?.couponOrderCount ?? 0,
    surveyScore: profile.survey?.score,
    campaignResponseRate: undefined,
    firstPurchaseAt: facts.firstPurchaseAt,
    lastPurchaseAt: facts.lastPurchaseAt,
  };
  const segments: string[] = [];
  if (p?.lastPurchaseAt && p.orderCount > 0 && thresholds?.rfm) {
    const input = {
      recencyDays: (now.getTime() - Date.parse(p.lastPurchaseAt)) / DAY_MS,
      frequency: p.orderCount,
      monetaryMilli: p.totalSpendMilli,
    };
    segments.push(scoreRfm(input, thresholds.rfm).segment);
  }
  segments.push(valueTier(p?.rollingSpendMilli ?? 0, thresholds?.valueTierThresholdMilli));
  const type = loyaltyType(signals);
  if (type !== 'none') segments.push(type);
  segments.push(relationshipLevel(signals));
  return { lifecycleStage: profile.lifecycle?.stage ?? lifecycleStage(facts, now, lifecycle), segments };
}
