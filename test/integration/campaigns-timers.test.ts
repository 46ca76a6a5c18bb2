// A days-since-signup campaign defined by a YAML file and one template: new customers get it
// once, N days after signup at the send hour; customers who signed up before it existed do not.
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';

const WELCOME = `id: welcome-day-3
name: Welcome, day 3
trigger:
  on: days-since-signup
  days: 3
send:
  hour: 11
templates:
  name: welcome-day-3
  locales: [en-US]
  sample: { signedUpAt: "2027-01-01T10:00:00.000Z", daysSinceSignup: 3, tier: null, offer: null }
`;

let local: LocalRuntime;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'signup-'));
  const campaignsDir = path.join(root, 'campaigns');
  await cp(path.resolve('campaigns'), campaignsDir, { recursive: true });
  await writeFile(path.join(campaignsDir, 'welcome-day-3.yaml'), WELCOME);
  const folder = path.join(campaignsDir, 'templates', 'welcome-day-3', 'en-US');
  await mkdir(folder, { recursive: true });
  await writeFile(
    path.join(folder, 'subject.liquid'),
    'Welcome{% if customer.firstName %}, {{ customer.firstName }}{% endif %} — {{ daysSinceSignup }} days in',
  );
  await writeFile(
    path.join(folder, 'html.liquid'),
    '<p>Since {{ signedUpAt | date: "long" }}: thank you!</p>',
  );
  await writeFile(path.join(folder, 'text.liquid'), 'Since {{ signedUpAt | date: "long" }}: thank you!');
  local = await startLocal({
    now: '2027-01-01T10:00:00Z',
    ports: 'random',
    env: { CAMPAIGNS_DIR: campaignsDir },
  });
}, 60_000);
afterAll(() => local?.stop());

describe('days-since-signup campaign', () => {
  it('greets a new customer once, three days after signup at 11:00 local time, and not an existing one', async () => {
    local.putEvents([
      customerEvent({ customerId: 'old', email: 'old@example.com', timeZone: 'UTC', locale: 'en-US' }),
    ]);
    await local.drain();
    await local.advanceTo('2027-01-10T00:00:00Z');
    expect((await loyalty(local, ['legacy-campaigns', 'publish', 'campaigns/welcome-day-3.yaml'], root)).code).toBe(
      0,
    );

    local.putEvents([
      customerEvent({
        customerId: 'new',
        email: 'new@example.com',
        firstName: 'Nia',
        timeZone: 'Asia/Shanghai',
        locale: 'en-US',
      }),
    ]);
    await local.drain();
    local.putEvents([
      customerEvent({
        customerId: 'old',
        email: 'old@example.com',
        firstName: 'Changed',
        timeZone: 'UTC',
        locale: 'en-US',
      }),
    ]);
    await local.drain();

    await local.advanceTo('2027-01-13T02:00:00Z'); // 10:00 in Shanghai on day 3: not yet
    expect((await local.emails()).filter((email) => email.subject.startsWith('Welcome'))).toEqual([]);
    await local.advanceTo('2027-02-01T00:00:00Z');
    const welcomes = (await local.emails()).filter((email) => email.subject.startsWith('Welcome'));
    expect(welcomes.map((email) => [email.destination.to[0], email.subject])).toEqual([
      ['new@example.com', 'Welcome, Nia — 3 days in'],
    ]);
  });
});
