// Once a week: the analytics run, the only scheduled Scan (journey-arming scans only when a date
// trigger goes live). Reads the table in parallel segments once, then recomputes the RFM quintile
// cuts and the 80/20 spend threshold (SEGMENTS item), refits the prediction models, refreshing
// the buyers' predictions this fit moved (PREDICTIONS item), keeps the audience builder's sample (SAMPLES item)
// and stores the loyalty report of each standard period (REPORTS items) for the console's results page.
import * as z from 'zod';
import type { ScheduledInvocation } from '#infra/wiring.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { ATTRIBUTION_DAYS } from '#shared/domain/step-results.ts';
import { programDefaults } from '#shared/flows/analytics-page.ts';
import { buildAudienceSample } from '#shared/flows/audience-sample.ts';
import { refitPredictions } from '#shared/flows/predictions.ts';
import { storeWeeklyReports } from '#shared/flows/weekly-reports.ts';
import { refreshSegmentThresholds } from '#shared/flows/segments.ts';
import { PredictionStore, type StoredPredictionModel } from '#shared/store/predictions.ts';
import type { SegmentThresholds } from '#shared/store/segments.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { type StoredPeriod, StoredReports } from '#shared/store/stored-reports.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { functionSettings, type Runtime } from '../commons/runtime.ts';

const thresholdsEnv = z.object({
  /** Parallel scan segments (Segment/TotalSegments), each a concurrent paginated Scan. */
  SEGMENT_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
});

export interface WeeklyAnalyticsResult {
  thresholds: SegmentThresholds;
  predictions: { model: StoredPredictionModel; predicted: number; unchanged: number };
  reports: StoredPeriod[];
}

export function createHandler(runtime: Runtime) {
  const settings = functionSettings('segment-thresholds', thresholdsEnv, runtime.env);
  const store = new SegmentStore(runtime.doc, runtime.tableName);
  const predictionStore = new PredictionStore(runtime.doc, runtime.tableName);
  const reportStore = new StoredReports(runtime.doc, runtime.tableName);
  const program = programDefaults(() => deployedProgram(runtime.env));
  return async (_event?: ScheduledInvocation): Promise<WeeklyAnalyticsResult> => {
    const now = runtime.clock.now();
    const snapshot = await store.scanSnapshot(settings.SEGMENT_SCAN_SEGMENTS);
    const thresholds = await refreshSegmentThresholds(store, snapshot, now);
    const { churnRisk, ...predictions } = await refitPredictions(predictionStore, snapshot.customers, now);
    await store.saveAudienceSample(buildAudienceSample(snapshot.customers, thresholds, churnRisk, now));
    const reports = await storeWeeklyReports(
      reportStore,
      { snapshot, thresholds, model: predictions.model, options: { attributionDays: ATTRIBUTION_DAYS, ...program } },
      now,
    );
    runtime.logger.info('weekly analytics', {
      customers: thresholds.customers,
      computedAt: thresholds.computedAt,
      predictionModel: predictions.model.status,
      predicted: predictions.predicted,
      unchanged: predictions.unchanged,
      reports: reports.length,
    });
    return { thresholds, predictions, reports };
  };
}

export const handler = lambdaEntry(createHandler);
