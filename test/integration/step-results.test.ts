// Per-step results from counters, end to end on the local runtime: a journey splits its entrants
// between two send steps; the sender counts each email sent, SES events (through the send ledger)
// count delivered and bounced per step, and a purchase within 7 days counts converted and revenue
// for the email before it — once, however often the purchase is delivered. The report reads the
// counters (text, JSON, HTML).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { LoyaltyReport } from '#shared/flows/analytics.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';
import { loyalty } from './cli-support.ts';

let local: LocalRuntime;
const CUSTOMERS = Array.from({ length: 10 }, (_, i) => `st-${i}`);

const journey = `id: step-test
name: Step test
trigger: { on: event, event: Purchase Completed }
steps:
  - id: pick
    split:
      - { percent: 50, goto: mail-a }
      - { percent: 50, goto: mail-b }
  - id: mail-a
    send: { template: mail-a }
    goto: end
  - id: mail-b
    send: { template: mail-b }
`;

async function report(format: 'json' | 'html') {
  return fetch(`${local.endpoints.aws}/_local/report?format=${format}&from=2027-03-01&to=2027-04-01`);
}

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random' });
  const repo = await mkdtemp(path.join(tmpdir(), 'step-results-'));
  await writeFile(path.join(repo, 'step-test.yaml'), journey);
  await writeTemplate(repo, 'mail-a', { subject: 'A', text: 'Hello A' });
  await writeTemplate(repo, 'mail-b', { subject: 'B', text: 'Hello B' });
  await publishJourneyFile(local, path.join(repo, 'step-test.yaml'));
  local.putEvents(CUSTOMERS.map((id) => customerEvent({ customerId: id, email: `${id}@example.com`, locale: 'en-US' })));
  await local.drain();
  local.putEvents(
    CUSTOMERS.map((id) => purchaseEvent({ customerId: id, orderId: `${id}-1`, amount: '10.00', purchasedAt: '2027-03-01T11:00:00Z' })),
  );
  await local.drain();
  // SES's events for every email (sent, delivered), then a hard bounce for one address.
  await local.sesEvents.publishNewSends();
  await local.drain();
  await local.sesEvents.feedback('bounce', 'st-0@example.com');
  await local.drain();
  // Two days on, half the customers buy again (each purchase delivered twice); one buys twice.
  await local.advanceTo('2027-03-03T12:00:00Z');
  const again = CUSTOMERS.slice(0, 5).map((id) =>
    purchaseEvent({ customerId: id, orderId: `${id}-2`, amount: '50.00', purchasedAt: '2027-03-03T10:00:00Z' }),
  );
  local.putEvents([...again, ...again]);
  local.putEvents([purchaseEvent({ customerId: 'st-1', orderId: 'st-1-3', amount: '20.00', purchasedAt: '2027-03-03T11:00:00Z' })]);
  await local.drain();
  // Ten days on: outside the 7-day window, credited to no email.
  await local.advanceTo('2027-03-12T12:00:00Z');
  local.putEvents([purchaseEvent({ customerId: 'st-9', orderId: 'st-9-late', amount: '99.00', purchasedAt: '2027-03-12T10:00:00Z' })]);
  await local.drain();
}, 180_000);
afterAll(() => local?.stop());

describe('results per send step, from counters', () => {
  it('counts sent, delivered, bounced, converted and revenue per step and variant, rows adding up', async () => {
    const json = (await (await report('json')).json()) as LoyaltyReport;
    const steps = json.campaigns.find((c) => c.campaignId === 'step-test')?.steps ?? [];
    expect(steps.map((s) => [s.step, s.variant])).toEqual([
      ['mail-a', 'mail-a'],
      ['mail-b', 'mail-b'],
    ]);
    const total = (name: 'sent' | 'delivered' | 'bounced' | 'converted' | 'revenueMilli') =>
      steps.reduce((sum, s) => sum + s[name], 0);
    expect(total('sent')).toBe(10);
    // st-0's email was delivered and then bounced in this simulation (the bounce names the address).
    expect(total('delivered')).toBe(10);
    expect(total('bounced')).toBe(1);
    expect(total('converted')).toBe(5);
    expect(total('revenueMilli')).toBe(5 * 50_000 + 20_000);
    for (const s of steps) {
      expect(s.conversionRate).toBe(s.sent === 0 ? null : s.converted / s.sent);
      expect(s.revenuePerRecipientMilli).toBe(Math.round(s.revenueMilli / s.sent));
    }
  });

  it('shows the rows in the HTML and text reports', async () => {
    const html = await (await report('html')).text();
    expect(html).toMatch(/data-steps="step-test" data-step="mail-a" data-variant="mail-a"><td>step-test<\/td><td>mail-a · mail-a<\/td><td>\d+<\/td>/);
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'cwd-'));
    const text = await loyalty(local, ['report', '--from', '2027-03-01', '--to', '2027-04-01'], elsewhere);
    expect(text.stdout).toMatch(
      /↳ step mail-a · mail-a\s+sent \d+ {2}delivered \d+ {2}bounced \d+ {2}complained 0 {2}opened \d+ {2}clicked \d+ {2}unsubscribed \d+ {2}converted \d+ of \d+.*holdout: no holdout in this period/,
    );
  });

  it('counts an unsubscribe on the step and variant whose email carried the link, once, on the day it was sent', async () => {
    const [email] = (await local.emails()).filter((e) => e.destination.to.includes('st-2@example.com'));
    const variant = email?.subject === 'A' ? 'mail-a' : 'mail-b';
    const link = /<(http[^>]+)>/.exec(
      ((email?.headers as { name: string; value: string }[] | undefined) ?? []).find((h) => h.name === 'List-Unsubscribe')?.value ?? '',
    )?.[1];
    expect(link).toBeDefined();
    // A week after the email: the count goes to the step's row of the send day (in the period).
    await local.advanceTo('2027-03-19T12:00:00Z');
    const oneClick = () =>
      fetch(link ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    expect((await oneClick()).status).toBe(200);
    expect((await oneClick()).status).toBe(200); // a replay counts nothing
    await local.drain();
    const json = (await (await report('json')).json()) as LoyaltyReport;
    const journeyRow = json.campaigns.find((c) => c.campaignId === 'step-test');
    expect(journeyRow?.unsubscribed).toBe(1);
    expect(journeyRow?.steps.map((s) => [s.step, s.unsubscribed])).toEqual([
      ['mail-a', variant === 'mail-a' ? 1 : 0],
      ['mail-b', variant === 'mail-b' ? 1 : 0],
    ]);
    // The send day alone has it, on the step row and on the journey's line (its step rows added
    // up); the unsubscribe's own day has none.
    const reportOf = async (from: string, to: string) =>
      (await (await fetch(`${local.endpoints.aws}/_local/report?format=json&from=${from}&to=${to}`)).json()) as LoyaltyReport;
    const onSendDay = (await reportOf('2027-03-01', '2027-03-02')).campaigns.find((c) => c.campaignId === 'step-test');
    expect(onSendDay?.unsubscribed).toBe(1);
    expect(onSendDay?.steps.find((s) => s.step === variant)?.unsubscribed).toBe(1);
    const onTheDay = (await reportOf('2027-03-19', '2027-03-20')).campaigns.find((c) => c.campaignId === 'step-test');
    expect(onTheDay?.unsubscribed ?? 0).toBe(0);
    const html = await (await report('html')).text();
    expect(html).toMatch(new RegExp(`data-step="${variant}" data-variant="${variant}">.*?<td data-unsubscribed>1</td>`));
  });
});
