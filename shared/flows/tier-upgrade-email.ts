// Tier Changed (up) -> one SendRequest for the tier-upgrade email, in the customer's locale. The
// ledger period is the tier reached and when, so a re-announced change, a redelivered event or
// a crash after enqueueing all collapse into one email; the sender checks consent.
import type { Clock } from '../domain/clock.ts';
import {
  type LoyaltyProgram,
  programLocale,
  tierBenefits,
  tierById,
  tierName,
} from '../domain/loyalty-program.ts';
import type { TierChanged } from '../events/emitted.ts';
import type { SendQueue, SendRequest } from '../mail/send-request.ts';
import type { StoredProfile } from '../store/customers.ts';

export const TIER_UPGRADE_CAMPAIGN = 'tier-upgrade';

export type TierUpgradeDecision =
  | { kind: 'enqueue'; request: SendRequest }
  | { kind: 'skip'; reason: 'not-an-upgrade' | 'unknown-customer' | 'superseded' | 'unknown-tier' };

/**
 * The email for an upgrade, or why there is none. Only the customer's LATEST change is emailed:
 * if two upgrades land before this runs (Silver, then Gold a moment later) or a correction has
 * since lowered the tier, the earlier announcement is superseded and sends nothing.
 */
export function tierUpgradeEmail(
  program: LoyaltyProgram,
  change: TierChanged,
  stored: StoredProfile | undefined,
  now: Date,
): TierUpgradeDecision {
  if (change.direction !== 'up') return { kind: 'skip', reason: 'not-an-upgrade' };
  if (!stored) return { kind: 'skip', reason: 'unknown-customer' };
  if ((stored.loyalty?.changeSeq ?? 0) > change.seq) return { kind: 'skip', reason: 'superseded' };
  const tier = tierById(program, change.to);
  if (!tier) return { kind: 'skip', reason: 'unknown-tier' };
  const locale = programLocale(program, stored.profile.locale);
  const next = change.nextTier ? tierById(program, change.nextTier) : undefined;
  return {
    kind: 'enqueue',
    request: {
      customerId: change.customerId,
      campaignId: TIER_UPGRADE_CAMPAIGN,
      period: `${change.to}#${change.tierSince ?? change.occurredAt}`,
      template: TIER_UPGRADE_CAMPAIGN,
      capClass: 'tier-upgrade',
      tier: tier.id,
      variables: {
        tier: tier.id,
        tierName: tierName(program, tier, locale),
        previousTierName: tierName(program, tierById(program, change.from) ?? tier, locale),
        benefits: tierBenefits(program, tier, locale),
        pointsBalance: change.pointsBalance,
        rollingSpendMilli: change.rollingSpendMilli,
        nextTierName: next ? tierName(program, next, locale) : null,
        spendToNextTierMilli: change.spendToNextTierMilli,
        tierHeldUntil: change.tierHeldUntil,
        currency: change.currency,
      },
      requestedAt: now.toISOString(),
    },
  };
}

export async function requestTierUpgradeEmail(
  deps: { clock: Clock; queue: SendQueue; profileOf(customerId: string): Promise<StoredProfile | undefined> },
  program: LoyaltyProgram,
  change: TierChanged,
): Promise<TierUpgradeDecision> {
  const decision = tierUpgradeEmail(
    program,
    change,
    await deps.profileOf(change.customerId),
    deps.clock.now(),
  );
  if (decision.kind === 'enqueue') await deps.queue.enqueue([decision.request]);
  return decision;
}
