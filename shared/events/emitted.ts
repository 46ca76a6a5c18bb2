// The events loyalty-flows emits on the marketing bus (source "loyalty-flows"): one zod schema
// per detail-type, so producers here and consumers anywhere validate the same shape.
import * as z from 'zod';
import { LIFECYCLE_STAGES } from '../domain/lifecycle.ts';
import { isoInstant } from './contracts.ts';

export const TIER_CHANGED = 'Tier Changed';

export const tierChangedDetail = z.object({
  customerId: z.string().min(1),
  /** `<customerId>#<seq>`: the same change re-announced after a crash carries the same id. */
  changeId: z.string().min(1),
  seq: z.number().int().positive(),
  /**
   * 0 when first announced (absent from producers older than revisions); a late order that moves
   * when the tier was reached announces the same change again with the next revision and the
   * stored dates: keep the highest.
   */
  revision: z.number().int().nonnegative().optional(),
  from: z.string().min(1),
  to: z.string().min(1),
  direction: z.enum(['up', 'down']),
  /** purchase (crossed a threshold), anniversary-review (held period ended), correction (late event). */
  reason: z.enum(['purchase', 'anniversary-review', 'correction']),
  occurredAt: isoInstant,
  /** When the new tier was reached and until when it is held (null for the base tier). */
  tierSince: isoInstant.nullable(),
  tierHeldUntil: isoInstant.nullable(),
  currency: z.string().length(3),
  rollingSpendMilli: z.number().int().nonnegative(),
  pointsBalance: z.number().int().nonnegative(),
  nextTier: z.string().nullable(),
  spendToNextTierMilli: z.number().int().nonnegative().nullable(),
});
export type TierChanged = z.infer<typeof tierChangedDetail>;

export const LIFECYCLE_STAGE_CHANGED = 'Lifecycle Stage Changed';

const lifecycleStage = z.enum(LIFECYCLE_STAGES);

export const lifecycleStageChangedDetail = z.object({
  customerId: z.string().min(1),
  /** `<customerId>#lifecycle#<seq>`: a re-publish after a crash carries the same id. */
  changeId: z.string().min(1),
  from: lifecycleStage,
  to: lifecycleStage,
  occurredAt: isoInstant,
});
export type LifecycleStageChanged = z.infer<typeof lifecycleStageChangedDetail>;

// Record, then announce: the recording functions emit these AFTER the fact is stored, so whatever
// reacts (journeys) never reads state older than the fact that woke it. One purchase wakes one
// recording function (ingest-orders); the journey engine consumes what it emits.

export const PURCHASE_RECORDED = 'Purchase Recorded';

/** A purchase stored with the customer's aggregates and loyalty standing (journeys: `Purchase Completed`). */
export const purchaseRecordedDetail = z.object({
  customerId: z.string().min(1),
  /** Stable: the same order recorded again (a redelivery) carries the same id. */
  orderId: z.string().min(1),
  /** Decimal text in the order's currency, as the shop sent it. */
  amount: z.string(),
  currency: z.string().length(3),
  purchasedAt: isoInstant,
  couponCode: z.string().optional(),
  items: z.array(z.looseObject({ sku: z.string() })).optional(),
  /** The aggregates after this purchase (orders, lifetime spend, last purchase). */
  orderCount: z.number().int().nonnegative(),
  lastPurchaseAt: isoInstant.nullable(),
  firstPurchaseAt: isoInstant.nullable(),
  /**
   * When the customer's lifecycle stage next changes with no further purchase (null: never),
   * as ingest-orders decided it with this purchase stored; the journeys function arms it in the
   * customer's timer. Absent from events emitted before it was added.
   */
  nextLifecycleChangeAt: isoInstant.nullable().optional(),
});
export type PurchaseRecorded = z.infer<typeof purchaseRecordedDetail>;

export const REFUND_RECORDED = 'Refund Recorded';

/** A refund stored against its order (journeys: `Order Refunded`). */
export const refundRecordedDetail = z.object({
  customerId: z.string().min(1),
  orderId: z.string().min(1),
  /** Stable per refund (hash of order, amount and time). */
  refundKey: z.string().min(1),
  amount: z.string(),
  refundedAt: isoInstant,
});
export type RefundRecorded = z.infer<typeof refundRecordedDetail>;

