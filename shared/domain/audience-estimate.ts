// How many customers an entry condition admits, estimated from the weekly population counts
// (customers per tier, lifecycle stage, segment, locale and churn-risk band) without reading a
// single profile: the share of each counted part, multiplied as if the parts were independent.
// Parts the weekly counts do not cover (spend, orders, attributes, points, P(alive) ranges …) are
// named, and the count is then an upper bound for them.
import { type Condition, localeMatches } from './journey-conditions.ts';

export interface Population {
  /** Every customer the weekly job saw. */
  customers: number;
  tiers: Readonly<Record<string, number>>;
  lifecycleStages: Readonly<Record<string, number>>;
  segments: Readonly<Record<string, number>>;
  /** Customers per profile locale (a condition may name a language: zh counts zh-CN and zh-TW). */
  locales?: Readonly<Record<string, number>> | undefined;
  /** Buyers per churn-risk band at the weekly fit. */
  churnRisk?: Readonly<Record<string, number>> | undefined;
}

export interface AudienceEstimate {
  count: number;
  /** The parts of the condition the count reflects, each with its share of customers. */
  counted: { part: string; share: number }[];
  /** Parts the weekly counts cannot see: the count ignores them (an upper bound). */
  notCounted: string[];
}

/** The condition parts the weekly run counts (and keeps sample ids for). */
export const COUNTED_PARTS = ['tiers', 'lifecycleStages', 'segments', 'locales', 'churnRisk'] as const;
export type CountedPart = (typeof COUNTED_PARTS)[number];

/** Whether a counted name is one a condition asks for: a locale condition may name a language (zh: zh-CN, zh-TW). */
export function countedNameMatches(part: CountedPart, counted: string, wanted: string): boolean {
  return part === 'locales' ? localeMatches(counted, wanted) : counted === wanted;
}

export function estimateAudience(where: Condition | undefined, population: Population): AudienceEstimate {
  const total = population.customers;
  const counted: AudienceEstimate['counted'] = [];
  const countable = COUNTED_PARTS.filter((part) => population[part] !== undefined);
  let share = 1;
  for (const part of countable) {
    const names: readonly string[] | undefined = where?.[part];
    if (!names) continue;
    const counts = population[part] ?? {};
    // Each counted name once, a language counting its locales.
    const matching = Object.keys(counts).filter((name) => names.some((wanted) => countedNameMatches(part, name, wanted)));
    // A customer is in one tier, stage, locale and band; segments come from four families, so a
    // customer can be in several listed ones: the summed share is capped at everyone.
    const partShare =
      total === 0 ? 0 : Math.min(1, matching.reduce((sum, name) => sum + (counts[name] ?? 0), 0) / total);
    counted.push({ part: `${part}: ${names.join(', ')}`, share: partShare });
    share *= partShare;
  }
  // A bucket range is an exact share of everyone: k of the 100 buckets.
  if (where?.bucket) {
    const bucketShare = (where.bucket.to - where.bucket.from + 1) / 100;
    counted.push({ part: `bucket ${where.bucket.from}..${where.bucket.to} of ${where.bucket.of}`, share: bucketShare });
    share *= bucketShare;
  }
  const notCounted = Object.entries(where ?? {})
    .filter(
      ([part, value]) =>
        value !== undefined && part !== 'bucket' && !(countable as readonly string[]).includes(part),
    )
    .map(([part]) => part);
  return { count: Math.round(total * share), counted, notCounted };
}
