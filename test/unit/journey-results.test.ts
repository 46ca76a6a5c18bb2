// A journey's results against its holdout, like for like: the holdout is drawn at entry, so the
// report counts each emailed entry once (at its first email) beside each entry held out, and a
// series' later reminders never dilute the comparison. Its step rows say what they are compared
// with instead of showing an uplift of their own.
import { describe, expect, it } from 'vitest';
import { renderReportText } from '../../cli/report-text.ts';
import { buildLoyaltyReport } from '#shared/flows/analytics.ts';
import { renderReportHtml } from '#shared/flows/analytics-html.ts';
import { snapshotFromItems } from '#shared/store/segments.ts';
import { keys } from '#shared/store/keys.ts';

const pk = (id: string) => `CUSTOMER#${id}`;
const profile = (id: string) => ({ PK: pk(id), SK: 'PROFILE', customerId: id, createdAt: '2027-01-01T00:00:00.000Z' });
/** A series email: the ledger entry the sender completes and the journey's send record. */
const email = (id: string, entry: string, step: string, at: string) => [
  { PK: pk(id), SK: `SEND#series#${entry}#${step}`, type: 'send', status: 'sent', campaignId: 'series', sentAt: at },
  { ...keys.journeySendOutcome(id, 'series', entry, step), type: 'journey-send', outcome: 'sent', journeyId: 'series', entryId: entry, stepId: step, at },
];
const heldOut = (id: string, entry: string, at: string) => ({
  ...keys.holdout(id, 'series', entry),
  status: 'held-out',
  campaignId: 'series',
  at,
});
const order = (id: string, orderId: string, at: string, amountMilli: number) => ({
  PK: pk(id),
  SK: `PURCHASE#${orderId}`,
  type: 'order',
  orderId,
  amountMilli,
  currency: 'USD',
  purchasedAt: at,
});
const stepDay = (step: string, day: string, sent: number) => ({
  ...keys.journeyStepResults('series', day, step, undefined),
  journeyId: 'series',
  stepId: step,
  day,
  sent,
});

