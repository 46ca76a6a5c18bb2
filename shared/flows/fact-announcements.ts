// Record, then announce: the events the recording functions emit once their fact is stored
// (schemas in shared/events/emitted.ts). Re-emitted on a redelivery; consumers dedup by the
// fact's own id (order id, refund key, profile event id).
import type { CustomerProfile } from '../domain/customer.ts';
import type { CustomerUpserted, OrderRefunded, PurchaseCompleted } from '../events/contracts.ts';
import {
  CUSTOMER_PROFILE_UPDATED,
  type CustomerProfileUpdated,
  PURCHASE_RECORDED,
  type PurchaseRecorded,
  REFUND_RECORDED,
  type RefundRecorded,
} from '../events/emitted.ts';
import type { OutboundEvent } from '../events/publisher.ts';
import { type AggregatesChange, refundKeyOf } from './purchases.ts';

export function purchaseRecorded(
  purchase: PurchaseCompleted,
  change: AggregatesChange,
  nextLifecycleChangeAt: string | null,
): OutboundEvent {
  const detail: PurchaseRecorded = {
    customerId: purchase.customerId,
    orderId: purchase.orderId,
    amount: String(purchase.amount),
    currency: purchase.currency,
    purchasedAt: new Date(purchase.purchasedAt).toISOString(),
    ...(purchase.couponCode ? { couponCode: purchase.couponCode } : {}),
    ...(purchase.items ? { items: purchase.items.map((item) => ({ ...item })) } : {}),
    orderCount: change.after.orderCount,
    lastPurchaseAt: change.after.lastPurchaseAt,
    firstPurchaseAt: change.after.firstPurchaseAt,
    nextLifecycleChangeAt,
  };
  return { detailType: PURCHASE_RECORDED, detail, time: new Date(detail.purchasedAt) };
}

export function refundRecorded(refund: OrderRefunded): OutboundEvent {
  const detail: RefundRecorded = {
    customerId: refund.customerId,
    orderId: refund.orderId,
    refundKey: refundKeyOf(refund),
    amount: String(refund.amount),
    refundedAt: new Date(refund.refundedAt).toISOString(),
  };
  return { detailType: REFUND_RECORDED, detail, time: new Date(detail.refundedAt) };
}

export function profileUpdated(
  profile: CustomerProfile,
  upsert: Pick<CustomerUpserted, 'marketingConsent'>,
  eventId: string,
  eventAt: string,
): OutboundEvent {
  const detail: CustomerProfileUpdated = {
    customerId: profile.customerId,
    profileEventId: eventId,
    updatedAt: new Date(eventAt).toISOString(),
    firstSeenAt: profile.createdAt,
    ...(profile.locale ? { locale: profile.locale } : {}),
    ...(profile.timeZone ? { timeZone: profile.timeZone } : {}),
    ...(profile.birthday ? { birthday: profile.birthday } : {}),
    marketingConsent: upsert.marketingConsent,
  };
  return { detailType: CUSTOMER_PROFILE_UPDATED, detail, time: new Date(detail.updatedAt) };
}
