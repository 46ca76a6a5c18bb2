// Applies a Customer Upserted event: read, merge (newest event wins), conditional write; a lost
// race re-reads and merges again, so concurrent upserts cannot lose a field. A new address gets
// its byEmail item before the profile write and the old one's is dropped after (keys.ts).
import type { Clock } from '../domain/clock.ts';
import { type CustomerProfile, mergeCustomerUpsert, minimalProfile, sameAddress, type UpsertEventMeta } from '../domain/customer.ts';
import type { CustomerUpserted } from '../events/contracts.ts';
import type { CustomerStore, StoredProfile } from '../store/customers.ts';
import { purchaseHoursZone, recountPurchaseHours } from './purchases.ts';
import { LOST_RACE, retryOnRace } from '../store/race.ts';

export type UpsertOutcome =
  | { applied: true; before: CustomerProfile | undefined; after: CustomerProfile }
  | { applied: false; reason: 'stale' };

export async function upsertCustomer(
  store: CustomerStore,
  clock: Clock,
  event: CustomerUpserted,
  meta: UpsertEventMeta,
): Promise<UpsertOutcome> {
  return retryOnRace(`profile of customer ${event.customerId}`, async () => {
    const stored = await store.getProfile(event.customerId);
    const current = stored?.profile ?? minimalProfile(event.customerId, clock.now());
    const next = mergeCustomerUpsert(current, event, meta);
    if (!next) {
      // A redelivery after a crash between the profile write and the recount finishes the recount.
      await recountIfZoneMoved(store, stored, current);
      return { applied: false, reason: 'stale' };
    }
    const version = stored?.profileVersion ?? 0;
    // The address's byEmail item first, so the profile never holds an address the index cannot find.
    if (next.email && (stored?.addressOnProfile || !sameAddress(stored?.profile.email, next.email)))
      await store.saveAddress(event.customerId, next.email, version + 1);
    if (await store.saveProfileFields(next, version)) {
      const left = stored?.profile.email;
      if (left && !sameAddress(left, next.email)) await store.dropAddress(event.customerId, left, version + 1);
      await recountIfZoneMoved(store, stored, next);
      return { applied: true, before: stored?.profile, after: next };
    }
    return LOST_RACE;
  });
}

/** Purchase hours counted in another zone than the profile's now (send-time optimisation) are recounted. */
async function recountIfZoneMoved(
  store: CustomerStore,
  stored: StoredProfile | undefined,
  profile: CustomerProfile,
): Promise<void> {
  const purchases = stored?.profile.purchases;
  if (purchases && purchases.purchaseHours?.timeZone !== purchaseHoursZone(profile))
    await recountPurchaseHours(store, profile.customerId);
}
