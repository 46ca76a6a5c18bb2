import { describe, expect, it } from 'vitest';
import {
  quintileCuts,
  RFM_SEGMENT_GRID,
  RFM_SEGMENTS,
  type RfmThresholds,
  rfmSegment,
  type Score,
  scoreHigherIsBetter,
  scoreLowerIsBetter,
  scoreRfm,
} from '#shared/domain/rfm.ts';

describe('RFM quintile thresholds', () => {
  it('takes the nearest-rank 20/40/60/80th percentiles of the base', () => {
    expect(quintileCuts([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual([2, 4, 6, 8]);
    expect(quintileCuts([5, 1, 3])).toEqual([1, 3, 3, 5]);
  });

  it('has no thresholds for an empty base', () => {
    expect(quintileCuts([])).toBeUndefined();
  });
});

describe('RFM scores at the quintile boundaries', () => {
  const cuts = [2, 4, 6, 8] as const;
  it('scores frequency and monetary 1 at the first cut and 2 just above it', () => {
    expect([0, 2, 2.001, 4, 5, 6, 8, 8.001, 100].map((v) => scoreHigherIsBetter(v, cuts))).toEqual([
      1, 1, 2, 2, 3, 3, 4, 5, 5,
    ]);
  });

  it('scores recency 5 at the first cut (most recent) and 1 beyond the last', () => {
    expect([0, 2, 3, 4, 6, 8, 9].map((v) => scoreLowerIsBetter(v, cuts))).toEqual([5, 5, 4, 4, 3, 2, 1]);
  });

  it('scores a customer and names the segment from R and the rounded mean of F and M', () => {
    const thresholds: RfmThresholds = {
      recencyDays: [10, 30, 60, 120],
      frequency: [1, 2, 3, 5],
      monetaryMilli: [50_000, 100_000, 200_000, 500_000],
    };
    expect(scoreRfm({ recencyDays: 3, frequency: 8, monetaryMilli: 900_000 }, thresholds)).toEqual({
      r: 5,
      f: 5,
      m: 5,
      code: '555',
      segment: 'champions',
    });
    expect(scoreRfm({ recencyDays: 400, frequency: 1, monetaryMilli: 20_000 }, thresholds)).toEqual({
      r: 1,
      f: 1,
      m: 1,
      code: '111',
      segment: 'lost',
    });
    expect(scoreRfm({ recencyDays: 200, frequency: 6, monetaryMilli: 600_000 }, thresholds).segment).toBe(
      "can't lose",
    );
    expect(scoreRfm({ recencyDays: 5, frequency: 1, monetaryMilli: 40_000 }, thresholds).segment).toBe('new');
  });
});

describe('RFM segment grid', () => {
  it('names all 25 cells and uses every one of the eleven segments', () => {
    const used = new Set<string>();
    for (const r of [1, 2, 3, 4, 5] as Score[])
      for (const fm of [1, 2, 3, 4, 5] as Score[]) used.add(RFM_SEGMENT_GRID[r][fm]);
    expect([...used].sort()).toEqual([...RFM_SEGMENTS].sort());
  });

  it('rounds FM half up: F 4 and M 5 read as FM 5', () => {
    expect(rfmSegment(4, 4, 5)).toBe('champions');
    expect(rfmSegment(3, 2, 3)).toBe('need attention');
    expect(rfmSegment(2, 1, 2)).toBe('about to sleep');
    expect(rfmSegment(4, 1, 1)).toBe('promising');
    expect(rfmSegment(2, 3, 4)).toBe('at risk');
    expect(rfmSegment(1, 1, 2)).toBe('hibernating');
  });
});
