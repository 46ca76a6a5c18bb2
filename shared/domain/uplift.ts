// Campaign results: who converted (a purchase within the attribution window after the send, or
// after the moment a holdout member would have been sent), revenue, and the uplift of the
// treatment's conversion rate and revenue per contact over the holdout's, each with a 95% interval.
import { DAY_MS } from './clock.ts';
import type { Milli } from './money.ts';

export interface CampaignContact {
  customerId: string;
  group: 'treatment' | 'holdout';
  /** When the email went out (treatment) or was withheld (holdout). */
  at: string;
}

export interface AttributedOrder {
  customerId: string;
  at: string;
  amountMilli: Milli;
}

export interface Proportion {
  n: number;
  converted: number;
  rate: number;
}

export interface Interval {
  low: number;
  high: number;
}

export interface UpliftEstimate {
  treatment: Proportion;
  holdout: Proportion;
  /** Treatment rate − holdout rate (absolute, in proportion points). */
  uplift: number;
  /** Newcombe hybrid score interval (method 10): sound with small counts and rates near 0 or 1. */
  newcombe: Interval;
  /** Wald interval: the textbook normal approximation, shown for comparison. */
  wald: Interval;
  /** True when the Newcombe interval excludes zero. */
  significant: boolean;
  /**
   * Customers per group needed to detect a difference of this size at 95% with 80% power (normal
   * approximation); null when the groups show no difference at all.
   */
  neededPerGroup: number | null;
  /** The verdict in words, e.g. "not significant at 95%: too few customers — needs about 240 per group". */
  significance: string;
}

/** Revenue per contact, treatment minus holdout, with a Welch (unequal variances) normal 95% interval. */
export interface RevenueUplift {
  differenceMilli: Milli;
  interval: { low: Milli; high: Milli };
  significant: boolean;
  /** The verdict in words, as for conversion uplift. */
  significance: string;
}

export interface CampaignOutcome {
  converted: { treatment: number; holdout: number };
  revenueMilli: { treatment: Milli; holdout: Milli };
  uplift: UpliftEstimate | undefined;
  /** Revenue per contact uplift; undefined below 2 contacts per group. */
  revenueUplift: RevenueUplift | undefined;
}

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;
/** z for 80% power (one-sided), the usual planning convention for A/B tests. */
const Z_POWER_80 = 0.8416212335729143;

const proportion = (converted: number, n: number): Proportion => ({
  n,
  converted,
  rate: n === 0 ? 0 : converted / n,
});

