// A journey written only as files (YAML + Liquid in a temp dir, no TypeScript) with wait, branch,
// split, send and exitOn runs end to end in the local runtime under advanceTo: purchases arrive on
// the bus, ingest-orders records them and emits Purchase Recorded, the journeys function enters
// and exits runs, the ONE scheduler wakes the waits, the sender renders from the stored version.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEvent, type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { JourneyStateStore } from '#shared/store/journey-states.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { purchaseEvent, refundEvent, samEvent } from '../support/fixtures.ts';
import { subjectsTo, textsTo } from '../support/timer-campaigns.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';

const NUDGE = `id: nudge
name: Nudge three days after a purchase
trigger: { on: event, event: Purchase Completed }
exitOn: [Order Refunded]
send: { hour: 10, defaultTimeZone: America/New_York }
steps:
  - id: wait-3d
    wait: { days: 3 }
  - id: bought-again
    branch:
      - if: { purchasedSinceEntry: true }
        goto: thanks
      - goto: subject-test
  - id: subject-test
    split:
      - { percent: 50, goto: nudge-a }
      - { percent: 50, goto: nudge-b }
  - id: nudge-a
    send: { template: nudge-a }
    goto: end
  - id: nudge-b
    send: { template: nudge-b }
    goto: end
  - id: thanks
    send: { template: thanks }
`;

// A second journey on the same trigger: every purchase gets its receipt.
const RECEIPT = `id: receipt
name: Receipt
trigger: { on: event, event: Purchase Completed }
reentry: always
steps:
  - id: receipt
    send: { template: receipt }
`;

const TEMPLATES: Record<string, [string, string]> = {
  'nudge-a': [
    'A: still thinking, {{ customer.firstName }}?',
    'Variant {{ variant }} after order {{ event.orderId }} ({{ step }})',
  ],
  'nudge-b': [
    'B: a little something, {{ customer.firstName }}',
    'Variant {{ variant }} after order {{ event.orderId }} ({{ step }})',
  ],
  thanks: ['Thanks for coming back, {{ customer.firstName }}', 'Orders so far: {{ orderCount }}'],
  receipt: ['Receipt for {{ event.orderId }}', 'Paid {{ event.amount }} {{ event.currency }}'],
};

let local: LocalRuntime;
let dir: string;
const bus: LocalEvent[] = [];
const crashes = { before: 0, after: 0 };

interface PutLike {
  input: { Item?: { type?: string; customerId?: string; history?: { kind: string }[] } };
}

/** The scheduler's table client, crashing once around the state write that follows a send step. */
function crashingDoc(doc: LocalRuntime['doc']): LocalRuntime['doc'] {
  return new Proxy(doc, {
    get: (target, key) =>
      key === 'send'
        ? async (command: PutLike) => {
            const item = command.input.Item;
            const afterSend = item?.type === 'journey-state' && item.history?.at(-1)?.kind === 'send';
            if (afterSend && item.customerId === 'crash-before' && crashes.before === 0) {
              crashes.before++;
              throw new Error('injected crash before the state write');
            }
            const result = await target.send(command as never);
            if (afterSend && item.customerId === 'crash-after' && crashes.after === 0) {
              crashes.after++;
              throw new Error('injected crash after the state write');
            }
            return result;
          }
        : Reflect.get(target, key),
  });
}

async function writeJourney(id: string, yaml: string) {
  await writeFile(path.join(dir, `${id}.yaml`), yaml);
}

function template(name: string, subject: string, text: string) {
  return writeTemplate(dir, name, { subject, text });
}

async function publish(id: string) {
  return publishJourneyFile(local, path.join(dir, `${id}.yaml`));
}

function put(events: LocalEvent[]) {
  local.putEvents(events);
}

const customer = (customerId: string) => samEvent(customerId);
const story = (customerId: string, journeyId: string) =>
  new JourneyStateStore(local.doc, local.tableName, new TimerStore(local.doc, local.tableName)).story(
    customerId,
    journeyId,
  );

beforeAll(async () => {
  local = await startLocal({
    now: '2027-03-01T15:00:00Z',
    ports: 'random',
    wrapRuntime: (name, runtime) =>
      name === 'scheduler' ? { ...runtime, doc: crashingDoc(runtime.doc) } : runtime,
  });
  // Every event on the bus (ours and the ones the functions emit), to redeliver them all later.
  const putEvents = local.putEvents.bind(local);
  local.putEvents = (entries) => {
    bus.push(...entries);
    return putEvents(entries);
  };
  dir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
  await writeJourney('nudge', NUDGE);
  await writeJourney('receipt', RECEIPT);
  for (const [name, [subject, text]] of Object.entries(TEMPLATES)) await template(name, subject, text);
  await publish('nudge');
  await publish('receipt');
}, 60_000);
afterAll(() => local?.stop());

const SPLIT = ['ab-1', 'ab-2', 'ab-3', 'ab-4', 'ab-5', 'ab-6', 'ab-7', 'ab-8'];

