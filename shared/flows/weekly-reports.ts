// The weekly analytics run keeps the loyalty report of each standard period — the last 7, 30 and
// 90 days and the three calendar months before this one — built by the same buildLoyaltyReport the
// CLI's `loyalty report` runs, from the snapshot the run has already scanned. The console reads
// these instead of scanning per request.
import { standardPeriods } from '../domain/report-periods.ts';
import type { StoredPredictionModel } from '../store/predictions.ts';
import type { SegmentThresholds, TableSnapshot } from '../store/segments.ts';
import type { StoredPeriod, StoredReports } from '../store/stored-reports.ts';
import { buildLoyaltyReport, type ReportOptions } from './analytics.ts';

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
