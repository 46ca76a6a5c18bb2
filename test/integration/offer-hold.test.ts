// Birthday anti-gaming as an engine feature: a customer whose birthday changed within the
// program's offerHold window still gets the birthday email, without its coupon, and explain says
// why; a customer whose birthday stood still gets the coupon.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { customerEvent } from '../support/fixtures.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';

let local: LocalRuntime;

const birthday = `id: birthday-gift
name: Birthday gift
trigger: { on: birthday }
reentry: always
steps:
  - id: greet
    send:
      template: birthday-gift
      offer: { kind: amount-off, codePrefix: BDAY, valueByTier: { Bronze: "10" } }
`;

const upsert = (customerId: string, born: string, at: string) =>
  customerEvent(
    { customerId, email: `${customerId}@example.com`, locale: 'en-US', timeZone: 'UTC', birthday: born },
    new Date(at),
  );

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random' });
  const repo = await mkdtemp(path.join(tmpdir(), 'offer-hold-'));
  await writeFile(path.join(repo, 'birthday-gift.yaml'), birthday);
  await writeTemplate(repo, 'birthday-gift', {
    subject: 'Happy birthday',
    text: 'Happy birthday!{% if coupon %} Your gift: {{ coupon.code }}{% endif %}',
  });
  await publishJourneyFile(local, path.join(repo, 'birthday-gift.yaml'));
  local.putEvents([upsert('ann', '1990-03-20', '2027-03-01T12:00:00Z'), upsert('ben', '1990-03-12', '2027-03-01T12:00:00Z')]);
  await local.drain();
  // Four days later ann moves her birthday to next week.
  await local.advanceTo('2027-03-05T12:00:00Z');
  local.putEvents([upsert('ann', '1990-03-08', '2027-03-05T12:00:00Z')]);
  await local.drain();
  await local.advanceTo('2027-03-21T12:00:00Z');
}, 300_000);
afterAll(() => local?.stop());

describe('offer hold after a birthday change', () => {
  it('greets the customer who moved her birthday without the coupon, and the other with it', async () => {
    const emails = (await local.emails()).filter((email) => email.subject === 'Happy birthday');
    const textOf = (who: string) =>
      emails.filter((email) => email.destination.to[0] === `${who}@example.com`).map((email) => email.body.text ?? '');
    expect(textOf('ann')).toHaveLength(1);
    expect(textOf('ann')[0]).not.toMatch(/BDAY/);
    expect(textOf('ben')).toHaveLength(1);
    expect(textOf('ben')[0]).toMatch(/Your gift: BDAY27-/);
  });

  it('explains the withheld offer on the journey story', async () => {
    const states = new JourneyStateStore(local.doc, local.tableName, new TimerStore(local.doc, local.tableName));
    const { states: [ann] } = await states.story('ann', 'birthday-gift');
    const send = ann?.history.find((step) => step.kind === 'send');
    expect(send?.detail).toMatch(/offer withheld: the birthday date changed on 2027-03-05, within 30 days \(program offerHold\)$/);
    const { states: [ben] } = await states.story('ben', 'birthday-gift');
    expect(ben?.history.find((step) => step.kind === 'send')?.detail).not.toMatch(/withheld/);
  });
});
