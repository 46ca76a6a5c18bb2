// A campaign's own send rules reach the sender through the campaign gate: its `send.quietHours`
// replace the sender's global QUIET_HOURS for that campaign's emails only.
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';
import { ledgerEntry } from './sender-fixtures.ts';

const campaignFile = (id: string, sendRules: string) => `id: ${id}
name: ${id}
trigger:
  on: days-since-signup
  days: 3
send:
  hour: 9
${sendRules}templates:
  name: welcome-rules
  locales: [en-US]
  sample: { signedUpAt: "2027-01-01T10:00:00.000Z", daysSinceSignup: 3, tier: null, offer: null }
`;

let local: LocalRuntime;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'send-rules-'));
  const campaignsDir = path.join(root, 'campaigns');
  await cp(path.resolve('campaigns'), campaignsDir, { recursive: true });
  await writeFile(path.join(campaignsDir, 'welcome-plain.yaml'), campaignFile('welcome-plain', ''));
  await writeFile(
    path.join(campaignsDir, 'welcome-late.yaml'),
    campaignFile('welcome-late', '  quietHours: { from: "20:00", to: "10:00" }\n'),
  );
  const folder = path.join(campaignsDir, 'templates', 'welcome-rules', 'en-US');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'subject.liquid'), 'Welcome, {{ daysSinceSignup }} days in');
  await writeFile(path.join(folder, 'html.liquid'), '<p>Since {{ signedUpAt | date: "long" }}</p>');
  await writeFile(path.join(folder, 'text.liquid'), 'Since {{ signedUpAt | date: "long" }}');
  local = await startLocal({
    now: '2027-01-10T00:00:00Z',
    ports: 'random',
    env: { CAMPAIGNS_DIR: campaignsDir },
  });
}, 60_000);
afterAll(() => local?.stop());

describe('per-campaign quiet hours', () => {
  it('defers a campaign with quiet hours 20:00-10:00 to 10:00 local, while one without them sends at its 09:00 send hour', async () => {
    for (const id of ['welcome-plain', 'welcome-late']) {
      const published = await loyalty(local, ['legacy-campaigns', 'publish', `campaigns/${id}.yaml`], root);
      expect(published.code).toBe(0);
    }
    local.putEvents([
      customerEvent({
        customerId: 'qh',
        email: 'qh@example.com',
        timeZone: 'Asia/Shanghai',
        locale: 'en-US',
      }),
    ]);
    await local.drain();

    // Day 3 at 09:00 in Shanghai is 01:00Z: the sender's default quiet hours (21:00-08:00) allow it.
    await local.advanceTo('2027-01-13T01:30:00Z');
    expect(await ledgerEntry(local, 'qh', 'welcome-plain', 'signup')).toMatchObject({
      status: 'sent',
      sentAt: '2027-01-13T01:00:00.000Z',
    });
    expect((await ledgerEntry(local, 'qh', 'welcome-late', 'signup'))?.status).not.toBe('sent');

    await local.advanceTo('2027-01-13T03:00:00Z');
    expect(await ledgerEntry(local, 'qh', 'welcome-late', 'signup')).toMatchObject({
      status: 'sent',
      sentAt: '2027-01-13T02:00:00.000Z', // 10:00 in Shanghai
    });
    const welcomes = (await local.emails()).filter((email) => email.destination.to[0] === 'qh@example.com');
    expect(welcomes).toHaveLength(2);
  }, 60_000);
});
