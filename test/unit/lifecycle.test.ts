import { describe, expect, it } from 'vitest';
import { DAY_MS, ManualClock } from '#shared/domain/clock.ts';
import {
  DEFAULT_LIFECYCLE_THRESHOLDS,
  decideLifecycle,
  type LifecycleFacts,
  lifecycleFactsFrom,
  lifecycleStage,
  lifecycleThresholds,
  nextLifecycleTransitionAt,
} from '#shared/domain/lifecycle.ts';
import { lifecycleThresholdsFromEnv } from '#shared/flows/lifecycle.ts';

const at = (iso: string) => new Date(iso);
const oneBuy: LifecycleFacts = lifecycleFactsFrom(['2026-01-01T00:00:00.000Z']);

describe('lifecycle stage', () => {
  it('is new before any purchase and never transitions on its own', () => {
    const none = lifecycleFactsFrom([]);
    expect(lifecycleStage(none, at('2026-05-01T00:00:00Z'))).toBe('new');
    expect(nextLifecycleTransitionAt(none, at('2026-05-01T00:00:00Z'))).toBeUndefined();
  });

  it('walks new -> active -> at-risk -> lapsed -> churned at exactly 30/60/120/365 days', () => {
    expect(lifecycleStage(oneBuy, at('2026-01-30T23:59:59Z'))).toBe('new');
    expect(lifecycleStage(oneBuy, at('2026-01-31T00:00:00Z'))).toBe('active');
    expect(lifecycleStage(oneBuy, at('2026-03-01T23:59:59Z'))).toBe('active');
    expect(lifecycleStage(oneBuy, at('2026-03-02T00:00:00Z'))).toBe('at-risk');
    expect(lifecycleStage(oneBuy, at('2026-05-01T00:00:00Z'))).toBe('lapsed');
    expect(lifecycleStage(oneBuy, at('2027-01-01T00:00:00Z'))).toBe('churned');
  });

  it('is reactivated for 30 days after a purchase that ended a lapse of 120+ days', () => {
    const back = lifecycleFactsFrom(['2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z']);
    expect(lifecycleStage(back, at('2025-06-10T00:00:00Z'))).toBe('reactivated');
    expect(lifecycleStage(back, at('2025-07-01T00:00:00Z'))).toBe('active');
    const shortGap = lifecycleFactsFrom(['2025-01-01T00:00:00Z', '2025-04-30T00:00:00Z']);
    expect(lifecycleStage(shortGap, at('2025-05-05T00:00:00Z'))).toBe('active');
  });

  it('rejects thresholds that are out of order', () => {
    expect(lifecycleThresholds.safeParse({ atRiskDays: 200, lapsedDays: 100 }).success).toBe(false);
    expect(lifecycleThresholds.parse({ churnedDays: 400 }).churnedDays).toBe(400);
  });
});

describe('lifecycle transitions as the clock advances', () => {
  it('fires exactly where a day-by-day walk sees the stage change, and nowhere else', () => {
    const facts = lifecycleFactsFrom(['2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z']);
    const clock = new ManualClock('2025-06-01T00:00:00Z');
    const walked: string[] = [];
    let stage = lifecycleStage(facts, clock.now());
    for (let day = 0; day < 400; day++) {
      clock.advanceMs(DAY_MS);
      const next = lifecycleStage(facts, clock.now());
      if (next !== stage) walked.push(`${clock.now().toISOString().slice(0, 10)} ${next}`);
      stage = next;
    }
    const timers: string[] = [];
    let now = at('2025-06-01T00:00:00Z');
    for (let due = nextLifecycleTransitionAt(facts, now); due; due = nextLifecycleTransitionAt(facts, now)) {
      now = due;
      timers.push(`${due.toISOString().slice(0, 10)} ${lifecycleStage(facts, due)}`);
    }
    expect(timers).toEqual([
      '2025-07-01 active',
      '2025-07-31 at-risk',
      '2025-09-29 lapsed',
      '2026-06-01 churned',
    ]);
    expect(walked).toEqual(timers);
  });

  it('honours configured thresholds', () => {
    const thresholds = lifecycleThresholds.parse({
      newDays: 7,
      atRiskDays: 14,
      lapsedDays: 28,
      churnedDays: 90,
      reactivatedDays: 7,
    });
    expect(nextLifecycleTransitionAt(oneBuy, at('2026-01-02T00:00:00Z'), thresholds)).toEqual(
      at('2026-01-08T00:00:00Z'),
    );
    expect(lifecycleStage(oneBuy, at('2026-01-15T00:00:00Z'), thresholds)).toBe('at-risk');
    expect(DEFAULT_LIFECYCLE_THRESHOLDS.lapsedDays).toBe(120);
  });
});

