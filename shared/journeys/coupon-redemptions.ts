// A recorded purchase that carries a coupon code: the code is judged once against the coupon store
// (redeemed, expired, foreign or already used), the coupon is marked redeemed by this order, and
// the order keeps the verdict with the journey, step and variant of the send that issued the code
// — so the report attributes redemptions and their revenue without guessing. Both writes are
// conditional: a redelivered purchase, or one whose first delivery died between them, converges.
import { type CouponVerdict, judgeCouponUse } from '../domain/coupon.ts';
import type { PurchaseRecorded } from '../events/emitted.ts';
import type { CouponStore } from '../store/coupons.ts';
import type { CustomerStore } from '../store/customers.ts';

export interface RedemptionDeps {
  coupons: Pick<CouponStore, 'get' | 'redeem'>;
  customers: Pick<CustomerStore, 'recordCouponOutcome'>;
}

/** Judges and records the purchase's coupon code; undefined when the order has none. */
export async function recordCouponUse(
  deps: RedemptionDeps,
  purchase: Pick<PurchaseRecorded, 'customerId' | 'orderId' | 'purchasedAt' | 'couponCode'>,
): Promise<CouponVerdict | undefined> {
  const code = purchase.couponCode?.trim().toUpperCase();
  if (!code) return undefined;
  let verdict = judgeCouponUse(await deps.coupons.get(code), purchase);
  if (verdict.outcome === 'redeemed' && (await deps.coupons.redeem(code, purchase.orderId, purchase.purchasedAt)) === 'used')
    verdict = { outcome: 'already-used', reason: 'another order redeemed it first' };
  await deps.customers.recordCouponOutcome(purchase.customerId, purchase.orderId, {
    couponOutcome: verdict.outcome,
    ...(verdict.outcome === 'redeemed'
      ? {
          couponJourney: verdict.coupon.campaignId,
          couponIssuedAt: verdict.coupon.issuedAt,
          ...(verdict.coupon.stepId ? { couponStep: verdict.coupon.stepId } : {}),
          ...(verdict.coupon.variant ? { couponVariant: verdict.coupon.variant } : {}),
        }
      : { couponReason: verdict.reason }),
  });
  return verdict;
}