export const CUSTOMER_PROFILE_UPDATED = 'Customer Profile Updated';

/** A Customer Upserted applied to the stored profile (journeys: `Customer Upserted`). */
export const customerProfileUpdatedDetail = z.object({
  customerId: z.string().min(1),
  /** The upsert event that set the profile (stable across redeliveries). */
  profileEventId: z.string().min(1),
  updatedAt: isoInstant,
  firstSeenAt: isoInstant,
  locale: z.string().optional(),
  timeZone: z.string().optional(),
  birthday: z.string().optional(),
  marketingConsent: z.boolean(),
});
export type CustomerProfileUpdated = z.infer<typeof customerProfileUpdatedDetail>;

// The delivery pipeline's events (Email Sent, Customer Suppressed, Customer Unsubscribed) are
// defined beside the sender; re-exported here so consumers find every emitted event in one module.
export {
  CUSTOMER_SUPPRESSED,
  CUSTOMER_UNSUBSCRIBED,
  type CustomerSuppressed,
  type CustomerUnsubscribed,
  customerSuppressedDetail,
  customerUnsubscribedDetail,
  EMAIL_SENT,
  type EmailSent,
  emailSentDetail,
} from '../mail/delivery-events.ts';

export const JOURNEY_PAUSED = 'Journey Paused';
export const JOURNEY_RESUMED = 'Journey Resumed';

/** A journey's guardrail, or the account brake (journeyId absent): which sends stopped. */
const guardrailScopeDetail = {
  scope: z.enum(['journey', 'account']),
  /** The journey paused; absent for the account brake, which pauses all marketing. */
  journeyId: z.string().min(1).optional(),
  /** `<journey|account>#pause#<n>`: a re-announcement after a crash carries the same id. */
  pauseId: z.string().min(1),
};

const rateFigures = z.object({
  sends: z.number().int().nonnegative(),
  hardBounces: z.number().int().nonnegative(),
  complaints: z.number().int().nonnegative(),
  hardBounceRate: z.number().min(0),
  complaintRate: z.number().min(0),
  /** Start of the rolling window the rates cover. */
  windowFrom: isoInstant,
});

export const journeyPausedDetail = z.object({
  ...guardrailScopeDetail,
  pausedAt: isoInstant,
  reasons: z.array(z.enum(['hard-bounce-rate', 'complaint-rate'])).min(1),
  figures: rateFigures,
  /** The limits crossed, as rates (0.04 = 4%). */
  limits: z.object({ hardBounceRate: z.number(), complaintRate: z.number() }),
  why: z.string().min(1),
});
export type JourneyPaused = z.infer<typeof journeyPausedDetail>;

export const journeyResumedDetail = z.object({
  ...guardrailScopeDetail,
  resumedAt: isoInstant,
  note: z.string().min(1),
  resumedBy: z.string().min(1),
});
export type JourneyResumed = z.infer<typeof journeyResumedDetail>;

/**
 * Internal (the product's own work, not a fact for downstream systems): arm a journey's date
 * trigger for the customers already stored. The console publishes it without `page` when a
 * version makes a date trigger newly live; the journey-arming function answers it with one event
 * per scan segment, then each page's event names the next page (its cursor) until the segment ends.
 */
export const JOURNEY_ARMING_REQUESTED = 'Journey Arming Requested';

/** A scan page's LastEvaluatedKey as an event carries it: the table's PK and SK, both strings. */
export const scanCursor = z.record(z.string(), z.string());

export const journeyArmingRequestedDetail = z.strictObject({
  journeyId: z.string().min(1),
  /** The version whose publication made the trigger live (the progress record's key). */
  version: z.number().int().positive(),
  requestedAt: isoInstant,
  requestedBy: z.string().min(1),
  page: z
    .strictObject({
      segment: z.number().int().nonnegative(),
      of: z.number().int().positive(),
      number: z.number().int().nonnegative(),
      /** The previous page's LastEvaluatedKey (the table's PK and SK); absent on a segment's first page. */
      cursor: scanCursor.optional(),
    })
    .refine((page) => page.segment < page.of, { message: 'segment must be below of', path: ['segment'] })
    .optional(),
});
export type JourneyArmingRequested = z.infer<typeof journeyArmingRequestedDetail>;
