import { describe, expect, it } from 'vitest';
import { campaignBreakdown, weekOf } from '#shared/domain/campaign-breakdown.ts';
import { type AttributedOrder, type CampaignContact, campaignOutcome } from '#shared/domain/uplift.ts';

describe('campaign results by week and by locale', () => {
  it('keys a send by the Monday (UTC) of its ISO week', () => {
    expect(weekOf('2027-11-29T00:00:00.000Z')).toBe('2027-11-29'); // a Monday
    expect(weekOf('2027-12-05T23:59:59.999Z')).toBe('2027-11-29'); // the Sunday after
    expect(weekOf('2027-11-28T23:59:59.999Z')).toBe('2027-11-22');
    expect(weekOf('2028-01-01T12:00:00.000Z')).toBe('2027-12-27'); // across the year end
  });

  it('gives rows that add up to the campaign totals, each with its own recipients and holdout', () => {
    const locale: Record<string, string> = { a: 'en-US', b: 'zh-CN', c: 'en-US', d: 'zh-CN', e: 'en-US' };
    const contacts: CampaignContact[] = [
      { customerId: 'a', group: 'treatment', at: '2027-03-01T09:00:00.000Z' },
      { customerId: 'b', group: 'treatment', at: '2027-03-02T09:00:00.000Z' },
      { customerId: 'c', group: 'holdout', at: '2027-03-02T09:00:00.000Z' },
      { customerId: 'd', group: 'treatment', at: '2027-03-09T09:00:00.000Z' },
      { customerId: 'e', group: 'treatment', at: '2027-03-10T09:00:00.000Z' },
    ];
    const orders: AttributedOrder[] = [
      { customerId: 'a', at: '2027-03-03T10:00:00.000Z', amountMilli: 40_000 },
      { customerId: 'c', at: '2027-03-04T10:00:00.000Z', amountMilli: 10_000 },
      { customerId: 'd', at: '2027-03-10T10:00:00.000Z', amountMilli: 25_000 },
      { customerId: 'e', at: '2027-03-30T10:00:00.000Z', amountMilli: 99_000 }, // after the window
    ];
    const weekly = campaignBreakdown(contacts, orders, 7, (c) => weekOf(c.at));
    expect(weekly).toEqual([
      {
        key: '2027-03-01',
        recipients: 2,
        converted: 1,
        revenueMilli: 40_000,
        revenuePerRecipientMilli: 20_000,
        holdout: 1,
        holdoutConverted: 1,
        holdoutRevenueMilli: 10_000,
      },
      {
        key: '2027-03-08',
        recipients: 2,
        converted: 1,
        revenueMilli: 25_000,
        revenuePerRecipientMilli: 12_500,
        holdout: 0,
        holdoutConverted: 0,
        holdoutRevenueMilli: 0,
      },
    ]);
    const byLocale = campaignBreakdown(contacts, orders, 7, (c) => locale[c.customerId] ?? 'unknown');
    expect(byLocale.map((row) => [row.key, row.recipients, row.converted, row.holdout])).toEqual([
      ['en-US', 2, 1, 1],
      ['zh-CN', 2, 1, 0],
    ]);
    const total = campaignOutcome(contacts, orders, 7);
    for (const rows of [weekly, byLocale]) {
      expect(rows.reduce((sum, row) => sum + row.converted, 0)).toBe(total.converted.treatment);
      expect(rows.reduce((sum, row) => sum + row.revenueMilli, 0)).toBe(total.revenueMilli.treatment);
      expect(rows.reduce((sum, row) => sum + row.holdoutConverted, 0)).toBe(total.converted.holdout);
    }
  });
});
