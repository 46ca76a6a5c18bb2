// The sample shop after the tour's one-year jump: its customers kept buying, lapsing, coming
// back and redeeming birthday coupons, so the report a year on is worth reading — the shipped
// marketing journeys each measured against their holdout.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivingShop } from '#infra/local/living-shop.ts';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { sampleEvents } from '#infra/local/sample-data.ts';
import type { LoyaltyReport } from '#shared/flows/analytics.ts';
import { customerItems } from '../support/table.ts';

const CUSTOMERS = 60;
let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2027-01-01T12:00:00Z', ports: 'random' });
  local.putEvents(sampleEvents({ customers: CUSTOMERS, now: local.clock.now() }));
  await local.drain();
  // As `npm start` does: SES local's accepted emails become SES's send and delivery events nightly.
  local.everyDay('ses-events', () => local.sesEvents.publishNewSends());
  startLivingShop(local, { customers: CUSTOMERS });
  await local.advanceTo('2028-01-01T12:00:00Z');
}, 600_000);
afterAll(() => local?.stop());

async function report(period = ''): Promise<LoyaltyReport> {
  const response = await fetch(`${local.endpoints.aws}/_local/report?format=json${period}`);
  return (await response.json()) as LoyaltyReport;
}
const THE_YEAR = '&from=2027-01-01&to=2028-01-01';

describe('the living sample shop a year on', () => {
  it('still has buyers and active customers in the last 90 days', async () => {
    const { metrics, segments } = await report();
    expect(metrics.period.to).toBe('2028-01-01T12:00:00.000Z');
    expect(metrics.orders).toBeGreaterThan(10);
    expect(metrics.purchasers).toBeGreaterThan(5);
    expect(segments.lifecycle.active ?? 0).toBeGreaterThan(5);
    expect(metrics.retentionRate).not.toBeNull();
  });

  it('measures each shipped marketing journey against its 10% holdout, the groups adding up', async () => {
    const year = await report(THE_YEAR);
    for (const id of ['birthday', 'win-back', 'first-purchase-anniversary']) {
      const journey = year.campaigns.find((c) => c.campaignId === id);
      expect(journey, id).toBeDefined();
      if (!journey) continue;
      expect(journey.holdoutPercent, id).toBe(10);
      expect(journey.holdout, id).toBeGreaterThan(0);
      // Uplift with its interval and its verdict in words.
      expect(journey.uplift?.newcombe.low, id).toBeLessThanOrEqual(journey.uplift?.uplift ?? Number.NaN);
      expect(journey.uplift?.significance, id).toMatch(/significant at 95%/);
      // One contact per entry: the first step's emails are the emailed entries, and the weeks
      // add up to the totals of both groups.
      expect(journey.steps.find((step) => step.holdout === 'entry-step')?.sent, id).toBe(journey.recipients);
      expect(
        journey.weekly.reduce((sum, week) => sum + week.recipients, 0),
        id,
      ).toBe(journey.recipients);
      expect(
        journey.weekly.reduce((sum, week) => sum + week.holdout, 0),
        id,
      ).toBe(journey.holdout);
    }
    const winBack = year.campaigns.find((c) => c.campaignId === 'win-back');
    expect(winBack?.steps.map((step) => [step.step, step.holdout])).toEqual([
      ['day-60', 'entry-step'],
      ['day-90', 'later-step'],
      ['day-120', 'later-step'],
    ]);
    // The series sends more emails than it has entries; each entry counts once against the holdout.
    expect(winBack?.steps.reduce((sum, step) => sum + step.sent, 0)).toBeGreaterThan(
      winBack?.recipients ?? 0,
    );
    // Upgrades are news owed to every member: nobody held out, and the report says why there is no uplift.
    expect(year.campaigns.find((c) => c.campaignId === 'tier-upgrade')).toMatchObject({
      holdoutPercent: 0,
      holdout: 0,
    });
  });

  it('opened and clicked some of the emails, never more than were delivered', async () => {
    const year = await report(THE_YEAR);
    for (const id of ['birthday', 'win-back']) {
      const journey = year.campaigns.find((c) => c.campaignId === id);
      expect(journey?.delivered, id).toBeGreaterThan(0);
      expect(journey?.delivered, id).toBeLessThanOrEqual(journey?.sent ?? 0);
      expect(journey?.opened, id).toBeGreaterThan(0);
      expect(journey?.opened, id).toBeLessThanOrEqual(journey?.delivered ?? 0);
      expect(journey?.clicked, id).toBeGreaterThan(0);
      expect(journey?.clicked, id).toBeLessThanOrEqual(journey?.opened ?? 0);
    }
  });

  it('unsubscribed from some emails with their one-click link: counted on the journeys, and mailed no marketing after', async () => {
    const year = await report(THE_YEAR);
    const unsubscribed = year.campaigns.reduce((sum, journey) => sum + journey.unsubscribed, 0);
    expect(unsubscribed).toBeGreaterThan(0);
    for (const journey of year.campaigns) expect(journey.unsubscribed, journey.campaignId).toBeLessThanOrEqual(journey.delivered);
    const { Items: optedOut = [] } = await local.doc.send(
      new ScanCommand({ TableName: local.tableName, FilterExpression: 'attribute_exists(optOut)' }),
    );
    expect(optedOut.length).toBe(unsubscribed);
    for (const profile of optedOut) {
      // The send ledger: every email SES took for the customer, with when (the simulated clock's).
      const sentAfter = (await customerItems(local.doc, local.tableName, String(profile.customerId)))
        .filter((item) => String(item.SK).startsWith('SEND#') && item.status === 'sent')
        .filter((item) => String(item.sentAt) > String(profile.optOut.at) && item.campaignId !== 'tier-upgrade');
      expect(sentAfter, String(profile.customerId)).toEqual([]);
    }
    // Each of them had been mailed before they left: the link came in one of our emails.
    for (const profile of optedOut) {
      const sentBefore = (await customerItems(local.doc, local.tableName, String(profile.customerId))).filter(
        (item) => String(item.SK).startsWith('SEND#') && item.status === 'sent' && String(item.sentAt) < String(profile.optOut.at),
      );
      expect(sentBefore.length, String(profile.customerId)).toBeGreaterThan(0);
    }
  });

  it('redeemed some of the birthday coupons our emails carried', async () => {
    const { Items = [] } = await local.doc.send(
      new ScanCommand({
        TableName: local.tableName,
        FilterExpression: 'begins_with(couponCode, :prefix)',
        ExpressionAttributeValues: { ':prefix': 'BDAY' },
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    // Recorded as redemptions of the codes our journeys issued, so the report shows them.
    const { campaigns } = await report();
    expect(campaigns.reduce((sum, c) => sum + c.coupons.redeemed, 0)).toBeGreaterThan(0);
    expect(Items.filter((item) => item.couponOutcome === 'redeemed').length).toBeGreaterThan(0);
  });
});
