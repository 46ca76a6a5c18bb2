// Publishes Tier Changed AFTER the state that contains the change is stored, then confirms it.
// A crash between the write and the publish leaves the change unconfirmed, so the redelivered
// event (which recomputes the same state) publishes it again: at-least-once, never lost.
// Duplicates carry the same changeId; the tier-upgrade email collapses them in the send ledger.
import type { TierChangeRecord } from '../domain/loyalty-changes.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { TIER_CHANGED, type TierChanged } from '../events/emitted.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { CustomerStore } from '../store/customers.ts';

export function tierChangedEvent(program: LoyaltyProgram, customerId: string, change: TierChangeRecord): TierChanged {
  return {
    customerId,
    changeId: `${customerId}#${change.seq}`,
    seq: change.seq,
    from: change.from,
    to: change.to,
    direction: change.direction,
    reason: change.reason,
    occurredAt: change.occurredAt,
    tierSince: change.tierSince,
    tierHeldUntil: change.tierHeldUntil,
    currency: program.currency,
    rollingSpendMilli: change.rollingSpendMilli,
    pointsBalance: change.points,
    nextTier: change.nextTier,
    spendToNextTierMilli: change.spendToNextTierMilli,
  };
}

export async function announceTierChanges(
  store: CustomerStore,
  publisher: EventPublisher,
  program: LoyaltyProgram,
  customerId: string,
  unannounced: TierChangeRecord[],
): Promise<void> {
  const last = unannounced.at(-1);
  if (!last) return;
  await publisher.publish(
    unannounced.map((change) => ({
      detailType: TIER_CHANGED,
      detail: tierChangedEvent(program, customerId, change),
      time: new Date(change.occurredAt),
    })),
  );
  await store.markTierChangesAnnounced(customerId, last.seq);
}
