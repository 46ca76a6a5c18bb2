// A sample of the customers an audience condition admits, without a Scan in the request path: the
// weekly run keeps a few customer ids per tier, lifecycle stage, segment, locale and churn-risk band
// (SEGMENTS / SAMPLES); the audience builder takes the ids kept for the condition's most selective
// counted part and checks each against the whole condition with the journey engine's own facts
// and evaluator — so every id shown matches now, and at most `candidates` profiles are read.
import type { ChurnRisk } from '../domain/customer-predictions.ts';
import { COUNTED_PARTS, countedNameMatches } from '../domain/audience-estimate.ts';
import { type Condition, evaluateCondition } from '../domain/journey-conditions.ts';
import type { CustomerFacts } from '../domain/metrics.ts';
import type { FactsReader } from '../journeys/customer-facts.ts';
import type { AudienceSample, SegmentThresholds } from '../store/segments.ts';
import { audienceBucketsOf } from './segments.ts';

/** Ids kept per tier, stage, segment, locale and band: enough to show a handful after the check. */
export const SAMPLE_PER_NAME = 25;

type Family = keyof AudienceSample['samples'];

/** The weekly sample, from the run's snapshot (customers in id order) and the fit's churn bands. */
export function buildAudienceSample(
  customers: readonly CustomerFacts[],
  thresholds: SegmentThresholds,
  churnRisk: ReadonlyMap<string, ChurnRisk>,
  now: Date,
  perName = SAMPLE_PER_NAME,
): AudienceSample {
  const samples: AudienceSample['samples'] = { tiers: {}, lifecycleStages: {}, segments: {}, locales: {}, churnRisk: {} };
  const counts: Record<string, number> = {};
  const everyone: string[] = [];
  const keep = (family: Family, name: string, customerId: string) => {
    const ids = (samples[family][name] ??= []);
    if (ids.length < perName) ids.push(customerId);
  };
  for (const customer of customers) {
    if (everyone.length < perName) everyone.push(customer.customerId);
    const buckets = audienceBucketsOf(customer, thresholds, now);
    for (const family of ['tiers', 'lifecycleStages', 'segments', 'locales'] as const)
      for (const name of buckets[family]) keep(family, name, customer.customerId);
    const band = churnRisk.get(customer.customerId);
    if (band) {
      keep('churnRisk', band, customer.customerId);
      counts[band] = (counts[band] ?? 0) + 1;
    }
  }
  return { computedAt: now.toISOString(), churnRisk: counts, samples, everyone };
}

export interface AudienceSampleAnswer {
  /** Customer ids that match the whole condition now (ids only: no address, no name). */
  customerIds: string[];
  /** How many kept ids were checked, and which part of the condition they were kept for. */
  checked: number;
  drawnFrom: string;
}

/** Checks the kept ids of the condition's rarest counted part against the whole condition. */
export async function sampleAudience(
  where: Condition | undefined,
  sample: AudienceSample,
  population: Partial<Record<Family, Readonly<Record<string, number>>>>,
  factsOf: FactsReader,
  options: { show: number; candidates: number },
): Promise<AudienceSampleAnswer> {
  const parts = COUNTED_PARTS.flatMap((family) => {
    const names = where?.[family];
    if (!names) return [];
    const kept = Object.keys(sample.samples[family]).filter((name) => (names as readonly string[]).some((n) => countedNameMatches(family, name, n)));
    const size = kept.reduce((sum, name) => sum + (population[family]?.[name] ?? 0), 0);
    return [{ family, names, ids: kept.flatMap((name) => sample.samples[family][name] ?? []), size }];
  });
  const rarest = parts.sort((a, b) => a.size - b.size)[0];
  const candidates = [...new Set(rarest ? rarest.ids : sample.everyone)].slice(0, options.candidates);
  const matches = await Promise.all(
    candidates.map(async (customerId) => {
      const facts = await factsOf(customerId);
      return facts && (!where || evaluateCondition(where, facts.condition).holds) ? [customerId] : [];
    }),
  );
  return { customerIds: matches.flat().slice(0, options.show), checked: candidates.length, drawnFrom: rarest ? `${rarest.family}: ${rarest.names.join(', ')}` : 'all customers' };
}
