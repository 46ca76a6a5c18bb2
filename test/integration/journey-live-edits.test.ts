// Publishing a new version while customers are mid-journey (follow-live): a run keeps only its
// position, each step runs on the version current when it is reached, a run whose step was
// removed exits with `step-removed`, and a request already prepared is sent as prepared.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';

const EDIT = `id: edit
name: Live edits
trigger: { on: event, event: Purchase Completed }
steps:
  - id: pause
    wait: { days: 1 }
  - id: hello
    send: { template: hello }
`;

const QUIET = `id: quiet
name: Prepared before quiet hours end
trigger: { on: event, event: Purchase Completed }
send: { quietHours: { from: "09:00", to: "12:00" } }
steps:
  - id: note
    send: { template: note }
`;

let local: LocalRuntime;
let dir: string;

function template(name: string, subject: string) {
  return writeTemplate(dir, name, { subject, text: 'Hi {{ customer.firstName }}' });
}

async function publish(id: string, yaml: string) {
  await writeFile(path.join(dir, `${id}.yaml`), yaml);
  return publishJourneyFile(local, path.join(dir, `${id}.yaml`));
}

async function buy(customerId: string) {
  const at = local.clock.now().toISOString();
  local.putEvents([
    customerEvent({
      customerId,
      email: `${customerId}@example.com`,
      firstName: 'Ana',
      locale: 'en-US',
      timeZone: 'America/New_York',
      birthday: undefined,
    }),
  ]);
  await local.drain();
  local.putEvents([
    purchaseEvent({ customerId, orderId: `${customerId}-o1`, amount: '30.00', purchasedAt: at }),
  ]);
  await local.drain();
}

const story = (customerId: string, journeyId: string) =>
  new JourneyStateStore(local.doc, local.tableName, new TimerStore(local.doc, local.tableName)).story(
    customerId,
    journeyId,
  );

beforeAll(async () => {
  local = await startLocal({
    now: '2027-05-03T14:00:00Z',
    ports: 'random',
    env: { QUIET_HOURS: '23:00-06:00' },
  });
  dir = await mkdtemp(path.join(tmpdir(), 'journey-edits-'));
  await template('hello', 'Old hello');
  expect(await publish('edit', EDIT)).toMatchObject({ version: 1 });
}, 60_000);
afterAll(() => local?.stop());

describe('a new version published while customers are mid-journey', () => {
  it('runs the next step on the version current when it is reached, and says so in the history', async () => {
    await buy('edit-1');
    await template('hello', 'New hello');
    expect(await publish('edit', EDIT)).toMatchObject({ kind: 'published', version: 2 });
    await local.advanceTo('2027-05-04T14:30:00Z');
    expect(await subjectsTo(local, 'edit-1@example.com')).toEqual(['New hello']);
    const { states, sends } = await story('edit-1', 'edit');
    expect(states[0]?.entryVersion).toBe(1);
    expect(states[0]?.history.map((step) => [step.kind, step.version])).toEqual([
      ['enter', 1],
      ['wait', 1],
      ['wait', 2],
      ['send', 2],
    ]);
    expect(sends).toEqual([expect.objectContaining({ version: 2, outcome: 'sent' })]);
  }, 120_000);

  it('takes a customer whose step was removed out of the journey with step-removed', async () => {
    await buy('edit-2');
    expect((await story('edit-2', 'edit')).states[0]).toMatchObject({
      status: 'active',
      currentStep: 'pause',
      entryVersion: 2,
    });
    expect(await publish('edit', EDIT.replace('id: pause', 'id: pause-2'))).toMatchObject({ version: 3 });
    await local.advanceTo('2027-05-05T16:00:00Z');
    expect(await subjectsTo(local, 'edit-2@example.com')).toEqual([]);
    expect((await story('edit-2', 'edit')).states[0]).toMatchObject({
      status: 'exited',
      exitReason: 'step-removed',
    });
  }, 120_000);

  it('sends a request already prepared (deferred by quiet hours) as prepared, not as re-published', async () => {
    await template('note', 'Prepared note');
    expect(await publish('quiet', QUIET)).toMatchObject({ version: 1 });
    await local.advanceTo('2027-05-06T14:00:00Z'); // 10:00 EDT: inside the journey's quiet hours
    await buy('quiet-1');
    expect((await story('quiet-1', 'quiet')).sends).toEqual([
      expect.objectContaining({
        outcome: 'deferred',
        reason: 'quiet-hours',
        notBefore: '2027-05-06T16:00:00.000Z',
      }),
    ]);
    await template('note', 'Re-published note');
    expect(await publish('quiet', QUIET)).toMatchObject({ version: 2 });
    await local.advanceTo('2027-05-06T16:30:00Z');
    expect(await subjectsTo(local, 'quiet-1@example.com')).toEqual(['Prepared note']);
    expect((await story('quiet-1', 'quiet')).sends).toEqual([
      expect.objectContaining({ outcome: 'sent', version: 1 }),
    ]);
    expect(local.deadLetters()).toEqual([]);
  }, 120_000);
});
