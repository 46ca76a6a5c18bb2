// The names a journey may use, gathered from where the running system defines them: tier ids
// from program.yaml, lifecycle stages and analytics segments from their domain modules, and the
// event details a trigger's `match` is compared with.
import type { z } from 'zod';
import {
  customerProfileUpdatedDetail,
  lifecycleStageChangedDetail,
  purchaseRecordedDetail,
  refundRecordedDetail,
  tierChangedDetail,
} from '../events/emitted.ts';
import type { JourneyEvent } from './journey.ts';
import type { JourneyVocabulary } from './journey-checks.ts';
import { DEFAULT_LIFECYCLE_THRESHOLDS, LIFECYCLE_STAGES, type LifecycleThresholds } from './lifecycle.ts';
import type { LoyaltyProgram } from './loyalty-program.ts';
import { LOYALTY_TYPES, RELATIONSHIP_LEVELS } from './loyalty-type.ts';
import { RFM_SEGMENTS } from './rfm.ts';

/** Every segment name analytics assigns a customer (shared/flows/segments.ts audienceSegmentsOf). */
export const SEGMENT_NAMES: readonly string[] = [
  ...RFM_SEGMENTS,
  'high-value',
  'standard',
  ...LOYALTY_TYPES.filter((type) => type !== 'none'),
  ...RELATIONSHIP_LEVELS,
];

/** Journeys consume each fact after it is recorded (shared/journeys/events.ts): its recorded detail. */
const EVENT_DETAILS: Record<JourneyEvent, z.ZodObject> = {
  'Purchase Completed': purchaseRecordedDetail,
  'Order Refunded': refundRecordedDetail,
  'Customer Upserted': customerProfileUpdatedDetail,
  'Tier Changed': tierChangedDetail,
  'Lifecycle Stage Changed': lifecycleStageChangedDetail,
};

export function journeyVocabulary(
  program: Pick<LoyaltyProgram, 'tiers'>,
  lifecycle: LifecycleThresholds = DEFAULT_LIFECYCLE_THRESHOLDS,
): JourneyVocabulary {
  return {
    tiers: program.tiers.map((tier) => tier.id),
    lifecycleStages: LIFECYCLE_STAGES,
    segments: SEGMENT_NAMES,
    lifecycle,
    eventDetail: (event) => EVENT_DETAILS[event],
  };
}
