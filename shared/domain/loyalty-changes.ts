// Turning a recomputed loyalty state into announced tier changes. The computed state is a pure
// function of the records; a tier change is a difference between what we had STORED (and told
// the world) and what we compute now, numbered so redeliveries re-announce the same change.
// A late or concurrent older order can move WHEN the current tier was reached without changing
// the tier: the change that brought the customer there is then corrected (a new revision with the
// stored dates) and announced again, so what was announced last is what is stored.

import { type LoyaltyState, type TierChangeReason, type TierTransition, tierOf } from './loyalty.ts';
import type { LoyaltyProgram } from './loyalty-program.ts';

export interface TierChangeRecord {
  /** 1, 2, 3 ... per customer: a redelivered announcement carries the same number. */
  seq: number;
  /** 0 as first recorded; +1 each time a late event moved its tierSince / tierHeldUntil. */
  revision?: number;
  /**
   * Its place in the order of announcements (the `tierAnnouncedSeq` cursor counts these): its
   * seq when recorded, a new number with each revision. Absent on records stored before
   * revisions existed, where it is the seq.
   */
  announcement?: number;
  from: string;
  to: string;
  direction: 'up' | 'down';
  reason: TierChangeReason;
  /** When the change happened in event time (the qualifying purchase, the anniversary). */
  occurredAt: string;
  tierSince: string | null;
  tierHeldUntil: string | null;
  rollingSpendMilli: number;
  points: number;
  nextTier: string | null;
  spendToNextTierMilli: number | null;
  /** When we recorded it. */
  recordedAt: string;
}

export interface StoredLoyalty extends LoyaltyState {
  changeSeq: number;
  /** The last announcement number given (changes and their revisions); absent before revisions: changeSeq. */
  announcementSeq?: number;
  /** The most recent changes, newest last (bounded): what is not yet announced is taken from here. */
  recentChanges: TierChangeRecord[];
}

export const RECENT_CHANGES_KEPT = 8;

/** The state to store: the computed standing plus, if the tier moved, one numbered change. */
export function advanceLoyalty(
  program: LoyaltyProgram,
  stored: StoredLoyalty | undefined,
  computed: LoyaltyState,
  now: Date,
): StoredLoyalty {
  const changeSeq = stored?.changeSeq ?? 0;
  const announcementSeq = lastAnnouncement(stored);
  const recentChanges = stored?.recentChanges ?? [];
  const from = tierOf(program, stored?.tier);
  const to = tierOf(program, computed.tier);
  if (from.id === to.id) {
    const reached = recentChanges.at(-1);
    if (!reached || reached.to !== to.id || reached.tierSince === computed.tierSince) {
      return { ...computed, changeSeq, announcementSeq, recentChanges };
    }
    // Same tier, reached at another time: the change that brought the customer here now says so.
    const revised: TierChangeRecord = {
      ...reached,
      revision: (reached.revision ?? 0) + 1,
      announcement: announcementSeq + 1,
      occurredAt:
        reached.occurredAt === reached.tierSince && computed.tierSince
          ? computed.tierSince
          : reached.occurredAt,
      tierSince: computed.tierSince,
      tierHeldUntil: computed.tierHeldUntil,
      recordedAt: now.toISOString(),
    };
    return {
      ...computed,
      changeSeq,
      announcementSeq: announcementSeq + 1,
      recentChanges: [...recentChanges.slice(0, -1), revised],
    };
  }
  const direction = to.rank > from.rank ? 'up' : 'down';
  const chain = transitionsSince(computed.recentTransitions, from.id, stored?.tierSince ?? null);
  // The latest step that moved the way the net change did names the reason (Gold -> Bronze on
  // the anniversary -> Silver by a purchase a moment later is a review-driven step down).
  const rank = (id: string) => tierOf(program, id).rank;
  const driver = chain
    ?.filter((step) => (rank(step.to) > rank(step.from) ? 'up' : 'down') === direction)
    .at(-1);
  const change: TierChangeRecord = {
    seq: changeSeq + 1,
    revision: 0,
    announcement: announcementSeq + 1,
    from: from.id,
    to: to.id,
    direction,
    // No chain from what we stored means a late event rewrote history: only a purchase can raise
    // a tier; a step down is a correction (e.g. a refund dated before the qualifying purchase).
    reason: driver?.reason ?? (direction === 'up' ? 'purchase' : 'correction'),
    occurredAt:
      (driver ? chain?.at(-1)?.at : direction === 'up' ? computed.tierSince : undefined) ?? now.toISOString(),
    tierSince: computed.tierSince,
    tierHeldUntil: computed.tierHeldUntil,
    rollingSpendMilli: computed.rollingSpendMilli,
    points: computed.points,
    nextTier: computed.nextTier,
    spendToNextTierMilli: computed.spendToNextTierMilli,
    recordedAt: now.toISOString(),
  };
  return {
    ...computed,
    changeSeq: change.seq,
    announcementSeq: announcementSeq + 1,
    recentChanges: [...recentChanges, change].slice(-RECENT_CHANGES_KEPT),
  };
}

/**
 * The transitions that lead from the stored tier (held since `since`) to the computed one, or
 * undefined when the replayed history no longer passes through the stored state.
 */
function transitionsSince(
  transitions: TierTransition[],
  tier: string,
  since: string | null,
): TierTransition[] | undefined {
  if (since === null && transitions[0]?.from === tier) return transitions;
  const index = transitions.findIndex((step) => step.to === tier && step.at === since);
  return index === -1 ? undefined : transitions.slice(index + 1);
}

/** The announcement number of a change as stored (its seq if stored before revisions existed). */
export function announcementOf(change: TierChangeRecord): number {
  return change.announcement ?? change.seq;
}

/** The last announcement number given: what `tierAnnouncedSeq` reaches once all is published. */
export function lastAnnouncement(stored: StoredLoyalty | undefined): number {
  return stored?.announcementSeq ?? stored?.changeSeq ?? 0;
}

/** Changes (or revisions of them) stored but not yet confirmed as published, oldest first. */
export function unannouncedChanges(
  stored: StoredLoyalty | undefined,
  announcedSeq: number,
): TierChangeRecord[] {
  return (stored?.recentChanges ?? []).filter((change) => announcementOf(change) > announcedSeq);
}
