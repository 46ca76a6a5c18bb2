// Program health metrics for a period and (optionally) a cohort, the way the loyalty literature
// defines them. Pure: the population (customers with their net orders, survey answers and tier
// history) is an input; each definition is written beside its function and in README.
import type { CustomerPrediction } from './customer-predictions.ts';
import type { Milli } from './money.ts';

export interface CustomerFacts {
  customerId: string;
  signedUpAt: string;
  /** The profile's locale (BCP 47), for results by locale; undefined if the shop never sent one. */
  locale?: string | undefined;
  /** Orders net of refunds (a fully refunded order has amount 0 and still counts as an order). */
  orders: { at: string; amountMilli: Milli; coupon: boolean }[];
  surveys: { at: string; score: number }[];
  /** Current loyalty tier; undefined if the loyalty program never evaluated the customer. */
  tier: string | undefined;
  /** Tier changes, any order: the tier at an instant is replayed from them. */
  tierChanges: { at: string; from: string; to: string }[];
  /** The predictions stored on the profile (the weekly refit rewrites only those that moved). */
  predictions?: CustomerPrediction | undefined;
}

/** Half-open [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

export interface NetPromoterScore {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** %promoters − %detractors, −100..100; null without responses. */
  score: number | null;
}

export interface ProgramMetrics {
  period: { from: string; to: string };
  cohort: string | null;
  customers: number;
  /** Customers who bought in the equally long period just before `from`. */
  activeAtStart: number;
  /** Of those, the ones who bought again within the period. */
  retained: number;
  retentionRate: number | null;
  churnRate: number | null;
  purchasers: number;
  orders: number;
  revenueMilli: Milli;
  repeatPurchaseRate: number | null;
  averageOrderValueMilli: Milli | null;
  purchaseFrequency: number | null;
  historicalClvMilli: Milli | null;
  expectedLifetimePeriods: number | null;
  predictiveClvMilli: Milli | null;
  nps: NetPromoterScore;
  tierDistribution: Record<string, number>;
  tierMigration: { from: string; to: string; customers: number }[];
}

export interface MetricsOptions {
  /** First-purchase month "YYYY-MM": restrict every metric to that cohort. */
  cohort?: string;
  /** Cap on the expected lifetime (in periods) when churn is very low; 0 churn would be infinite. */
  maxLifetimePeriods?: number;
}

const time = (iso: string) => Date.parse(iso);
const within = (iso: string, from: number, to: number) => time(iso) >= from && time(iso) < to;
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** The month of a customer's first purchase, "YYYY-MM" (UTC); undefined before any purchase. */
export function cohortOf(customer: Pick<CustomerFacts, 'orders'>): string | undefined {
  const first = customer.orders.reduce<number | undefined>(
    (min, order) => (min === undefined || time(order.at) < min ? time(order.at) : min),
    undefined,
  );
  return first === undefined ? undefined : new Date(first).toISOString().slice(0, 7);
}

/** Tier held at an instant, replayed from the changes; the current tier if it never changed. */
export function tierAt(customer: Pick<CustomerFacts, 'tier' | 'tierChanges'>, at: Date): string | undefined {
  const changes = [...customer.tierChanges].sort((a, b) => time(a.at) - time(b.at));
  const first = changes[0];
  if (!first) return customer.tier;
  if (at.getTime() < time(first.at)) return first.from;
  return changes.filter((change) => time(change.at) <= at.getTime()).at(-1)?.to;
}

/**
 * NPS over each customer's latest answer given in the period: promoters 9–10, passives 7–8,
 * detractors 0–6; score = 100 × (promoters − detractors) / responses.
 */
export function netPromoterScore(population: readonly CustomerFacts[], period: Period): NetPromoterScore {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const nps = { responses: 0, promoters: 0, passives: 0, detractors: 0 };
  for (const customer of population) {
    const latest = customer.surveys
      .filter((s) => within(s.at, from, to))
      .sort((a, b) => time(a.at) - time(b.at))
      .at(-1);
    if (!latest) continue;
    nps.responses++;
    if (latest.score >= 9) nps.promoters++;
    else if (latest.score >= 7) nps.passives++;
    else nps.detractors++;
  }
  return {
    ...nps,
    score: nps.responses === 0 ? null : (100 * (nps.promoters - nps.detractors)) / nps.responses,
  };
}

/**
 * Definitions (period P = [from, to), previous period P' = the same length just before):
 * - retention rate = customers who bought in P' and again in P / customers who bought in P'
 * - churn rate = 1 − retention rate
 * - repeat purchase rate = customers with 2+ orders in P / customers with 1+ order in P
 * - AOV = revenue in P / orders in P; purchase frequency = orders in P / purchasers in P
 * - historical CLV = lifetime net spend up to `to` / customers who bought by then
 * - predictive CLV = AOV × purchase frequency × expected lifetime, where the expected lifetime
 *   in periods is 1 / churn rate (geometric survival), capped at maxLifetimePeriods
 * - tier distribution = customers per tier at `to`; migration = (tier at `from`, tier at `to`) pairs
 */
