// README's "your first journey in five minutes" as a test, step by step: a thank-you journey kept in
// the marketer's own folder (files only, no TypeScript) is validated — a typo caught at file:line:
// field —, previewed for a real customer, published, entered by a purchase, explained while it
// waits, and sent after three local days; redelivering every event afterwards sends nothing more.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { writeTemplate } from '../support/journey-files.ts';
import { loyalty } from './cli-support.ts';

const THANK_YOU = `id: thank-you
name: Thank you, then a nudge
trigger: { on: event, event: Purchase Completed }
reentry: { every: 30d }
exitOn: [Order Refunded]
steps:
  - id: wait-3d
    wait: { days: 3 }
  - id: bought-again
    branch:
      - if: { purchasedSinceEntry: true }
        goto: end
      - goto: thanks
  - id: thanks
    send: { template: thank-you }
`;
const SUBJECT = 'Thank you, {{ customer.firstName | default: "friend" }}: {{ pointsBalance }} points';
const TEXT =
  'Your {{ tierName }} points: {{ pointsBalance }}.{% if nextTierName %} {{ spendToNextTierMilli | money }} more to {{ nextTierName }}.{% endif %}';

let local: LocalRuntime;
let folder: string;

beforeAll(async () => {
  // As under `npm start -- --now 2027-03-01T09:00:00Z`: the shipped journeys are published too.
  local = await startLocal({ now: '2027-03-01T09:00:00Z', ports: 'random' });
  folder = path.join(await mkdtemp(path.join(tmpdir(), 'walkthrough-')), 'my-journeys');
  await writeTemplate(folder, 'thank-you', { subject: SUBJECT, text: TEXT });
  local.putEvents([
    customerEvent({
      customerId: 'mia',
      email: 'mia@example.com',
      firstName: 'Mia',
      locale: 'en-US',
      timeZone: 'America/New_York',
    }),
  ]);
  await local.drain();
}, 60_000);
afterAll(() => local?.stop());

const cli = (args: string[]) => loyalty(local, args, folder);
const thanks = async () =>
  (await local.emails()).filter((email) => email.subject.startsWith('Thank you, Mia'));
const purchase = purchaseEvent({
  orderId: 'walk-1',
  customerId: 'mia',
  amount: '40.00',
  purchasedAt: '2027-03-01T09:00:00Z',
});

describe("README walkthrough: a thank-you journey from one YAML file and its templates", () => {
  it('is validated, previewed, published, entered, explained and sent after three local days', async () => {
    // A typo is caught with file, line and field; the fixed file passes.
    await writeFile(path.join(folder, 'thank-you.yaml'), THANK_YOU.replace('goto: thanks', 'goto: thanx'));
    const typo = await cli(['campaigns', 'validate', 'thank-you.yaml']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/thank-you\.yaml:\d+: steps\.1\.branch\.1\.goto: .*thanx/);
    await writeFile(path.join(folder, 'thank-you.yaml'), THANK_YOU);
    const valid = await cli(['campaigns', 'validate', 'thank-you.yaml']);
    expect(valid.stdout).toContain('✓ thank-you');

    const preview = await cli(['campaigns', 'preview', 'thank-you', '--file', 'thank-you.yaml', '--customer', 'mia']);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('Thank you, Mia: 0 points');

    const published = await cli(['campaigns', 'publish', 'thank-you.yaml', '--note', 'first version']);
    expect(published.stdout).toContain('published thank-you v1 (running functions use it within 30 s)');
    // Running functions see a publish within 30 s (their catalogue cache); npm start's clock runs.
    await local.advanceTo('2027-03-01T09:01:00Z');

    local.putEvents([purchase]);
    await local.drain();
    const waiting = await cli(['campaigns', 'explain', 'thank-you', '--customer', 'mia']);
    expect(waiting.stdout).toMatch(/waiting at wait-3d until 2027-03-04/);

    await local.advanceTo('2027-03-05T09:00:00Z');
    const sent = await thanks();
    expect(sent.map((email) => email.subject)).toEqual(['Thank you, Mia: 40 points']);
    expect(sent[0]?.body.text).toContain('Your Bronze points: 40. $460.00 more to Silver.');
    const explained = await cli(['campaigns', 'explain', 'thank-you', '--customer', 'mia']);
    expect(explained.stdout).toContain('bought-again');
    expect(explained.stdout).toMatch(/sent/);
  }, 120_000);

  it('sends nothing more when every event of the walkthrough is delivered again', async () => {
    local.putEvents([
      customerEvent({ customerId: 'mia', email: 'mia@example.com', firstName: 'Mia', locale: 'en-US' }),
      purchase,
      purchase,
    ]);
    await local.drain();
    await local.advanceTo('2027-03-12T09:00:00Z');
    expect(await thanks()).toHaveLength(1);
    expect(local.deadLetters()).toEqual([]);
  }, 120_000);
});