// Four entries emailed: a first reminder each, then a second reminder to the three who did not buy
// (one buys after it); four entries held out, one of whom buys within a week.
const emailed = ['e-1', 'e-2', 'e-3', 'e-4'];
const held = ['h-1', 'h-2', 'h-3', 'h-4'];
const items = [
  ...[...emailed, ...held].map(profile),
  ...emailed.flatMap((id) => email(id, 'lapse-1', 'remind', '2027-03-01T10:00:00.000Z')),
  ...emailed.slice(1).flatMap((id) => email(id, 'lapse-1', 'last-call', '2027-03-31T10:00:00.000Z')),
  ...held.map((id) => heldOut(id, 'lapse-1', '2027-03-01T10:00:00.000Z')),
  order('e-1', 'o-1', '2027-03-03T10:00:00.000Z', 40_000),
  order('e-2', 'o-2', '2027-04-02T10:00:00.000Z', 30_000),
  order('h-1', 'o-3', '2027-03-04T10:00:00.000Z', 20_000),
  stepDay('remind', '2027-03-01', 4),
  stepDay('last-call', '2027-03-31', 3),
  // The journey as published: the first step is a send, then a wait, then the second send.
  {
    ...keys.journeyCurrent('series'),
    type: 'journey-current',
    journeyId: 'series',
    journey: {
      id: 'series',
      holdoutPercent: 50,
      steps: [{ id: 'remind', send: { template: 'a' } }, { id: 'gap', wait: { days: 30 } }, { id: 'last-call', send: { template: 'b' } }],
    },
  },
];
const options = { from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-05-01T00:00:00Z'), attributionDays: 7, currency: 'USD' };
const report = buildLoyaltyReport(snapshotFromItems(items), undefined, options, new Date('2027-05-01T00:00:00Z'));
const series = report.campaigns.find((c) => c.campaignId === 'series');

describe('a journey against its holdout', () => {
  it('counts each emailed entry once, at its first email, beside each entry held out', () => {
    // Seven emails, four entries: per email it would read 2 of 7 against 1 of 4.
    expect(series).toMatchObject({ recipients: 4, holdout: 4, converted: 1, holdoutConverted: 1, revenueMilli: 40_000 });
    expect(series?.uplift).toMatchObject({ treatment: { n: 4, converted: 1 }, holdout: { n: 4, converted: 1 }, uplift: 0 });
    expect(renderReportText(report)).toContain('entries       4 emailed + 4 held out = 8');
  });

  it('takes a window covering the series when asked, so the later reminders count for the journey', () => {
    const longer = buildLoyaltyReport(snapshotFromItems(items), undefined, { ...options, attributionDays: 35 }, new Date('2027-05-01T00:00:00Z'));
    expect(longer.campaigns.find((c) => c.campaignId === 'series')).toMatchObject({ recipients: 4, converted: 2, holdoutConverted: 1 });
  });

  it('says for each step row what it is compared with, never an uplift of its own, in the journey’s step order', () => {
    expect(series?.steps.map((s) => [s.step, s.sent, s.holdout])).toEqual([
      ['remind', 4, 'entry-step'],
      ['last-call', 3, 'later-step'],
    ]);
    expect(series?.steps.every((s) => !('uplift' in s))).toBe(true);
    const text = renderReportText(report);
    expect(text).toMatch(/↳ step remind .*holdout: every entry not held out gets this step: the journey’s holdout and uplift are its own/);
    expect(text).toMatch(/↳ step last-call .*holdout: reached only by entries still in the journey after earlier steps/);
    expect(renderReportHtml(report)).toMatch(/<td data-holdout="later-step" title="reached only by[^"]*">none of its own: read the journey’s<\/td>/);
  });

  it('says a journey without a holdout in the period has nothing to compare a step with', () => {
    const none = buildLoyaltyReport(
      snapshotFromItems(items.filter((item) => !String(item.SK).startsWith('HOLDOUT#'))),
      undefined,
      options,
      new Date('2027-05-01T00:00:00Z'),
    );
    const journey = none.campaigns.find((c) => c.campaignId === 'series');
    expect(journey?.steps.map((s) => s.holdout)).toEqual(['no-holdout', 'no-holdout']);
    // The journey has a share; the draw took nobody among these entries.
    expect(journey?.holdoutPercent).toBe(50);
    expect(renderReportText(none)).toContain('holdout       none of 4 entries drawn at 50% in this period: no uplift to measure yet');
  });
});

describe('a journey entry older than the email history', () => {
  // The same series with each record's expiry (400 days after it was written) and the entry's start:
  // a year on, TTL has taken the first reminders (March 1st + 400 days) but not yet the last calls.
  const KEPT_DAYS = 400;
  const expiring = (item: Record<string, unknown>) =>
    item.type === 'journey-send'
      ? {
          ...item,
          enteredAt: '2027-03-01T09:00:00.000Z',
          expiresAt: Date.parse(String(item.at)) / 1000 + KEPT_DAYS * 86_400,
        }
      : item;
  const later = items.map(expiring);
  const period = { ...options, from: new Date('2027-03-15T00:00:00Z'), to: new Date('2027-04-15T00:00:00Z') };
  const seriesAt = (now: string, kept: Record<string, unknown>[]) =>
    buildLoyaltyReport(snapshotFromItems(kept), undefined, period, new Date(now)).campaigns.find(
      (c) => c.campaignId === 'series',
    );

  it('is not dated by a later email once its first email’s record may be gone', () => {
    const firstRemindersGone = later.filter((item) => !(item.type === 'journey-send' && item.stepId === 'remind'));
    // While the history is whole, the entries belong to March 1st: none in this period.
    expect(seriesAt('2027-05-01T00:00:00Z', later)).toMatchObject({ recipients: 0 });
    // After the first reminders expired, the last calls would otherwise date three entries to March 31st.
    expect(seriesAt('2028-04-10T00:00:00Z', firstRemindersGone)).toMatchObject({ recipients: 0 });
  });
});
