import { describe, expect, it } from 'vitest';
import { judgeCouponUse, type StoredCoupon } from '#shared/domain/coupon.ts';
import { journeyRedemptions, unattributedCodes } from '#shared/domain/coupon-results.ts';

const coupon: StoredCoupon = {
  code: 'TY27-ABCD1234',
  customerId: 'ann',
  campaignId: 'thank-you',
  period: 'e1#thanks',
  stepId: 'thanks',
  issuedAt: '2027-03-01T00:00:00.000Z',
  expiresAt: '2027-03-11T00:00:00.000Z',
};
const order = { orderId: 'o-2', customerId: 'ann', purchasedAt: '2027-03-05T00:00:00.000Z' };
const march = { from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-04-01T00:00:00Z') };

describe('judging a code at checkout', () => {
  it('redeems the buyer’s own code in time, again for the same order (a redelivery)', () => {
    expect(judgeCouponUse(coupon, order).outcome).toBe('redeemed');
    expect(judgeCouponUse({ ...coupon, redeemedBy: 'o-2' }, order).outcome).toBe('redeemed');
  });

  it('never attributes an unknown, another customer’s, a used or an expired code', () => {
    expect(judgeCouponUse(undefined, order)).toEqual({ outcome: 'foreign', reason: 'no journey issued this code' });
    expect(judgeCouponUse(coupon, { ...order, customerId: 'bob' }).outcome).toBe('foreign');
    expect(judgeCouponUse({ ...coupon, redeemedBy: 'o-1' }, order)).toEqual({
      outcome: 'already-used',
      reason: 'redeemed by order o-1',
    });
    expect(judgeCouponUse(coupon, { ...order, purchasedAt: '2027-03-11T00:00:01.000Z' }).outcome).toBe('expired');
  });
});

describe('redemption results', () => {
  const issued = [
    { journeyId: 'bday', stepId: 'greet', variant: 'a', issuedAt: '2027-03-02T00:00:00Z' },
    { journeyId: 'bday', stepId: 'greet', variant: 'b', issuedAt: '2027-03-03T00:00:00Z' },
    { journeyId: 'bday', stepId: 'greet', variant: 'b', issuedAt: '2027-03-04T00:00:00Z' },
    // Issued before the period: neither its code nor its redemption counts in March.
    { journeyId: 'bday', stepId: 'greet', variant: 'a', issuedAt: '2027-02-20T00:00:00Z' },
  ];
  const uses = [
    { at: '2027-03-05T00:00:00Z', amountMilli: 50_000, outcome: 'redeemed' as const, journeyId: 'bday', stepId: 'greet', variant: 'b', issuedAt: '2027-03-03T00:00:00Z' },
    { at: '2027-03-01T00:00:00Z', amountMilli: 70_000, outcome: 'redeemed' as const, journeyId: 'bday', stepId: 'greet', variant: 'a', issuedAt: '2027-02-20T00:00:00Z' },
    { at: '2027-03-06T00:00:00Z', amountMilli: 9_000, outcome: 'expired' as const },
    { at: '2027-03-06T00:00:00Z', amountMilli: 9_000, outcome: 'foreign' as const },
    { at: '2027-04-06T00:00:00Z', amountMilli: 9_000, outcome: 'foreign' as const },
  ];

  it('rates redemptions over the codes issued in the period, per step and variant, rows adding up', () => {
    const bday = journeyRedemptions(issued, uses, march).get('bday');
    expect(bday).toMatchObject({ issued: 3, redeemed: 1, revenueMilli: 50_000 });
    expect(bday?.redemptionRate).toBeCloseTo(1 / 3);
    expect(bday?.steps).toEqual([
      { step: 'greet', variant: 'a', issued: 1, redeemed: 0, redemptionRate: 0, revenueMilli: 0 },
      { step: 'greet', variant: 'b', issued: 2, redeemed: 1, redemptionRate: 0.5, revenueMilli: 50_000 },
    ]);
  });

  it('counts codes not attributed by the day of the order', () => {
    expect(unattributedCodes(uses, march)).toEqual({ expired: 1, foreign: 1, alreadyUsed: 0 });
  });
});
