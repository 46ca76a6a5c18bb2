// Applies a Customer Upserted event: read, merge (newest event wins), conditional write; a lost
// race re-reads and merges again, so concurrent upserts cannot lose a field.
import type { Clock } from '../domain/clock.ts';
import { type CustomerProfile, mergeCustomerUpsert, minimalProfile, type UpsertEventMeta } from '../domain/customer.ts';
import type { CustomerUpserted } from '../events/contracts.ts';
import type { CustomerStore } from '../store/customers.ts';

const MAX_RACE_RETRIES = 8;

export type UpsertOutcome =
  | { applied: true; before: CustomerProfile | undefined; after: CustomerProfile }
  | { applied: false; reason: 'stale' };

export async function upsertCustomer(
  store: CustomerStore,
  clock: Clock,
  event: CustomerUpserted,
  meta: UpsertEventMeta,
): Promise<UpsertOutcome> {
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const stored = await store.getProfile(event.customerId);
    const current = stored?.profile ?? minimalProfile(event.customerId, clock.now());
    const next = mergeCustomerUpsert(current, event, meta);
    if (!next) return { applied: false, reason: 'stale' };
    if (await store.saveProfileFields(next, stored?.profileVersion ?? 0)) {
      return { applied: true, before: stored?.profile, after: next };
    }
  }
  throw new Error(`profile of customer ${event.customerId} kept changing under us; retrying the event`);
}
