// A journey's own send rules reach the sender with each request: its `send.quietHours` replace the
// sender's global QUIET_HOURS for that journey's emails only.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';
import { ledgerEntry } from './sender-fixtures.ts';

const journeyFile = (id: string, sendRules: string) => `id: ${id}
name: ${id}
trigger:
  on: signup
  signup: { days: 3 }
send:
  hour: 9
${sendRules}templates:
  locales: [en-US]
  sample: { occasion: signup, days: 3, firstSeenAt: "2027-01-01T10:00:00.000Z" }
steps:
  - id: welcome
    send: { template: welcome-rules }
`;

let local: LocalRuntime;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'send-rules-'));
  const campaignsDir = path.join(root, 'campaigns');
  await mkdir(campaignsDir, { recursive: true });
  await writeFile(path.join(campaignsDir, 'welcome-plain.yaml'), journeyFile('welcome-plain', ''));
  await writeFile(
    path.join(campaignsDir, 'welcome-late.yaml'),
    journeyFile('welcome-late', '  quietHours: { from: "20:00", to: "10:00" }\n'),
  );
  const folder = path.join(campaignsDir, 'templates', 'welcome-rules', 'en-US');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'subject.liquid'), 'Welcome, {{ event.days }} days in');
  await writeFile(path.join(folder, 'html.liquid'), '<p>Since {{ event.firstSeenAt | date: "long" }}</p>');
  await writeFile(path.join(folder, 'text.liquid'), 'Since {{ event.firstSeenAt | date: "long" }}');
  local = await startLocal({ now: '2027-01-10T00:00:00Z', ports: 'random', shippedJourneys: false });
}, 60_000);
afterAll(() => local?.stop());

describe('per-journey quiet hours', () => {
  it('defers a journey with quiet hours 20:00-10:00 to 10:00 local, while one without them sends at its 09:00 send hour', async () => {
    for (const id of ['welcome-plain', 'welcome-late']) {
      const published = await loyalty(local, ['campaigns', 'publish', `campaigns/${id}.yaml`], root);
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
    expect(await ledgerEntry(local, 'qh', 'welcome-plain', 'signup#welcome')).toMatchObject({
      status: 'sent',
      sentAt: '2027-01-13T01:00:00.000Z',
    });
    expect((await ledgerEntry(local, 'qh', 'welcome-late', 'signup#welcome'))?.status).not.toBe('sent');

    await local.advanceTo('2027-01-13T03:00:00Z');
    expect(await ledgerEntry(local, 'qh', 'welcome-late', 'signup#welcome')).toMatchObject({
      status: 'sent',
      sentAt: '2027-01-13T02:00:00.000Z', // 10:00 in Shanghai
    });
    const welcomes = (await local.emails()).filter((email) => email.destination.to[0] === 'qh@example.com');
    expect(welcomes).toHaveLength(2);
  }, 60_000);
});
