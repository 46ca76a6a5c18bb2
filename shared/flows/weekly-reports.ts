// The weekly analytics run keeps the loyalty report of each standard period — the last 7, 30 and
// 90 days and the three calendar months before this one — built by the same buildLoyaltyReport the
// CLI's `loyalty report` runs, from the snapshot the run has already scanned. The console reads
// these instead of scanning per request.
import { DAY_MS } from '../domain/clock.ts';
import type { StoredPredictionModel } from '../store/predictions.ts';
import type { SegmentThresholds, TableSnapshot } from '../store/segments.ts';
import type { StoredPeriod, StoredReports } from '../store/stored-reports.ts';
import { buildLoyaltyReport, type ReportOptions } from './analytics.ts';

const ROLLING_DAYS = [7, 30, 90] as const;
const CALENDAR_MONTHS = 3;

/** The periods a run at `now` reports on, each with its inclusive start and exclusive end. */
export function standardPeriods(now: Date): { period: string; from: Date; to: Date }[] {
  const rolling = ROLLING_DAYS.map((days) => ({
    period: `last-${days}-days`,
    from: new Date(now.getTime() - days * DAY_MS),
    to: now,
  }));
  const months = Array.from({ length: CALENDAR_MONTHS }, (_, back) => {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back - 1, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    return { period: `month-${from.toISOString().slice(0, 7)}`, from, to };
  });
  return [...rolling, ...months];
}

/** Builds and stores every standard period's report; returns the periods stored. */
export async function storeWeeklyReports(
  store: StoredReports,
  input: {
    snapshot: TableSnapshot;
    thresholds: SegmentThresholds;
    model: StoredPredictionModel | undefined;
    options: Omit<ReportOptions, 'from' | 'to' | 'cohort'>;
  },
  now: Date,
): Promise<StoredPeriod[]> {
  const stored: StoredPeriod[] = [];
  for (const { period, from, to } of standardPeriods(now)) {
    const report = buildLoyaltyReport(input.snapshot, input.thresholds, { ...input.options, from, to }, now, input.model);
    const entry = { period, from: from.toISOString(), to: to.toISOString(), computedAt: now.toISOString() };
    if (await store.save(entry, report)) stored.push(entry);
  }
  return stored;
}
