// The customer facts an audience filter looks at, from the stored profile (one GetItem).
// Lifecycle stage and segments are derived by analytics (shared/flows/segments.ts); until they
// are passed in, a profile attribute of the same name stands in.
import type { AudienceFacts } from '../domain/campaign-audience.ts';
import type { StoredProfile } from '../store/customers.ts';

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
