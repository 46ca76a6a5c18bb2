import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OrderRecord, type RefundRecord, summarisePurchases } from '#shared/domain/purchase-history.ts';

const order = (orderId: string, amountMilli: number, purchasedAt: string, couponCode?: string): OrderRecord => ({
  orderId,
  amountMilli,
  currency: 'USD',
  purchasedAt,
  ...(couponCode ? { couponCode } : {}),
});
const refund = (orderId: string, amountMilli: number, refundedAt = '2026-06-01T00:00:00Z'): RefundRecord => ({
  orderId,
  refundKey: `${orderId}-${amountMilli}-${refundedAt}`,
  amountMilli,
  refundedAt,
});

describe('purchase aggregates', () => {
  const asOf = new Date('2026-11-01T00:00:00Z');

  it('summarises count, spend, average, first and last purchase', () => {
    const result = summarisePurchases(
      [order('a', 100_000, '2026-01-10T00:00:00Z', 'WELCOME'), order('b', 50_000, '2026-05-10T00:00:00Z')],
      [],
      asOf,
    );
    expect(result).toEqual({
      orderCount: 2,
      totalSpendMilli: 150_000,
      rollingSpendMilli: 150_000,
      refundedMilli: 0,
      averageOrderValueMilli: 75_000,
      couponOrderCount: 1,
      firstPurchaseAt: '2026-01-10T00:00:00.000Z',
      lastPurchaseAt: '2026-05-10T00:00:00.000Z',
      asOf: '2026-11-01T00:00:00.000Z',
    });
  });

  it('counts an order in the rolling window until exactly 365 days have passed', () => {
    const inside = summarisePurchases([order('a', 10_000, '2025-11-01T00:00:01Z')], [], asOf);
    const outside = summarisePurchases([order('a', 10_000, '2025-11-01T00:00:00Z')], [], asOf);
    expect(inside.rollingSpendMilli).toBe(10_000);
    expect(outside.rollingSpendMilli).toBe(0);
    expect(outside.totalSpendMilli).toBe(10_000);
  });

  it('nets refunds against their order, never below zero, records only the refund applied, and ignores refunds of unknown orders', () => {
    const result = summarisePurchases(
      [order('a', 30_000, '2026-02-01T00:00:00Z')],
      [refund('a', 20_000), refund('a', 20_000, '2026-06-02T00:00:00Z'), refund('ghost', 5_000)],
      asOf,
    );
    expect(result).toMatchObject({ totalSpendMilli: 0, refundedMilli: 30_000 });
  });

  it('does not depend on the order the records were read in', () => {
    const orders = fc.array(
      fc.record({
        orderId: fc.uuid(),
        amountMilli: fc.integer({ min: 0, max: 10_000_000 }),
        currency: fc.constant('USD'),
        purchasedAt: fc.date({ min: new Date('2024-01-01'), max: new Date('2026-10-31'), noInvalidDate: true }).map((d) => d.toISOString()),
      }),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(orders, (list) => {
        const reversed = [...list].reverse();
        expect(summarisePurchases(reversed, [], asOf)).toEqual(summarisePurchases(list, [], asOf));
      }),
    );
  });
});