describe('a journey written as files', () => {
  it('waits three local days, branches on a purchase since entry, splits, sends, and exits on a refund', async () => {
    const everyone = [...SPLIT, 'again-1', 'refund-1', 'crash-before', 'crash-after'];
    put(everyone.map(customer));
    await local.drain();
    put(
      everyone.map((id) =>
        purchaseEvent({
          customerId: id,
          orderId: `${id}-o1`,
          amount: '40.00',
          purchasedAt: '2027-03-01T15:00:00Z',
        }),
      ),
    );
    await local.drain();
    // Both journeys on the same trigger ran: a receipt now, the nudge is waiting.
    for (const id of everyone)
      expect(await subjectsTo(local, `${id}@example.com`)).toEqual([`Receipt for ${id}-o1`]);

    await local.advanceTo('2027-03-02T15:00:00Z');
    put([
      purchaseEvent({
        customerId: 'again-1',
        orderId: 'again-1-o2',
        amount: '25.00',
        purchasedAt: '2027-03-02T15:00:00Z',
      }),
    ]);
    put([
      refundEvent({
        customerId: 'refund-1',
        orderId: 'refund-1-o1',
        amount: '40.00',
        refundedAt: '2027-03-02T15:00:00Z',
      }),
    ]);
    await local.drain();

    await local.advanceTo('2027-03-04T14:55:00Z'); // 09:55 EST on day 3: still waiting
    expect((await subjectsTo(local, 'ab-1@example.com')).length).toBe(1);
    await local.advanceTo('2027-03-04T17:00:00Z'); // past 10:00 EST + the crashed runs' retry
    const variants = new Set<string>();
    for (const id of SPLIT) {
      const subjects = await subjectsTo(local, `${id}@example.com`);
      const { states } = await story(id, 'nudge');
      const variant = states[0]?.variant;
      expect(variant === 'nudge-a' || variant === 'nudge-b').toBe(true);
      variants.add(String(variant));
      expect(subjects).toEqual([
        `Receipt for ${id}-o1`,
        variant === 'nudge-a' ? 'A: still thinking, Sam?' : 'B: a little something, Sam',
      ]);
      expect((await textsTo(local, `${id}@example.com`))[1]).toContain(
        `Variant ${variant} after order ${id}-o1 (${variant})`,
      );
      expect(states[0]).toMatchObject({ status: 'exited', exitReason: 'completed' });
    }
    expect(variants).toEqual(new Set(['nudge-a', 'nudge-b']));

    // Two receipts filled the frequency cap (2 per 7 days): the thank-you is deferred, visibly.
    expect(await subjectsTo(local, 'again-1@example.com')).toEqual([
      'Receipt for again-1-o1',
      'Receipt for again-1-o2',
    ]);
    const again = await story('again-1', 'nudge');
    expect(again.states[0]?.history.find((step) => step.kind === 'branch')).toMatchObject({
      outcome: 'case 1',
      detail: expect.stringContaining('purchased since entry'),
    });
    expect(again.sends).toEqual([
      expect.objectContaining({
        stepId: 'thanks',
        outcome: 'deferred',
        reason: 'frequency-cap',
        notBefore: expect.any(String),
      }),
    ]);

    expect(await subjectsTo(local, 'refund-1@example.com')).toEqual(['Receipt for refund-1-o1']);
    expect((await story('refund-1', 'nudge')).states[0]).toMatchObject({
      status: 'exited',
      exitReason: 'exit-event',
    });
    expect(local.deadLetters()).toEqual([]);
  }, 180_000);

  it('sends a deferred email once the cap frees, and records it as sent', async () => {
    await local.advanceTo('2027-03-08T17:00:00Z');
    expect(await subjectsTo(local, 'again-1@example.com')).toEqual([
      'Receipt for again-1-o1',
      'Receipt for again-1-o2',
      'Thanks for coming back, Sam',
    ]);
    expect((await textsTo(local, 'again-1@example.com'))[2]).toContain('Orders so far: 2');
    expect((await story('again-1', 'nudge')).sends).toEqual([
      expect.objectContaining({ stepId: 'thanks', outcome: 'sent' }),
    ]);
  }, 120_000);

  it('neither duplicates nor loses a send when the scheduler crashes around the step write', async () => {
    expect(crashes).toEqual({ before: 1, after: 1 });
    for (const id of ['crash-before', 'crash-after']) {
      const subjects = await subjectsTo(local, `${id}@example.com`);
      expect(subjects).toHaveLength(2);
      expect(subjects[1]).toMatch(/^(A: still thinking|B: a little something), Sam/);
      const { states, sends } = await story(id, 'nudge');
      expect(states[0]).toMatchObject({ status: 'exited', exitReason: 'completed' });
      expect(sends.map((send) => send.outcome)).toEqual(['sent']);
    }
  });

  it('records every send outcome on the customer story, with the version each step ran on', async () => {
    const { states, sends } = await story('ab-1', 'nudge');
    expect(sends).toEqual([
      expect.objectContaining({ outcome: 'sent', version: 1, stepId: states[0]?.variant }),
    ]);
    expect(states[0]?.history.map((step) => [step.kind, step.stepId, step.version])).toEqual([
      ['enter', 'wait-3d', 1],
      ['wait', 'wait-3d', 1],
      ['wait', 'wait-3d', 1],
      ['branch', 'bought-again', 1],
      ['split', 'subject-test', 1],
      ['send', states[0]?.variant, 1],
    ]);
  });

  it('sends nothing more when every event of the test is delivered again', async () => {
    const before = (await local.emails()).length;
    const replay = [...bus];
    put(replay);
    await local.drain();
    await local.advanceTo('2027-03-16T17:00:00Z');
    expect((await local.emails()).length).toBe(before);
    expect(local.deadLetters()).toEqual([]);
  }, 120_000);
});
