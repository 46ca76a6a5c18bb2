// The marketer's journey tools against the local runtime, with journeys kept in their own folder
// (not the repository's campaigns/): validate and publish from anywhere, a published template
// change reaching a real send and rollback restoring the old text, and audience for date and
// event triggers (explain and customers show: journey-explain.test.ts).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';
import { writeTemplate } from '../support/journey-files.ts';

let local: LocalRuntime;
/** The marketer's own repository: journey files with templates/ beside them. */
let repo: string;
/** Where the CLI runs: somewhere else entirely. */
let elsewhere: string;

function template(name: string, subject: string, text = 'Hi {{ customer.firstName }}'): Promise<void> {
  return writeTemplate(repo, name, { subject, text });
}

const welcome = `id: welcome-note
name: Welcome note
trigger:
  on: event
  event: Customer Upserted
steps:
  - id: hello
    send: { template: welcome-note }
`;

const birthday = `id: birthday-note
name: Birthday note
trigger:
  on: birthday
  where: { locales: [en] }
steps:
  - id: greet
    send: { template: birthday-note }
`;

const run = (args: string[]) => loyalty(local, args, elsewhere);
const file = (name: string) => path.join(repo, name);
const subjectsTo = async (address: string) =>
  (await local.emails())
    .filter((email) => email.destination.to.includes(address))
    .map((email) => email.subject);

beforeAll(async () => {
  local = await startLocal({ now: '2027-03-01T12:00:00Z', ports: 'random' });
  repo = await mkdtemp(path.join(tmpdir(), 'my-journeys-'));
  elsewhere = await mkdtemp(path.join(tmpdir(), 'cwd-'));
  await writeFile(file('welcome-note.yaml'), welcome);
  await writeFile(file('birthday-note.yaml'), birthday);
  await template('welcome-note', 'Welcome v1, {{ customer.firstName }}');
  await template('birthday-note', 'Happy birthday {{ customer.firstName }}');
}, 60_000);
afterAll(() => local?.stop());

