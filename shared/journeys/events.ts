// The recorded facts journeys react to, as journey files name them: each emitted event
// (shared/events/emitted.ts) maps to its journey event name, a stable fact id (the entry id of an
// event-triggered entry, so a redelivery never enters twice) and what must still hold at send time.
import {
  type CustomerProfileUpdated,
  type LifecycleStageChanged,
  type PurchaseRecorded,
  type RefundRecorded,
  type TierChanged,
} from '../events/emitted.ts';
import type { JourneyEventInput } from './triggers/index.ts';

export function purchaseEvent(detail: PurchaseRecorded): JourneyEventInput {
  return {
    name: 'Purchase Completed',
    customerId: detail.customerId,
    factId: `order#${detail.orderId}`,
    occurredAt: detail.purchasedAt,
    detail,
  };
}

export function refundEvent(detail: RefundRecorded): JourneyEventInput {
  return {
    name: 'Order Refunded',
    customerId: detail.customerId,
    factId: `refund#${detail.refundKey}`,
    occurredAt: detail.refundedAt,
    detail,
  };
}

export function profileEvent(detail: CustomerProfileUpdated): JourneyEventInput {
  return {
    name: 'Customer Upserted',
    customerId: detail.customerId,
    factId: `profile#${detail.profileEventId}`,
    occurredAt: detail.updatedAt,
    detail,
  };
}

/** A later change supersedes this one: its send must find the customer still in the tier reached. */
export function tierChangeEvent(detail: TierChanged): JourneyEventInput {
  return {
    name: 'Tier Changed',
    customerId: detail.customerId,
    factId: `change#${detail.changeId}`,
    occurredAt: detail.occurredAt,
    detail,
    stillHolds: { tiers: [detail.to] },
  };
}

export function lifecycleChangeEvent(detail: LifecycleStageChanged): JourneyEventInput {
  return {
    name: 'Lifecycle Stage Changed',
    customerId: detail.customerId,
    factId: `lifecycle#${detail.changeId}`,
    occurredAt: detail.occurredAt,
    detail,
    stillHolds: { lifecycleStages: [detail.to] },
  };
}
