// What the journey engine is built from in a function: the published journeys (cached), run
// states, customer facts, the program, the send queue, holdout records and the coupon store. Built once
// per cold start by the journeys function and the scheduler, so both run the same engine.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock.ts';
import type { HistoryExpiry } from '../domain/email-history.ts';
import type { LoyaltyProgram } from '../domain/loyalty-program.ts';
import type { SendQueue } from '../mail/send-request.ts';
import { CouponStore } from '../store/coupons.ts';
import { CustomerJourneysReader } from '../store/customer-journeys.ts';
import { HoldoutRecords } from '../store/holdouts.ts';
import { CustomerStore } from '../store/customers.ts';
import { JourneyStateStore } from '../store/journey-states.ts';
import { JourneyStepResults } from '../store/journey-step-results.ts';
import { CurrentJourneys, JourneyCatalogue } from '../store/journeys.ts';
import { TimerStore } from '../store/timers.ts';
import { recordCouponUse } from './coupon-redemptions.ts';
import { customerFactsReader } from './customer-facts.ts';
import { attributeToSends } from './step-attribution.ts';
import { JourneyEngine } from './engine.ts';
import { JourneyReactions } from './reactions.ts';

/** A publish reaches running functions within this long (the catalogue is read at most this often). */
export const JOURNEY_LIST_TTL_MS = 30_000;

export function journeyRuntime(
  store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock },
  program: LoyaltyProgram,
  sendQueue: SendQueue,
  /** When the send outcomes, holdouts and coupons it writes may go (EMAIL_HISTORY_DAYS). */
  historyExpiry: HistoryExpiry,
) {
  const timers = new TimerStore(store.doc, store.tableName);
  const journeys = new CurrentJourneys(
    new JourneyCatalogue(store.doc, store.tableName, store.clock),
    store.clock,
    JOURNEY_LIST_TTL_MS,
  );
  const states = new JourneyStateStore(store.doc, store.tableName, timers);
  const coupons = new CouponStore(store.doc, store.tableName);
  const engine = new JourneyEngine({
    clock: store.clock,
    program,
    sendQueue,
    states,
    coupons,
    journeys,
    factsOf: customerFactsReader(store),
    holdouts: new HoldoutRecords(store.doc, store.tableName),
    historyExpiry,
  });
  const customers = new CustomerStore(store.doc, store.tableName);
  const customerJourneys = new CustomerJourneysReader(store.doc, store.tableName);
  const reactions = new JourneyReactions({ engine, journeys, timers, customers, customerJourneys });
  const redemptions = { coupons, customers };
  const attribution = { states, results: new JourneyStepResults(store.doc, store.tableName) };
  return {
    engine,
    reactions,
    journeys,
    states,
    /** Judges and records a purchase's coupon code (before the purchase moves any journey). */
    recordCouponUse: (purchase: Parameters<typeof recordCouponUse>[1]) => recordCouponUse(redemptions, purchase),
    /** A customer's journey items and profile in one Query (what a recorded purchase reacts with). */
    customerJourneys,
    /** Credits a purchase to the journey emails (of those read) sent in the attribution window before it. */
    attributeToSends: (purchase: Parameters<typeof attributeToSends>[1], sends: Parameters<typeof attributeToSends>[2]) =>
      attributeToSends(attribution, purchase, sends),
    /** The scheduler's registry entries for journeys: due waits and due date triggers. */
    timers: {
      resume: (customerId: string, journeyId: string, now: Date) => engine.resume(customerId, journeyId, now),
      postpone: (customerId: string, journeyId: string, until: Date, now: Date) =>
        engine.postpone(customerId, journeyId, until, now),
      fireDateTriggers: reactions.fireDateTriggers.bind(reactions),
      foldLegacyTrigger: reactions.foldLegacyTrigger.bind(reactions),
    },
  };
}