/** Wilson score interval for one proportion. */
export function wilson(converted: number, n: number, z = Z_95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = converted / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Uplift of treatment over holdout with Newcombe and Wald 95% intervals; undefined if a group is empty. */
export function upliftEstimate(
  treatment: { converted: number; n: number },
  holdout: { converted: number; n: number },
  z = Z_95,
): UpliftEstimate | undefined {
  if (treatment.n === 0 || holdout.n === 0) return undefined;
  const t = proportion(treatment.converted, treatment.n);
  const h = proportion(holdout.converted, holdout.n);
  const d = t.rate - h.rate;
  const wt = wilson(t.converted, t.n, z);
  const wh = wilson(h.converted, h.n, z);
  const newcombe = {
    low: d - Math.sqrt((t.rate - wt.low) ** 2 + (wh.high - h.rate) ** 2),
    high: d + Math.sqrt((wt.high - t.rate) ** 2 + (h.rate - wh.low) ** 2),
  };
  const se = Math.sqrt((t.rate * (1 - t.rate)) / t.n + (h.rate * (1 - h.rate)) / h.n);
  const significant = newcombe.low > 0 || newcombe.high < 0;
  const neededPerGroup = sampleSizePerGroup(t.rate, h.rate);
  return {
    treatment: t,
    holdout: h,
    uplift: d,
    newcombe,
    wald: { low: d - z * se, high: d + z * se },
    significant,
    neededPerGroup,
    significance: significanceInWords(significant, neededPerGroup, Math.min(t.n, h.n)),
  };
}

/**
 * Customers per group for a two-sided two-proportion test to detect rates `a` vs `b` at 95% with
 * 80% power (Fleiss, no continuity correction):
 * n = (z_α/2·√(2p̄(1−p̄)) + z_β·√(a(1−a) + b(1−b)))² / (a − b)², p̄ = (a + b) / 2.
 */
export function sampleSizePerGroup(a: number, b: number): number | null {
  const difference = Math.abs(a - b);
  if (difference === 0) return null;
  const pooled = (a + b) / 2;
  const root =
    Z_95 * Math.sqrt(2 * pooled * (1 - pooled)) + Z_POWER_80 * Math.sqrt(a * (1 - a) + b * (1 - b));
  return Math.ceil(root ** 2 / difference ** 2);
}

function significanceInWords(significant: boolean, needed: number | null, smallerGroup: number): string {
  if (significant) return 'significant at 95%: the interval excludes zero';
  if (needed === null) return 'not significant at 95%: no difference between the groups';
  if (smallerGroup < needed)
    return `not significant at 95%: too few customers — needs about ${needed} per group (smaller group has ${smallerGroup})`;
  return 'not significant at 95%: the difference may be chance';
}

/** Difference of means with a Welch normal 95% interval; undefined below 2 per group. */
export function revenueUplift(treatment: readonly Milli[], holdout: readonly Milli[]): RevenueUplift | undefined {
  if (treatment.length < 2 || holdout.length < 2) return undefined;
  const stats = (xs: readonly number[]) => {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    return { mean, variance };
  };
  const [t, h] = [stats(treatment), stats(holdout)];
  const difference = t.mean - h.mean;
  const se = Math.sqrt(t.variance / treatment.length + h.variance / holdout.length);
  const interval = { low: Math.round(difference - Z_95 * se), high: Math.round(difference + Z_95 * se) };
  const significant = interval.low > 0 || interval.high < 0;
  return {
    differenceMilli: Math.round(difference),
    interval,
    significant,
    significance: significant
      ? 'significant at 95%: the interval excludes zero'
      : `not significant at 95%: the difference may be chance (${Math.min(treatment.length, holdout.length)} in the smaller group)`,
  };
}

/**
 * Attributes each contact's orders in (at, at + window]: a contact converts if it has at least one;
 * revenue sums those orders. A customer contacted twice counts as two contacts.
 */
export function campaignOutcome(
  contacts: readonly CampaignContact[],
  orders: readonly AttributedOrder[],
  windowDays: number,
): CampaignOutcome {
  const byCustomer = new Map<string, AttributedOrder[]>();
  for (const order of orders) {
    const own = byCustomer.get(order.customerId);
    if (own) own.push(order);
    else byCustomer.set(order.customerId, [order]);
  }
  const converted = { treatment: 0, holdout: 0 };
  const n = { treatment: 0, holdout: 0 };
  const revenueMilli = { treatment: 0, holdout: 0 };
  const perContact: { treatment: Milli[]; holdout: Milli[] } = { treatment: [], holdout: [] };
  for (const contact of contacts) {
    const from = Date.parse(contact.at);
    const to = from + windowDays * DAY_MS;
    const attributed = (byCustomer.get(contact.customerId) ?? []).filter((order) => {
      const at = Date.parse(order.at);
      return at > from && at <= to;
    });
    n[contact.group]++;
    if (attributed.length > 0) converted[contact.group]++;
    const revenue = attributed.reduce((sum, order) => sum + order.amountMilli, 0);
    revenueMilli[contact.group] += revenue;
    perContact[contact.group].push(revenue);
  }
  return {
    converted,
    revenueMilli,
    uplift: upliftEstimate(
      { converted: converted.treatment, n: n.treatment },
      { converted: converted.holdout, n: n.holdout },
    ),
    revenueUplift: revenueUplift(perContact.treatment, perContact.holdout),
  };
}
