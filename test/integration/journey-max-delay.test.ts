// send.maxDelay against the local runtime with the sample loaded: the sample's history replays
// months of tier upgrades in one go, and a journey congratulating upgrades must greet only the
// fresh ones — every stale one is skipped with its reason where `explain` shows it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { sampleCustomerId, sampleEvents } from '#infra/local/sample-data.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';
import { loyalty } from './cli-support.ts';

const CUSTOMERS = 80;
const NOW = '2027-01-01T12:00:00Z';
let local: LocalRuntime;
let states: JourneyStateStore;

const congrats = `id: upgrade-congrats
name: Congratulate upgrades
trigger:
  on: event
  event: Tier Changed
  match: { direction: up }
reentry: always
send:
  capClass: tier-upgrade
steps:
  - id: congratulate
    send: { template: upgrade-congrats }
`;

beforeAll(async () => {
  local = await startLocal({ now: NOW, ports: 'random' });
  states = new JourneyStateStore(local.doc, local.tableName, new TimerStore(local.doc, local.tableName));
  const repo = await mkdtemp(path.join(tmpdir(), 'max-delay-'));
  await writeFile(path.join(repo, 'upgrade-congrats.yaml'), congrats);
  await writeTemplate(repo, 'upgrade-congrats', { subject: 'Upgrade congrats', text: 'Welcome to {{ tierName }}' });
  await publishJourneyFile(local, path.join(repo, 'upgrade-congrats.yaml'));
  local.putEvents(sampleEvents({ customers: CUSTOMERS, now: local.clock.now() }));
  await local.drain();
  // One upgrade today: a new customer's first order reaches Gold.
  local.putEvents([customerEvent({ customerId: 'fresh-1', email: 'fresh-1@example.com', locale: 'en-US' })]);
  await local.drain();
  local.putEvents([
    purchaseEvent({ customerId: 'fresh-1', orderId: 'fresh-o1', amount: '2500.00', purchasedAt: '2027-01-01T10:00:00Z' }),
  ]);
  await local.drain();
}, 300_000);
afterAll(() => local?.stop());

describe('send.maxDelay on an event-triggered journey, with the sample loaded', () => {
  it('congratulates only upgrades from the last two days; every older one is skipped, explained', async () => {
    const ids = [...Array.from({ length: CUSTOMERS }, (_, i) => sampleCustomerId(i + 1)), 'fresh-1'];
    const stories = await Promise.all(ids.map((id) => states.story(id, 'upgrade-congrats')));
    const sends = stories.flatMap((story) => story.sends);
    const entries = new Map(stories.flatMap((story) => story.states.map((s) => [s.customerId, s] as const)));
    const skipped = sends.filter((send) => send.outcome === 'skipped');
    const sent = sends.filter((send) => send.outcome === 'sent');
    // The sample's history holds upgrades from months back: they are the skipped ones.
    expect(skipped.length).toBeGreaterThan(3);
    for (const send of skipped) {
      expect(send.reason).toMatch(/^too late: due since the Tier Changed event at .*, \d+ days ago — more than send\.maxDelay 2d$/);
    }
    expect(sent.map((send) => send.customerId)).toContain('fresh-1');
    // Whoever was congratulated entered on an upgrade at most two days old (the event's time);
    // replayed in order, their latest entry is at least as recent as the one congratulated.
    for (const send of sent) {
      const enteredAt = entries.get(send.customerId)?.enteredAt ?? '';
      expect(Date.parse(NOW) - Date.parse(enteredAt)).toBeLessThanOrEqual(2 * DAY_MS);
    }
    const emails = (await local.emails()).filter((email) => email.subject === 'Upgrade congrats');
    expect(emails.length).toBe(sent.length);
  });

  it('explain shows why the stale upgrade was not congratulated', async () => {
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => sampleCustomerId(i + 1));
    const stories = await Promise.all(ids.map((id) => states.story(id, 'upgrade-congrats')));
    const stale = stories.find((story) => story.sends.some((send) => send.outcome === 'skipped'));
    const customerId = stale?.sends[0]?.customerId ?? '';
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'cwd-'));
    const shown = await loyalty(local, ['campaigns', 'explain', 'upgrade-congrats', '--customer', customerId], elsewhere);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/too late: due since the Tier Changed event at .* more than send\.maxDelay 2d/);
  });
});
