// A marketer's own event-triggered campaign (trigger `on: event`), defined by one YAML file and
// its templates and published with the CLI, fires in the local runtime through the generic
// event-campaigns function: once per event, never again on redelivery, never when disabled,
// and without a second copy of the built-in tier-upgrade email.
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEvent, type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { TierChanged } from '#shared/events/emitted.ts';
import { customerEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';

const campaignYaml = (id: string, template: string) => `id: ${id}
name: Welcome to Gold (${id})
enabled: true
trigger:
  on: event
  event: Tier Changed
  direction: up
holdoutPercent: 0
templates:
  name: ${template}
  locales: [en-US]
  sample:
    to: Gold
    pointsBalance: 2150
`;

const templates = (subject: string): Record<string, string> => ({
  'subject.liquid': `${subject}{% if customer.firstName %}, {{ customer.firstName }}{% endif %}: you reached {{ to }}`,
  'html.liquid': '<p>You reached {{ to }} with {{ pointsBalance }} points.</p>',
  'text.liquid': 'You reached {{ to }} with {{ pointsBalance }} points.',
});

function tierChanged(overrides: Partial<TierChanged> = {}): LocalEvent {
  const detail: TierChanged = {
    customerId: 'gina',
    changeId: 'gina#1',
    seq: 1,
    from: 'Silver',
    to: 'Gold',
    direction: 'up',
    reason: 'purchase',
    occurredAt: '2026-03-02T12:00:00.000Z',
    tierSince: '2026-03-02T12:00:00.000Z',
    tierHeldUntil: '2027-03-02T12:00:00.000Z',
    currency: 'USD',
    rollingSpendMilli: 2_150_000,
    pointsBalance: 2150,
    nextTier: 'Platinum',
    spendToNextTierMilli: 2_850_000,
    ...overrides,
  };
  return { source: 'loyalty-flows', detailType: 'Tier Changed', detail };
}

let local: LocalRuntime;
let campaignsDir: string;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'event-campaigns-'));
  campaignsDir = path.join(root, 'campaigns');
  await cp(path.resolve('campaigns'), campaignsDir, { recursive: true });
  local = await startLocal({
    now: '2026-03-02T12:00:00Z',
    ports: 'random',
    env: { CAMPAIGNS_DIR: campaignsDir },
  });
}, 60_000);
afterAll(() => local?.stop());

const cli = (args: string[]) => loyalty(local, args, path.dirname(campaignsDir));

async function writeCampaign(id: string, subject: string): Promise<string> {
  await writeFile(path.join(campaignsDir, `${id}.yaml`), campaignYaml(id, id));
  const folder = path.join(campaignsDir, 'templates', id, 'en-US');
  await mkdir(folder, { recursive: true });
  for (const [name, body] of Object.entries(templates(subject)))
    await writeFile(path.join(folder, name), body);
  return `campaigns/${id}.yaml`;
}

const subjectsTo = async (address: string) =>
  (await local.emails()).filter((email) => email.destination.to[0] === address).map((email) => email.subject);

describe('event-triggered campaigns from a YAML file', () => {
  it('send one email per matching event, nothing on redelivery, nothing when disabled', async () => {
    const welcome = await writeCampaign('gold-welcome', 'Welcome to the club');
    const paused = await writeCampaign('gold-paused', 'Paused campaign');
    const published = await cli(['--json', 'legacy-campaigns', 'publish', welcome, paused]);
    expect(published.code).toBe(0);
    expect((await cli(['legacy-campaigns', 'disable', 'gold-paused'])).code).toBe(0);

    await local.putEvents([
      customerEvent({
        customerId: 'gina',
        email: 'gina@example.com',
        firstName: 'Gina',
        locale: 'en-US',
        timeZone: 'Europe/Berlin',
      }),
    ]);
    await local.drain();

    await local.putEvents([tierChanged()]);
    await local.drain();
    const first = await subjectsTo('gina@example.com');
    expect(first.filter((subject) => subject.startsWith('Welcome to the club'))).toEqual([
      'Welcome to the club, Gina: you reached Gold',
    ]);
    expect(first.filter((subject) => subject.startsWith('Paused campaign'))).toEqual([]);
    // The built-in tier-upgrade email is sent once, by its own function only.
    expect(first).toHaveLength(2);

    // The same change delivered again (a new envelope, same changeId): no second email.
    await local.putEvents([tierChanged()]);
    await local.drain();
    // A downgrade does not match `direction: up`.
    await local.putEvents([
      tierChanged({ changeId: 'gina#2', seq: 2, from: 'Gold', to: 'Silver', direction: 'down' }),
    ]);
    await local.drain();
    // Past any frequency-cap deferral: still only the first email (the send ledger held).
    await local.advanceTo('2026-03-20T12:00:00Z');
    const after = (await subjectsTo('gina@example.com')).filter(
      (subject) => !subject.startsWith('Happy birthday'),
    );
    expect(after).toEqual(first);
    expect(local.deadLetters()).toEqual([]);
  }, 60_000);
});