describe('the lifecycle stage kept on the record', () => {
  it('records the first stage as transition 0 with no previous stage', () => {
    expect(decideLifecycle(undefined, oneBuy, at('2026-01-01T00:00:00Z'))).toEqual({
      stage: 'new',
      since: '2026-01-01T00:00:00.000Z',
      previousStage: null,
      seq: 0,
    });
  });

  it('records a change of stage as the next transition, from the stored stage', () => {
    const stored = { stage: 'new', since: '2026-01-01T00:00:00.000Z', previousStage: null, seq: 0 } as const;
    expect(decideLifecycle(stored, oneBuy, at('2026-01-31T00:00:00Z'))).toEqual({
      stage: 'active',
      since: '2026-01-31T00:00:00.000Z',
      previousStage: 'new',
      seq: 1,
    });
  });

  it('changes nothing when the stage as of now is the stored one (a second or stale firing)', () => {
    const stored = {
      stage: 'active',
      since: '2026-01-31T00:00:00.000Z',
      previousStage: 'new',
      seq: 1,
    } as const;
    expect(decideLifecycle(stored, oneBuy, at('2026-01-31T00:00:00Z'))).toBe('unchanged');
    expect(decideLifecycle(stored, oneBuy, at('2026-02-20T00:00:00Z'))).toBe('unchanged');
  });

  it('makes a lapsed customer who buys again reactivated', () => {
    const stored = {
      stage: 'lapsed',
      since: '2026-05-01T00:00:00.000Z',
      previousStage: 'at-risk',
      seq: 3,
    } as const;
    const facts = lifecycleFactsFrom(['2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z']);
    expect(decideLifecycle(stored, facts, at('2026-06-01T00:00:00Z'))).toMatchObject({
      stage: 'reactivated',
      previousStage: 'lapsed',
      seq: 4,
    });
  });
});

describe('lifecycle thresholds from LIFECYCLE_THRESHOLDS', () => {
  it('uses the defaults when unset and fills unset keys with them', () => {
    expect(lifecycleThresholdsFromEnv({})).toEqual(DEFAULT_LIFECYCLE_THRESHOLDS);
    expect(lifecycleThresholdsFromEnv({ LIFECYCLE_THRESHOLDS: '{"atRiskDays":45}' })).toEqual({
      ...DEFAULT_LIFECYCLE_THRESHOLDS,
      atRiskDays: 45,
    });
  });

  it('refuses a setting that is not JSON, has unknown keys or breaks the ordering', () => {
    expect(() => lifecycleThresholdsFromEnv({ LIFECYCLE_THRESHOLDS: 'atRisk=45' })).toThrow(/not JSON/);
    expect(() => lifecycleThresholdsFromEnv({ LIFECYCLE_THRESHOLDS: '{"atRisk":45}' })).toThrow(
      /LIFECYCLE_THRESHOLDS/,
    );
    expect(() => lifecycleThresholdsFromEnv({ LIFECYCLE_THRESHOLDS: '{"lapsedDays":400}' })).toThrow(
      /atRiskDays < lapsedDays < churnedDays/,
    );
  });
});
