// `campaigns explain`, `customers show` and the report's A/B rows against the local runtime: a
// journey written only as files (wait, branch, split, send) runs under advanceTo, and the CLI
// tells each customer's story from one Query on their partition.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { JourneyExplanation } from '#shared/domain/journey-explain.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';

let local: LocalRuntime;
/** The marketer's own repository: journey files with templates/ beside them. */
let repo: string;
/** Where the CLI runs: somewhere else entirely. */
let elsewhere: string;

function template(name: string, subject: string, text = 'Hi {{ customer.firstName }}'): Promise<void> {
  return writeTemplate(repo, name, { subject, text });
}

const goldNudge = `id: gold-nudge
name: Gold nudge
trigger:
  on: event
  event: Purchase Completed
holdoutPercent: 20
steps:
  - id: wait-3d
    wait: { days: 3 }
  - id: check
    branch:
      - if: { purchasedSinceEntry: true }
        goto: end
      - if: { minOrders: 1 }
        goto: subject-test
      - goto: end
  - id: subject-test
    split:
      - { percent: 50, goto: nudge-a }
      - { percent: 50, goto: nudge-b }
  - id: nudge-a
    send: { template: nudge-a }
    goto: end
  - id: nudge-b
    send: { template: nudge-b }
`;

const run = (args: string[]) => loyalty(local, args, elsewhere);
const file = (name: string) => path.join(repo, name);

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random' });
  repo = await mkdtemp(path.join(tmpdir(), 'my-journeys-'));
  elsewhere = await mkdtemp(path.join(tmpdir(), 'cwd-'));
  await writeFile(file('gold-nudge.yaml'), goldNudge);
  await template('nudge-a', 'Nudge A');
  await template('nudge-b', 'Nudge B');
  await publishJourneyFile(local, file('gold-nudge.yaml'));
}, 60_000);
afterAll(() => local?.stop());

describe('explain and customers show', () => {
  it('tells where a customer is, every step with its version, the branch and variant, and each send', async () => {
    const customers = Array.from({ length: 12 }, (_, i) => `g-${i}`);
    local.putEvents(
      customers.map((customerId) =>
        customerEvent({
          customerId,
          email: `${customerId}@example.com`,
          timeZone: 'Europe/London',
          locale: 'en-US',
        }),
      ),
    );
    await local.drain();
    local.putEvents(
      customers.map((customerId) =>
        purchaseEvent({
          customerId,
          orderId: `o-${customerId}`,
          purchasedAt: local.clock.now().toISOString(),
        }),
      ),
    );
    await local.drain();

    const waiting = await run(['--json', 'campaigns', 'explain', 'gold-nudge', '--customer', 'g-0']);
    expect(waiting.code).toBe(0);
    const before = waiting.json<JourneyExplanation>();
    if (before.run?.exitReason === 'held-out') expect(before.status).toBe('exited');
    else expect(before.summary).toMatch(/^waiting at wait-3d until /);

    await local.advanceTo(new Date(local.clock.now().getTime() + 4 * 86_400_000));
    const stories = await Promise.all(
      customers.map(async (customerId) =>
        (
          await run(['--json', 'campaigns', 'explain', 'gold-nudge', '--customer', customerId])
        ).json<JourneyExplanation>(),
      ),
    );
    const sent = stories.filter((story) => story.sends.some((send) => send.outcome === 'sent'));
    expect(sent.length).toBeGreaterThan(0);
    for (const story of sent) {
      expect(story.status).toBe('exited');
      expect(story.summary).toMatch(/^finished the journey at /);
      expect(story.steps.map((step) => step.kind).slice(0, 6)).toEqual([
        'enter',
        'wait',
        'wait',
        'branch',
        'split',
        'send',
      ]);
      expect(story.steps.every((step) => step.version === 1)).toBe(true);
      expect(story.steps.find((step) => step.kind === 'branch')?.detail).toMatch(/orders ≥ 1/);
      expect(story.sends[0]?.variant).toBe(story.run?.variant);
    }
    const text = await run(['campaigns', 'explain', 'gold-nudge', '--customer', sent[0]?.customerId ?? '']);
    expect(text.stdout).toContain('Sends');
    expect(text.stdout).toMatch(/nudge-[ab]\s+nudge-[ab] \[nudge-[ab]\]: sent/);

    const unknown = await run(['campaigns', 'explain', 'gold-nudge', '--customer', 'nobody']);
    expect(unknown.code).toBe(3);
  });

  it('shows a customer: profile, loyalty standing, segments and journeys', async () => {
    const shown = await run(['--json', 'customers', 'show', 'g-1']);
    expect(shown.code).toBe(0);
    const card = shown.json<{
      profile: { email: string };
      loyalty: { tier: string; points: number } | null;
      purchases: { orders: number };
      journeys: { journeyId: string }[];
    }>();
    expect(card.profile.email).toBe('g-1@example.com');
    expect(card.loyalty?.tier).toBe('Bronze');
    expect(card.purchases.orders).toBe(1);
    expect(card.journeys.map((j) => j.journeyId)).toContain('gold-nudge');
    expect((await run(['customers', 'show', 'g-1'])).stdout).toMatch(/Journeys\n\s+gold-nudge/);
    expect((await run(['customers', 'show', 'nobody'])).code).toBe(3);
  });

  it('reports sent, held out and converted per split variant', async () => {
    const report = await run(['--json', 'report', '--from', '2027-03-01', '--to', '2027-04-01']);
    expect(report.code).toBe(0);
    const nudge = report
      .json<{
        campaigns: {
          campaignId: string;
          holdout: number;
          variants: { variant: string; sent: number; heldOut: number }[];
        }[];
      }>()
      .campaigns.find((c) => c.campaignId === 'gold-nudge');
    const variants = nudge?.variants ?? [];
    expect(variants.map((v) => v.variant).every((v) => v === 'nudge-a' || v === 'nudge-b')).toBe(true);
    expect(variants.reduce((sum, v) => sum + v.sent, 0)).toBeGreaterThan(0);
    for (const v of variants) expect(v.heldOut).toBe(nudge?.holdout);
  });
});