export function programMetrics(
  population: readonly CustomerFacts[],
  period: Period,
  options: MetricsOptions = {},
): ProgramMetrics {
  const maxLifetime = options.maxLifetimePeriods ?? 10;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const previousFrom = from - (to - from);
  const scope = population.filter(
    (c) => time(c.signedUpAt) < to && (options.cohort === undefined || cohortOf(c) === options.cohort),
  );

  let activeAtStart = 0;
  let retained = 0;
  let purchasers = 0;
  let repeaters = 0;
  let orders = 0;
  let revenueMilli = 0;
  let lifetimeBuyers = 0;
  let lifetimeSpend = 0;
  const tierDistribution: Record<string, number> = {};
  const migration = new Map<string, number>();

  for (const customer of scope) {
    const inPeriod = customer.orders.filter((o) => within(o.at, from, to));
    const boughtBefore = customer.orders.some((o) => within(o.at, previousFrom, from));
    if (boughtBefore) {
      activeAtStart++;
      if (inPeriod.length > 0) retained++;
    }
    if (inPeriod.length > 0) purchasers++;
    if (inPeriod.length > 1) repeaters++;
    orders += inPeriod.length;
    revenueMilli += inPeriod.reduce((sum, o) => sum + o.amountMilli, 0);
    const toDate = customer.orders.filter((o) => time(o.at) < to);
    if (toDate.length > 0) {
      lifetimeBuyers++;
      lifetimeSpend += toDate.reduce((sum, o) => sum + o.amountMilli, 0);
    }
    const end = tierAt(customer, new Date(to - 1));
    if (end !== undefined) tierDistribution[end] = (tierDistribution[end] ?? 0) + 1;
    const start = tierAt(customer, new Date(from));
    if (start !== undefined && end !== undefined)
      migration.set(`${start}\u0000${end}`, (migration.get(`${start}\u0000${end}`) ?? 0) + 1);
  }

  const retentionRate = ratio(retained, activeAtStart);
  const churnRate = retentionRate === null ? null : 1 - retentionRate;
  const aov = orders === 0 ? null : Math.round(revenueMilli / orders);
  const frequency = ratio(orders, purchasers);
  const expectedLifetimePeriods =
    churnRate === null ? null : churnRate === 0 ? maxLifetime : Math.min(maxLifetime, 1 / churnRate);
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    cohort: options.cohort ?? null,
    customers: scope.length,
    activeAtStart,
    retained,
    retentionRate,
    churnRate,
    purchasers,
    orders,
    revenueMilli,
    repeatPurchaseRate: ratio(repeaters, purchasers),
    averageOrderValueMilli: aov,
    purchaseFrequency: frequency,
    historicalClvMilli: lifetimeBuyers === 0 ? null : Math.round(lifetimeSpend / lifetimeBuyers),
    expectedLifetimePeriods,
    predictiveClvMilli:
      aov === null || frequency === null || expectedLifetimePeriods === null
        ? null
        : Math.round(aov * frequency * expectedLifetimePeriods),
    nps: netPromoterScore(scope, period),
    tierDistribution,
    tierMigration: [...migration.entries()]
      .map(([key, customers]) => {
        const [fromTier = '', toTier = ''] = key.split('\u0000');
        return { from: fromTier, to: toTier, customers };
      })
      .sort((a, b) => b.customers - a.customers || a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
  };
}

/**
 * Cohort retention curve: for customers whose first purchase was in `cohort` ("YYYY-MM"), the share
 * who bought in each calendar month after it (month 0 = the cohort month itself = 100%), up to `asOf`.
 */
export function cohortRetentionCurve(
  population: readonly CustomerFacts[],
  cohort: string,
  asOf: Date,
): { month: number; rate: number }[] {
  const members = population.filter((c) => cohortOf(c) === cohort);
  if (members.length === 0) return [];
  const start = new Date(`${cohort}-01T00:00:00.000Z`);
  const curve: { month: number; rate: number }[] = [];
  for (let k = 0; ; k++) {
    const monthStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + k, 1);
    if (monthStart > asOf.getTime() || k > 36) break;
    const monthEnd = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + k + 1, 1);
    const active = members.filter((c) => c.orders.some((o) => within(o.at, monthStart, monthEnd))).length;
    curve.push({ month: k, rate: active / members.length });
  }
  return curve;
}
