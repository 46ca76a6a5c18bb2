import { describe, expect, it } from 'vitest';
import { splitResults, type VariantContact } from '#shared/domain/split-results.ts';
import { upliftEstimate } from '#shared/domain/uplift.ts';

const at = '2027-03-01T10:00:00.000Z';
const contact = (customerId: string, group: VariantContact['group'], variant?: string): VariantContact => ({
  customerId,
  group,
  at,
  variant,
});
/** A purchase 2 days after the contact (inside a 7-day window) by each of `customers`. */
const ordersBy = (customers: string[]) =>
  customers.map((customerId) => ({ customerId, at: '2027-03-03T10:00:00.000Z', amountMilli: 10_000 }));

describe('A/B split results', () => {
  it('counts sent and converted per variant and measures each against the shared control', () => {
    const contacts = [
      ...['a1', 'a2', 'a3', 'a4'].map((id) => contact(id, 'treatment', 'nudge-a')),
      ...['b1', 'b2', 'b3'].map((id) => contact(id, 'treatment', 'nudge-b')),
      ...['h1', 'h2', 'h3', 'h4', 'h5'].map((id) => contact(id, 'holdout')),
    ];
    const results = splitResults(contacts, ordersBy(['a1', 'a2', 'a3', 'b1', 'h1']), 7);
    expect(results.map(({ uplift: _, revenueUplift: _revenue, ...rest }) => rest)).toEqual([
      {
        variant: 'nudge-a',
        sent: 4,
        heldOut: 5,
        converted: 3,
        holdoutConverted: 1,
        conversionRate: 0.75,
        revenueMilli: 30_000,
      },
      {
        variant: 'nudge-b',
        sent: 3,
        heldOut: 5,
        converted: 1,
        holdoutConverted: 1,
        conversionRate: 1 / 3,
        revenueMilli: 10_000,
      },
    ]);
    expect(results[0]?.uplift).toEqual(upliftEstimate({ converted: 3, n: 4 }, { converted: 1, n: 5 }));
    expect(results[1]?.uplift).toEqual(upliftEstimate({ converted: 1, n: 3 }, { converted: 1, n: 5 }));
    // Revenue per send (3 of 4 bought $10) minus revenue per control contact (1 of 5 bought $10).
    expect(results[0]?.revenueUplift?.differenceMilli).toBe(7_500 - 2_000);
  });

  it("uses a variant's own held-out contacts as its control when the split happened before the holdout", () => {
    const contacts = [
      contact('a1', 'treatment', 'a'),
      contact('ha', 'holdout', 'a'),
      contact('b1', 'treatment', 'b'),
      contact('h', 'holdout'),
    ];
    const results = splitResults(contacts, ordersBy(['ha']), 7);
    expect(results.map((r) => [r.variant, r.heldOut, r.holdoutConverted])).toEqual([
      ['a', 1, 1],
      ['b', 1, 0],
    ]);
  });

  it('returns nothing for a journey without a split, and no uplift without a control group', () => {
    expect(splitResults([contact('x', 'treatment'), contact('y', 'holdout')], [], 7)).toEqual([]);
    expect(splitResults([contact('x', 'treatment', 'a')], [], 7)[0]?.uplift).toBeUndefined();
  });
});
