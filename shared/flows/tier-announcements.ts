// Publishes Tier Changed AFTER the state that contains the change is stored, then confirms it.
// A crash between the write and the publish leaves the change unconfirmed, so the redelivered
// event (which recomputes the same state) publishes it again: at-least-once, never lost.
// A claim keyed by the event id keeps concurrent handlers of one customer from all publishing
// it; the rare duplicate left carries the same changeId, which a journey entering on Tier Changed
// takes as its entry id, so it enters (and emails) once. A revision (a late order moved when the
// tier was reached) is announced like a change: same changeId, higher revision.
import { announcementOf, type TierChangeRecord } from '../domain/loyalty-changes.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { TIER_CHANGED, type TierChanged } from '../events/emitted.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { CustomerStore } from '../store/customers.ts';

export function tierChangedEvent(
  program: LoyaltyProgram,
  customerId: string,
  change: TierChangeRecord,
): TierChanged {
  return {
    customerId,
    changeId: `${customerId}#${change.seq}`,
    seq: change.seq,
    revision: change.revision ?? 0,
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

/** How long a claim protects an announcement in flight before another handler may take over. */
export const ANNOUNCEMENT_LEASE_MS = 5 * 60_000;

export interface Announcement {
  customerId: string;
  unannounced: TierChangeRecord[];
  /** The triggering event's id: its redelivery after a crash may take its own claim again. */
  claimant: string;
  now: Date;
}

export async function announceTierChanges(
  store: CustomerStore,
  publisher: EventPublisher,
  program: LoyaltyProgram,
  { customerId, unannounced, claimant, now }: Announcement,
): Promise<void> {
  const last = unannounced.at(-1);
  if (!last) return;
  const upTo = announcementOf(last);
  if (!(await store.claimTierAnnouncement(customerId, upTo, claimant, now, ANNOUNCEMENT_LEASE_MS))) return;
  await publisher.publish(
    unannounced.map((change) => ({
      detailType: TIER_CHANGED,
      detail: tierChangedEvent(program, customerId, change),
      time: new Date(change.occurredAt),
    })),
  );
  await store.markTierChangesAnnounced(customerId, upTo);
}
