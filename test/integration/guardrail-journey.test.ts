// A guardrail pause seen from a marketer's journey: the engine enqueues the send, the sender
// defers it while the journey is paused, `campaigns explain` shows the deferral and why, and after
// `campaigns resume` the same send goes out — nothing dropped, nothing sent twice.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { JourneyExplanation } from '#shared/domain/journey-explain.ts';
import { journeyScope } from '#shared/domain/send-guardrails.ts';
import { GuardrailStore } from '#shared/store/guardrails.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';

const thankYou = `id: thank-you
name: Thank you
trigger:
  on: event
  event: Purchase Completed
steps:
  - id: thanks
    send: { template: thanks }
`;

let local: LocalRuntime;
const explain = async (customerId: string) =>
  (await loyalty(local, ['--json', 'campaigns', 'explain', 'thank-you', '--customer', customerId])).json<JourneyExplanation>();
const emailsTo = async (address: string) =>
  (await local.emails()).filter((email) => email.destination.to.includes(address)).length;

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random' });
  const repo = await mkdtemp(path.join(tmpdir(), 'guarded-journey-'));
  await writeFile(path.join(repo, 'thank-you.yaml'), thankYou);
  await writeTemplate(repo, 'thanks', { subject: 'Thank you', text: 'Thanks {{ customer.firstName }}', html: '<p>Thanks</p>' });
  await publishJourneyFile(local, path.join(repo, 'thank-you.yaml'));
}, 60_000);
afterAll(() => local?.stop());

describe('a paused journey', () => {
  it('defers its sends (explain says why) and sends them once after resume', async () => {
    // The guardrail has paused the journey (as SES feedback would, see guardrails.test.ts).
    const store = new GuardrailStore(local.doc, local.tableName);
    const paused = await store.pause(journeyScope('thank-you'), await store.state(journeyScope('thank-you')), {
      at: local.clock.now(),
      reasons: ['hard-bounce-rate'],
      why: 'hard bounces 6% > 4% over 200 sends since 2027-03-01T11:00:00.000Z',
      figures: { sends: 200, hardBounces: 12, complaints: 0, hardBounceRate: 0.06, complaintRate: 0, from: '2027-03-01T11:00:00.000Z' },
    });
    expect(paused?.status).toBe('paused');

    local.putEvents([customerEvent({ customerId: 'ty-1', email: 'ty-1@example.com', timeZone: 'Europe/London', locale: 'en-US' })]);
    await local.drain();
    local.putEvents([purchaseEvent({ customerId: 'ty-1', orderId: 'o-ty-1', purchasedAt: local.clock.now().toISOString() })]);
    await local.advanceTo(new Date(local.clock.now().getTime() + 60_000));

    const deferred = await explain('ty-1');
    expect(deferred.sends).toEqual([
      expect.objectContaining({ stepId: 'thanks', outcome: 'deferred', reason: 'journey-paused', notBefore: expect.any(String) }),
    ]);
    expect(await emailsTo('ty-1@example.com')).toBe(0);
    await local.advanceTo(new Date(local.clock.now().getTime() + 60 * 60_000));
    expect(await emailsTo('ty-1@example.com')).toBe(0); // still held, still deferred

    const resumed = await loyalty(local, ['campaigns', 'resume', 'thank-you', '--note', 'list fixed']);
    expect(resumed.code).toBe(0);
    await local.advanceTo(new Date(local.clock.now().getTime() + 16 * 60_000));
    expect(await emailsTo('ty-1@example.com')).toBe(1);
    expect((await explain('ty-1')).sends).toEqual([expect.objectContaining({ stepId: 'thanks', outcome: 'sent' })]);
  });
});
