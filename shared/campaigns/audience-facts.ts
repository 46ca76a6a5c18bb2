// The customer facts an audience filter looks at, from the stored profile (one GetItem).
// Lifecycle stage and segments are derived by analytics (shared/flows/segments.ts); without them
// a profile attribute of the same name stands in.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AudienceFacts } from '../domain/campaign-audience.ts';
import type { Clock } from '../domain/clock.ts';
import { audienceSegmentsOf } from '../flows/segments.ts';
import { CustomerStore, type StoredProfile } from '../store/customers.ts';
import { SegmentStore, type SegmentThresholds } from '../store/segments.ts';

export function audienceFactsOf(
  stored: StoredProfile,
  derived: Pick<AudienceFacts, 'lifecycleStage' | 'segments'> = {},
): AudienceFacts {
  const { profile } = stored;
  const attributes = profile.attributes ?? {};
  return {
    tier: stored.loyalty?.tier,
    lifecycleStage: derived.lifecycleStage ?? attributes.lifecycleStage,
    segments:
      derived.segments ??
      attributes.segments
        ?.split(',')
        .map((segment) => segment.trim())
        .filter(Boolean),
    locale: profile.locale,
    spendMilli: profile.purchases?.rollingSpendMilli ?? 0,
    orderCount: profile.purchases?.orderCount ?? 0,
    attributes,
  };
}

const THRESHOLDS_TTL_MS = 10 * 60_000;

/**
 * factsOf(customerId) for the campaign gate: the stored profile (one GetItem) plus lifecycle stage
 * and segments derived from it and the weekly segment thresholds (read at most every 10 minutes).
 */
export function audienceFactsReader(store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock }) {
  const customers = new CustomerStore(store.doc, store.tableName);
  const segmentStore = new SegmentStore(store.doc, store.tableName);
  let thresholds: { at: number; value: Promise<SegmentThresholds | undefined> } | undefined;
  const currentThresholds = () => {
    const now = store.clock.now().getTime();
    if (!thresholds || now - thresholds.at >= THRESHOLDS_TTL_MS) {
      thresholds = { at: now, value: segmentStore.thresholds().catch(() => undefined) };
    }
    return thresholds.value;
  };
  return async (customerId: string): Promise<AudienceFacts | undefined> => {
    const stored = await customers.getProfile(customerId);
    if (!stored) return undefined;
    const derived = audienceSegmentsOf(
      { purchases: stored.profile.purchases, lifecycle: stored.lifecycle },
      await currentThresholds(),
      store.clock.now(),
    );
    return audienceFactsOf(stored, derived);
  };
}
