// Once a week: the only Scan in the system. Reads the table in parallel segments, recomputes the
// RFM quintile cuts and the 80/20 spend threshold, and stores them in the SEGMENTS item.
import { z } from 'zod';
import type { ScheduledInvocation } from '#infra/wiring.ts';
import { refreshSegmentThresholds } from '#shared/flows/segments.ts';
import type { SegmentThresholds } from '#shared/store/segments.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

const thresholdsEnv = z.object({
  /** Parallel scan segments (Segment/TotalSegments), each a concurrent paginated Scan. */
  SEGMENT_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
});

export function createHandler(runtime: Runtime) {
  const parsed = thresholdsEnv.safeParse(runtime.env);
  if (!parsed.success) {
    throw new Error(
      `invalid segment-thresholds configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  const store = new SegmentStore(runtime.doc, runtime.tableName);
  return async (_event?: ScheduledInvocation): Promise<SegmentThresholds> => {
    const thresholds = await refreshSegmentThresholds(
      store,
      runtime.clock.now(),
      parsed.data.SEGMENT_SCAN_SEGMENTS,
    );
    runtime.logger.info('segment thresholds', {
      customers: thresholds.customers,
      computedAt: thresholds.computedAt,
    });
    return thresholds;
  };
}

export const handler = lambdaEntry(createHandler);
