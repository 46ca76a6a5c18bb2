// What the engine knows about a customer when a step runs: the stored profile (one GetItem), the
// lifecycle stage and segments derived from it, and the condition facts a `where` or `if` reads.
// Read fresh at every step, so a journey never acts on state older than its trigger.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import { predictionAt } from '../domain/customer-predictions.ts';
import type { ConditionFacts } from '../domain/journey-conditions.ts';
import { audienceSegmentsOf } from '../flows/segments.ts';
import { CustomerStore, type StoredProfile } from '../store/customers.ts';
import { SendCapStore } from '../store/ledger.ts';
import { SegmentStore, type SegmentThresholds } from '../store/segments.ts';

export interface CustomerFacts {
  stored: StoredProfile;
  /** Everything a condition reads except the run's entry time. */
  condition: Omit<ConditionFacts, 'enteredAt'>;
}

export type FactsReader = (
  customerId: string,
  /** `stored`: the profile the caller has just read itself (the sender), instead of a second read. */
  options?: { emailed?: boolean; stored?: StoredProfile },
) => Promise<CustomerFacts | undefined>;

const THRESHOLDS_TTL_MS = 10 * 60_000;

/** The condition facts of a stored profile (lifecycle stage and segments as derived). */
export function conditionFactsOf(
  stored: StoredProfile,
  derived: { lifecycleStage?: string | undefined; segments?: readonly string[] | undefined },
  now: Date,
  lastEmailedAt?: string,
): Omit<ConditionFacts, 'enteredAt'> {
  const { profile, loyalty } = stored;
  // P(alive) as of now, not as of the last purchase or fit.
  const predictions = profile.predictions && predictionAt(profile.predictions, now);
  const attributes = profile.attributes ?? {};
  return {
    customerId: profile.customerId,
    tier: loyalty?.tier,
    lifecycleStage: stored.lifecycle?.stage ?? derived.lifecycleStage ?? attributes.lifecycleStage,
    segments: derived.segments,
    locale: profile.locale,
    spendMilli: profile.purchases?.rollingSpendMilli ?? 0,
    orderCount: profile.purchases?.orderCount ?? 0,
    attributes,
    pointsBalance: loyalty?.points ?? 0,
    spendToNextTierMilli: loyalty?.spendToNextTierMilli ?? undefined,
    lastPurchaseAt: profile.purchases?.lastPurchaseAt ?? undefined,
    lastEmailedAt,
    predictions,
  };
}

/**
 * factsOf(customerId): the profile (one GetItem), the weekly segment thresholds (read at most
 * every 10 minutes) and, only when a condition asks `emailedSinceEntry`, the send-cap item.
 */
export function customerFactsReader(store: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}): FactsReader {
  const customers = new CustomerStore(store.doc, store.tableName);
  const segments = new SegmentStore(store.doc, store.tableName);
  const caps = new SendCapStore(store.doc, store.tableName);
  let thresholds: { at: number; value: Promise<SegmentThresholds | undefined> } | undefined;
  const currentThresholds = () => {
    const now = store.clock.now().getTime();
    if (!thresholds || now - thresholds.at >= THRESHOLDS_TTL_MS)
      thresholds = { at: now, value: segments.thresholds().catch(() => undefined) };
    return thresholds.value;
  };
  return async (customerId, options = {}) => {
    const stored = options.stored ?? (await customers.getProfile(customerId));
    if (!stored) return undefined;
    const derived = audienceSegmentsOf(
      { purchases: stored.profile.purchases, lifecycle: stored.lifecycle },
      await currentThresholds(),
      store.clock.now(),
    );
    const lastEmailedAt = options.emailed
      ? latest(Object.values((await caps.get(customerId)).recent))
      : undefined;
    return { stored, condition: conditionFactsOf(stored, derived, store.clock.now(), lastEmailedAt) };
  };
}

function latest(instants: string[]): string | undefined {
  return instants.reduce<string | undefined>(
    (a, b) => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a),
    undefined,
  );
}
