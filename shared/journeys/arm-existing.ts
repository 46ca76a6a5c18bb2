// Arming a date-trigger journey for the customers stored before it ran. A date trigger is armed
// when a customer's profile or purchases change, so a birthday journey published onto an existing
// base would otherwise reach each customer only at their next change. When a version makes a
// date trigger newly live — first publish, enabled again, or a different trigger — `campaigns
// publish` (and enable, rollback) arms it for every stored customer: one parallel Scan of the
// profiles (an operator's action, never on a Lambda path), then one arm per customer, which is
// idempotent (converging on the stored profile), so running it twice arms nothing twice.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import { SegmentStore } from '../store/segments.ts';
import type { JourneyVersion } from '../store/journeys.ts';
import { isDateJourney } from './reactions.ts';
import { journeyRuntime } from './runtime.ts';

const SCAN_SEGMENTS = 4;
const ARMS_AT_ONCE = 16;

/** True when `current` runs a date trigger that `previous` (the version before it) did not. */
export function makesDateTriggerLive(previous: JourneyVersion | undefined, current: JourneyVersion): boolean {
  if (!current.journey.enabled || !isDateJourney(current)) return false;
  if (!previous || !previous.journey.enabled) return true;
  return JSON.stringify(previous.journey.trigger) !== JSON.stringify(current.journey.trigger);
}

export async function armExistingCustomers(
  store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock },
  program: LoyaltyProgram,
  version: JourneyVersion,
): Promise<{ customers: number }> {
  const runtime = journeyRuntime(store, program, {
    enqueue: () => Promise.reject(new Error('arming a date trigger never sends')),
  });
  const ids = await new SegmentStore(store.doc, store.tableName).customerIds(SCAN_SEGMENTS);
  let next = 0;
  await Promise.all(
    Array.from({ length: ARMS_AT_ONCE }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const customerId = ids[i];
        if (customerId) await runtime.reactions.armDateTriggers(customerId, store.clock.now(), [version]);
      }
    }),
  );
  return { customers: ids.length };
}
