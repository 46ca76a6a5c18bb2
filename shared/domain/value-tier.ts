// Value tier by the 80/20 rule: the top 20% of customers by 12-month (rolling) net spend are
// "high-value". The threshold is the spend of the customer at the 20% rank, computed weekly over
// the whole base; between runs a profile is classified against the stored threshold.
import type { Milli } from './money.ts';

export type ValueTier = 'high-value' | 'standard';

export const TOP_SHARE = 0.2;

/**
 * The 12-month spend at rank ceil(20% of n) from the top (n = every customer, spenders or not).
 * Customers tied with it are high-value too. Undefined when nobody has spent anything.
 */
export function valueTierThreshold(rollingSpends: readonly Milli[], share = TOP_SHARE): Milli | undefined {
  if (rollingSpends.length === 0) return undefined;
  const sorted = [...rollingSpends].sort((a, b) => b - a);
  const rank = Math.max(1, Math.ceil(share * sorted.length));
  const threshold = sorted[rank - 1] as Milli;
  // Zero spend never qualifies: with few spenders the top tier is just the spenders.
  return threshold > 0 ? threshold : (sorted.filter((spend) => spend > 0).at(-1) ?? undefined);
}

export function valueTier(rollingSpendMilli: Milli, threshold: Milli | undefined): ValueTier {
  return threshold !== undefined && rollingSpendMilli > 0 && rollingSpendMilli >= threshold
    ? 'high-value'
    : 'standard';
}

/** Share of total 12-month spend that the high-value tier brings (the "80" of 80/20). */
export function highValueRevenueShare(rollingSpends: readonly Milli[], threshold: Milli | undefined): number {
  const total = rollingSpends.reduce((sum, spend) => sum + spend, 0);
  if (total === 0) return 0;
  const top = rollingSpends
    .filter((spend) => valueTier(spend, threshold) === 'high-value')
    .reduce((sum, spend) => sum + spend, 0);
  return top / total;
}
