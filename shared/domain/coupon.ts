// Unique coupon codes for a journey send step's offer (`codePrefix`): one code per (journey,
// customer, entry), valued by loyalty tier for amount-off offers. The code is derived, so a
// re-run step after a crash finds the same code; `attempt` moves on only if another holder has it.
// At checkout a code is judged once: redeemed (attributed to its send), expired or foreign.
import { createHash } from 'node:crypto';
import { DAY_MS } from './clock.ts';
import type { Offer } from './journey.ts';
import { decimalToMilli, type Milli } from './money.ts';

export interface UniqueCoupon {
  code: string;
  /** The tier whose value applies (the customer's, or the offer's defaultTier). */
  tier: string;
  valueMilli: Milli;
  expiresAt: string;
}

export function uniqueCoupon(input: {
  offer: Offer & { codePrefix: string };
  journeyId: string;
  customerId: string;
  entryId: string;
  tier: string | undefined;
  issuedAt: Date;
  attempt: number;
}): UniqueCoupon {
  const byTier = input.offer.valueByTier ?? {};
  const tier = input.tier && input.tier in byTier ? input.tier : input.offer.defaultTier;
  const digest = createHash('sha256')
    .update(`${input.journeyId}|${input.customerId}|${input.entryId}|${input.attempt}`)
    .digest();
  const value = byTier[tier];
  return {
    code: `${input.offer.codePrefix}${input.issuedAt.getUTCFullYear() % 100}-${base32(digest).slice(0, 8)}`,
    tier,
    valueMilli: value === undefined ? 0 : (decimalToMilli(value) ?? 0),
    expiresAt: new Date(input.issuedAt.getTime() + input.offer.expiresAfterDays * DAY_MS).toISOString(),
  };
}

// Crockford base32: no I, L, O, U, so codes survive being read aloud or typed from a phone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** An issued coupon as the store holds it: whose it is, which send issued it, until when. */
export interface StoredCoupon {
  code: string;
  customerId: string;
  /** The journey that issued it. */
  campaignId: string;
  /** The send's ledger period (entry and step): the same send issues the same code again. */
  period: string;
  stepId?: string | undefined;
  variant?: string | undefined;
  issuedAt: string;
  expiresAt: string;
  /** The order that redeemed it, once one has. */
  redeemedBy?: string | undefined;
}

/**
 * What a code on an order is: `redeemed` (ours, the buyer's, in time: attributed to the send that
 * issued it), `expired` (ours, too late), `foreign` (not a code we issued, or another customer's),
 * or `already-used` (another order redeemed it first). Only `redeemed` is ever attributed.
 */
export const COUPON_OUTCOMES = ['redeemed', 'expired', 'foreign', 'already-used'] as const;
export type CouponOutcome = (typeof COUPON_OUTCOMES)[number];

export type CouponVerdict =
  | { outcome: 'redeemed'; coupon: StoredCoupon }
  | { outcome: Exclude<CouponOutcome, 'redeemed'>; reason: string };

/** Judges a code on an order before the store is asked to mark it redeemed. */
export function judgeCouponUse(
  coupon: StoredCoupon | undefined,
  order: { orderId: string; customerId: string; purchasedAt: string },
): CouponVerdict {
  if (!coupon) return { outcome: 'foreign', reason: 'no journey issued this code' };
  if (coupon.customerId !== order.customerId)
    return { outcome: 'foreign', reason: `issued to another customer by ${coupon.campaignId}` };
  if (coupon.redeemedBy && coupon.redeemedBy !== order.orderId)
    return { outcome: 'already-used', reason: `redeemed by order ${coupon.redeemedBy}` };
  if (Date.parse(order.purchasedAt) > Date.parse(coupon.expiresAt))
    return { outcome: 'expired', reason: `expired ${coupon.expiresAt}` };
  return { outcome: 'redeemed', coupon };
}
