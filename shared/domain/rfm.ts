// RFM scoring: recency, frequency and monetary value each scored 1–5 against quintile cut points
// computed weekly over the whole customer base, then mapped to a named segment by a fixed grid.
import type { Milli } from './money.ts';

/** Four ascending cut points splitting a distribution into quintiles (20th, 40th, 60th, 80th percentile). */
export type QuintileCuts = readonly [number, number, number, number];

export interface RfmThresholds {
  /** Days since the last purchase: lower is better. */
  recencyDays: QuintileCuts;
  /** Number of orders: higher is better. */
  frequency: QuintileCuts;
  /** Lifetime net spend, milli-units: higher is better. */
  monetaryMilli: QuintileCuts;
}

export interface RfmInput {
  recencyDays: number;
  frequency: number;
  monetaryMilli: Milli;
}

export type Score = 1 | 2 | 3 | 4 | 5;

export interface RfmScore {
  r: Score;
  f: Score;
  m: Score;
  /** "543": the three digits, the form marketers filter on. */
  code: string;
  segment: RfmSegment;
}

/**
 * Nearest-rank quintile cut points: the k-th cut is the value at rank ceil(k·n/5) of the sorted
 * values (k = 1..4). Undefined for an empty base (no thresholds yet).
 */
export function quintileCuts(values: readonly number[]): QuintileCuts | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (k: number) => sorted[Math.max(0, Math.ceil((k * sorted.length) / 5) - 1)] as number;
  return [at(1), at(2), at(3), at(4)];
}

/** Higher-is-better score: 1 at or below the first cut, 5 above the fourth. */
export function scoreHigherIsBetter(value: number, cuts: QuintileCuts): Score {
  return (1 + cuts.filter((cut) => value > cut).length) as Score;
}

/** Lower-is-better score (recency): 5 at or below the first cut, 1 above the fourth. */
export function scoreLowerIsBetter(value: number, cuts: QuintileCuts): Score {
  return (5 - cuts.filter((cut) => value > cut).length) as Score;
}

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential loyalists',
  'new',
  'promising',
  'need attention',
  'about to sleep',
  'at risk',
  "can't lose",
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/**
 * The segment grid: rows are R (5 = bought most recently), columns FM = round((F + M) / 2).
 * Every one of the 25 cells is named, so every scored customer has exactly one segment.
 */
export const RFM_SEGMENT_GRID: Record<Score, Record<Score, RfmSegment>> = {
  5: { 1: 'new', 2: 'potential loyalists', 3: 'potential loyalists', 4: 'champions', 5: 'champions' },
  4: { 1: 'promising', 2: 'potential loyalists', 3: 'loyal', 4: 'loyal', 5: 'champions' },
  3: { 1: 'about to sleep', 2: 'need attention', 3: 'need attention', 4: 'loyal', 5: 'loyal' },
  2: { 1: 'hibernating', 2: 'about to sleep', 3: 'at risk', 4: 'at risk', 5: "can't lose" },
  1: { 1: 'lost', 2: 'hibernating', 3: 'at risk', 4: "can't lose", 5: "can't lose" },
};

export function rfmSegment(r: Score, f: Score, m: Score): RfmSegment {
  const fm = Math.round((f + m) / 2) as Score;
  return RFM_SEGMENT_GRID[r][fm];
}

/** Scores a customer with at least one order; customers who never bought have no RFM. */
export function scoreRfm(input: RfmInput, thresholds: RfmThresholds): RfmScore {
  const r = scoreLowerIsBetter(input.recencyDays, thresholds.recencyDays);
  const f = scoreHigherIsBetter(input.frequency, thresholds.frequency);
  const m = scoreHigherIsBetter(input.monetaryMilli, thresholds.monetaryMilli);
  return { r, f, m, code: `${r}${f}${m}`, segment: rfmSegment(r, f, m) };
}
