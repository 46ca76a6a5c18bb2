// A/B split results in `loyalty report`: per-variant rows from the journey send outcomes, measured
// against the journey's holdout, in the report object (--json), the text and the HTML.
import { describe, expect, it } from 'vitest';
import { renderReportText } from '../../cli/report-text.ts';
import { buildLoyaltyReport, campaignPeriod } from '#shared/flows/analytics.ts';
import { renderReportHtml } from '#shared/flows/analytics-html.ts';
import { snapshotFromItems } from '#shared/store/segments.ts';
import { upliftEstimate } from '#shared/domain/uplift.ts';

const sentAt = '2027-03-02T15:00:00.000Z';
const pk = (id: string) => `CUSTOMER#${id}`;
const profile = (id: string) => ({
  PK: pk(id),
  SK: 'PROFILE',
  customerId: id,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const order = (id: string, at: string) => ({
  PK: pk(id),
  SK: `PURCHASE#o-${id}`,
  type: 'order',
  orderId: `o-${id}`,
  amountMilli: 40_000,
  purchasedAt: at,
});
/** What the engine and sender leave: a ledger entry and a journey send outcome with its variant. */
const sent = (id: string, variant: string) => [
  {
    PK: pk(id),
    SK: `SEND#gold-nudge#e#${variant}`,
    type: 'send',
    campaignId: 'gold-nudge',
    status: 'sent',
    sentAt,
  },
  {
    PK: pk(id),
    SK: `JOURNEY#gold-nudge#SEND#e#${variant}`,
    type: 'journey-send',
    journeyId: 'gold-nudge',
    variant,
    outcome: 'sent',
    at: sentAt,
  },
];
const heldOut = (id: string) => ({
  PK: pk(id),
  SK: `HOLDOUT#gold-nudge#e`,
  campaignId: 'gold-nudge',
  status: 'held-out',
  at: sentAt,
});

const a = ['a1', 'a2', 'a3'];
const b = ['b1', 'b2'];
const h = ['h1', 'h2', 'h3', 'h4'];
const items = [
  ...[...a, ...b, ...h].map(profile),
  ...a.flatMap((id) => sent(id, 'nudge-a')),
  ...b.flatMap((id) => sent(id, 'nudge-b')),
  ...h.map(heldOut),
  // Converted within the 7-day window: two of a, none of b, one of the holdout.
  order('a1', '2027-03-04T10:00:00.000Z'),
  order('a2', '2027-03-05T10:00:00.000Z'),
  order('h1', '2027-03-03T10:00:00.000Z'),
  // Outside the window: not a conversion.
  order('b1', '2027-03-20T10:00:00.000Z'),
];
const report = buildLoyaltyReport(
  snapshotFromItems(items),
  undefined,
  {
    from: new Date('2027-03-01T00:00:00Z'),
    to: new Date('2027-04-01T00:00:00Z'),
    attributionDays: 7,
    currency: 'USD',
  },
  new Date('2027-04-01T00:00:00Z'),
);

describe('A/B split results in the loyalty report', () => {
  it('reports sent, held out and converted per variant, each against the journey holdout', () => {
    const [campaign] = report.campaigns;
    expect(campaign?.campaignId).toBe('gold-nudge');
    expect(campaign?.variants.map(({ uplift: _, revenueUplift: _revenue, ...rest }) => rest)).toEqual([
      {
        variant: 'nudge-a',
        sent: 3,
        heldOut: 4,
        converted: 2,
        holdoutConverted: 1,
        conversionRate: 2 / 3,
        revenueMilli: 80_000,
      },
      {
        variant: 'nudge-b',
        sent: 2,
        heldOut: 4,
        converted: 0,
        holdoutConverted: 1,
        conversionRate: 0,
        revenueMilli: 0,
      },
    ]);
    expect(campaign?.variants[0]?.uplift).toEqual(
      upliftEstimate({ converted: 2, n: 3 }, { converted: 1, n: 4 }),
    );
    // Revenue per send ($80 over 3) minus revenue per control contact ($40 over 4).
    expect(campaign?.variants[0]?.revenueUplift?.differenceMilli).toBe(16_667);
  });

  it('shows each variant under its journey in the text and HTML reports', () => {
    const text = renderReportText(report);
    expect(text).toMatch(/↳ variant nudge-a\s+sent 3 {2}held out 4 {2}converted 2 \(66\.7%\)/);
    expect(text).toMatch(/↳ variant nudge-b\s+sent 2 {2}held out 4 {2}converted 0 \(0\.0%\)/);
    const html = renderReportHtml(report);
    expect(html).toContain('data-variant="nudge-a"');
    expect(html).toContain('↳ variant nudge-b');
  });
});

describe('the campaign period', () => {
  it('is whole UTC days, so a send before a mid-day start is counted with its day, as the day counters are', () => {
    expect(campaignPeriod({ from: new Date('2027-03-02T16:00:00Z'), to: new Date('2027-03-03T12:00:00Z') })).toEqual({
      from: new Date('2027-03-02T00:00:00Z'),
      to: new Date('2027-03-04T00:00:00Z'),
    });
    expect(campaignPeriod({ from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-04-01T00:00:00Z') })).toEqual({
      from: new Date('2027-03-01T00:00:00Z'),
      to: new Date('2027-04-01T00:00:00Z'),
    });
    const midDay = buildLoyaltyReport(
      snapshotFromItems(items),
      undefined,
      { from: new Date('2027-03-02T16:00:00Z'), to: new Date('2027-03-03T12:00:00Z'), attributionDays: 7, currency: 'USD' },
      new Date('2027-03-03T12:00:00Z'),
    );
    expect(midDay.campaigns.find((c) => c.campaignId === 'gold-nudge')).toMatchObject({ recipients: 5, holdout: 4 });
  });
});