describe('validate and publish from any folder', () => {
  it('validates files whose templates sit beside them, from another working directory', async () => {
    const result = await run([
      '--json',
      'campaigns',
      'validate',
      file('welcome-note.yaml'),
      file('birthday-note.yaml'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.json<{ valid: { id: string }[] }>().valid.map((v) => v.id)).toEqual([
      'welcome-note',
      'birthday-note',
    ]);
  });

  it('refuses a journey that would never work, naming file:line: field, and publishes nothing', async () => {
    await writeFile(
      file('broken.yaml'),
      `id: broken\nname: Broken\ntrigger:\n  on: event\n  event: Purchase Completed\n  where: { tiers: [Golld] }\nsteps:\n  - id: hello\n    send: { template: missing-one }\n    goto: nowhere\n`,
    );
    const result = await run(['campaigns', 'publish', file('broken.yaml')]);
    expect(result.code).toBe(1);
    const shown = path.relative(elsewhere, file('broken.yaml'));
    expect(result.stderr).toContain(
      `${shown}:6: trigger.where.tiers.0: unknown tier "Golld"; did you mean "Gold"?`,
    );
    expect(result.stderr).toContain(`${shown}:10: steps.0.goto: goes to no step "nowhere"`);
    expect(result.stderr).toContain('template missing-one has no en-US/subject.liquid');
    expect((await run(['campaigns', 'list', 'broken'])).code).toBe(3);
  });
});

describe('versions are whole: templates travel with the journey', () => {
  it('sends the published text, a republished text after a change, and the old text again after rollback', async () => {
    expect((await run(['campaigns', 'publish', file('welcome-note.yaml'), '--note', 'first'])).code).toBe(0);
    local.putEvents([
      customerEvent({
        customerId: 'w-1',
        email: 'w1@example.com',
        firstName: 'Ann',
        timeZone: 'Europe/London',
        locale: 'en-US',
      }),
    ]);
    await local.drain();
    expect(await subjectsTo('w1@example.com')).toEqual(['Welcome v1, Ann']);

    await template('welcome-note', 'Welcome v2, {{ customer.firstName }}');
    expect(
      (await run(['campaigns', 'publish', file('welcome-note.yaml'), '--note', 'new subject'])).stdout,
    ).toContain('published welcome-note v2');
    // The running system reads the catalogue through a 30-second cache.
    await local.advanceTo(new Date(local.clock.now().getTime() + 60_000));
    local.putEvents([
      customerEvent({
        customerId: 'w-2',
        email: 'w2@example.com',
        firstName: 'Bo',
        timeZone: 'Europe/London',
        locale: 'en-US',
      }),
    ]);
    await local.drain();
    expect(await subjectsTo('w2@example.com')).toEqual(['Welcome v2, Bo']);

    const rollback = await run(['campaigns', 'rollback', 'welcome-note']);
    expect(rollback.stdout).toContain('rolled welcome-note back to the content of v1: now v3');
    await local.advanceTo(new Date(local.clock.now().getTime() + 60_000));
    local.putEvents([
      customerEvent({
        customerId: 'w-3',
        email: 'w3@example.com',
        firstName: 'Cy',
        timeZone: 'Europe/London',
        locale: 'en-US',
      }),
    ]);
    await local.drain();
    expect(await subjectsTo('w3@example.com')).toEqual(['Welcome v1, Cy']);

    const versions = await run(['--json', 'campaigns', 'list', 'welcome-note']);
    expect(versions.json<{ version: number; note: string }[]>().map((v) => [v.version, v.note])).toEqual([
      [1, 'first'],
      [2, 'new subject'],
      [3, 'rollback to v1'],
    ]);
    const diff = await run(['campaigns', 'diff', 'welcome-note', '--from', '1', '--to', '2']);
    expect(diff.stdout).toContain('~ template welcome-note/en-US/subject');
  });
});

describe('audience without a scan', () => {
  it('counts the date-trigger entries due on a day from the due index, with where and holdout applied', async () => {
    expect((await run(['campaigns', 'publish', file('birthday-note.yaml')])).code).toBe(0);
    await local.advanceTo(new Date(local.clock.now().getTime() + 60_000));
    local.putEvents([
      customerEvent({
        customerId: 'b-1',
        email: 'b1@example.com',
        birthday: '1990-03-20',
        locale: 'en-US',
        timeZone: 'Europe/London',
      }),
      customerEvent({
        customerId: 'b-2',
        email: 'b2@example.com',
        birthday: '1985-03-20',
        locale: 'en-GB',
        timeZone: 'Europe/London',
      }),
      customerEvent({
        customerId: 'b-3',
        email: 'b3@example.com',
        birthday: '1985-03-20',
        locale: 'zh-CN',
        timeZone: 'Europe/London',
      }),
      customerEvent({
        customerId: 'b-4',
        email: 'b4@example.com',
        birthday: '1985-03-21',
        locale: 'en-US',
        timeZone: 'Europe/London',
      }),
    ]);
    await local.drain();
    const audience = await run(['--json', 'campaigns', 'audience', 'birthday-note', '--on', '2027-03-20']);
    expect(audience.stderr).toBe('');
    expect(audience.json()).toMatchObject({ due: 3, inAudience: 2, heldOut: 0, toSend: 2, estimate: true });
    expect(audience.json<{ notInAudience: Record<string, number> }>().notInAudience).toEqual({
      'locale zh-CN not in en': 1,
    });
    expect(
      (await run(['--json', 'campaigns', 'audience', 'birthday-note', '--on', '2027-03-21'])).json(),
    ).toMatchObject({
      due: 1,
    });
    const explained = await run(['campaigns', 'explain', 'birthday-note', '--customer', 'b-4']);
    expect(explained.stdout).toMatch(/has never entered; the trigger is next due 2027-03-21T09:00:00\.000Z/);
  });

  it('estimates an event-trigger audience from the weekly population counts, and says so', async () => {
    local.putEvents(
      ['w-1', 'w-2', 'w-3'].map((customerId) =>
        purchaseEvent({
          customerId,
          orderId: `o-${customerId}`,
          purchasedAt: local.clock.now().toISOString(),
        }),
      ),
    );
    await local.drain();
    await local.runScheduled('segment-thresholds');
    await writeFile(
      file('bronze-thanks.yaml'),
      `id: bronze-thanks\nname: Bronze thanks\ntrigger:\n  on: event\n  event: Purchase Completed\n  where: { tiers: [Bronze], minSpend: "10" }\nsteps:\n  - id: thanks\n    send: { template: welcome-note }\n`,
    );
    const result = await run([
      '--json',
      'campaigns',
      'audience',
      'bronze-thanks',
      '--file',
      file('bronze-thanks.yaml'),
    ]);
    expect(result.stderr).toBe('');
    const estimate = result.json<{ estimate: boolean; count: number; notCounted: string[] }>();
    expect(estimate.estimate).toBe(true);
    // 3 of the 7 customers bought (Bronze); the others have no tier yet.
    expect(estimate.count).toBe(3);
    expect(estimate.notCounted).toEqual(['minSpend']);
    expect(
      (await run(['campaigns', 'audience', 'bronze-thanks', '--file', file('bronze-thanks.yaml')])).stdout,
    ).toContain('an estimate from the weekly population counts');
  });
});
