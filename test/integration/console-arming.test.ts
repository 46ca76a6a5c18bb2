// A date-trigger journey published from the console onto customers who are already stored: the
// console API announces Journey Arming Requested, and the journey-arming function arms the stored
// customers a Scan page per event (here 3 table items a page, so each segment is a chain of
// continuation events) — the console request itself never scans. A request delivered twice, a crash
// after a continuation went out and a crash half-way through a page arm nobody twice and greet
// everyone once.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, type Runtime } from '#functions/commons/runtime.ts';
import { localDynamoClient } from '#infra/local/engines.ts';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { JOURNEY_ARMING_REQUESTED } from '#shared/events/emitted.ts';
import { EMITTED_SOURCE } from '#shared/events/publisher.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { DynamoMeter } from '../../bench/meter.ts';
import { aroundPutEvents } from '../support/faults.ts';
import { customerEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import { localConsoleApi } from '../support/console.ts';

const ids = Array.from({ length: 12 }, (_, i) => `stored-${String(i + 1).padStart(2, '0')}`);
const user = { id: 'sub-1', email: 'ana@shop.example' };

let local: LocalRuntime;
let api: ReturnType<typeof localConsoleApi>;
const meter = new DynamoMeter();
const crashes = { afterContinuation: 0, midPage: 0 };

/** Fails the function once after its 3rd timer write reached the table: a crash half-way through a page. */
function crashMidPage(runtime: Runtime, endpoint: string): Runtime {
  const client: DynamoDBClient = localDynamoClient(endpoint);
  let timerWrites = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { Item?: { SK?: { S?: string } } };
      if (context.commandName === 'PutItemCommand' && input.Item?.SK?.S?.endsWith('#TRIGGER') && ++timerWrites === 3) {
        crashes.midPage++;
        throw new Error('injected crash after a timer write');
      }
      return result;
    },
    { step: 'finalizeRequest', name: 'crashMidPage' },
  );
  return { ...runtime, dynamodb: client, doc: documentClient(client) };
}

/** Fails the function once right after the bus took its first continuation (page 1 of a segment). */
function crashAfterContinuation(runtime: Runtime): Runtime {
  return aroundPutEvents(runtime, async (command, put) => {
    const output = await put();
    const continuation = command.input.Entries?.some((entry) => entry.Detail?.includes('"number":1'));
    if (continuation && crashes.afterContinuation === 0) {
      crashes.afterContinuation++;
      throw new Error('injected crash after PutEvents');
    }
    return output;
  });
}

beforeAll(async () => {
  local = await startLocal({
    now: '2027-03-01T00:00:00Z',
    ports: 'random',
    shippedJourneys: false,
    env: { ARMING_PAGE_ITEMS: '3' },
    wrapRuntime: (name, runtime, endpoints) =>
      name === 'journey-arming' ? crashAfterContinuation(crashMidPage(runtime, endpoints.dynamo)) : runtime,
  });
  // The customers arrive before any journey, as in an upgrade or an import before publishing.
  local.putEvents(
    ids.map((customerId) =>
      customerEvent({ customerId, email: `${customerId}@example.com`, firstName: 'Ada', locale: 'en-US', timeZone: 'UTC', birthday: '1990-03-14' }),
    ),
  );
  await local.drain();
  const runtime = meter.meter(local.runtimeFor('console-api'), local.endpoints.dynamo);
  api = localConsoleApi(local, runtime);
}, 60_000);
afterAll(() => local?.stop());

const greeted = () => Promise.all(ids.map(async (id) => (await subjectsTo(local, `${id}@example.com`)).length));

describe('a date-trigger journey published from the console', () => {
  it('asks for arming without scanning, and the stored customers are armed a page per event, each once', async () => {
    const { source, templates } = await loadJourneyFiles('campaigns/birthday.yaml');
    meter.reset();
    const published = await api({ op: 'draft.publish', source, templates, note: 'first birthday journey', expectedVersion: 0 }, user);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ kind: 'published', version: 1, journeyId: 'birthday', arming: { requested: true, version: 1 } });
    expect(meter.byCommand.get('ScanCommand') ?? 0).toBe(0);
    await local.drain();
    // The request delivered again (at least once): it changes nothing.
    local.putEvents([
      {
        source: EMITTED_SOURCE,
        detailType: JOURNEY_ARMING_REQUESTED,
        detail: { journeyId: 'birthday', version: 1, requestedAt: '2027-03-01T00:00:00.000Z', requestedBy: user.email },
      },
    ]);
    await local.drain();
    expect(crashes).toEqual({ afterContinuation: 1, midPage: 1 });
    expect(local.deadLetters()).toEqual([]);
    const view = (await api({ op: 'journey.get', journeyId: 'birthday' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 1, requestedBy: user.email, segments: 4, segmentsDone: 4, done: true, customers: ids.length });
    // Pages of 3 items: the segments went on by continuation events, not one page each.
    const pages = Object.values(view.arming.pagesDone as Record<string, number>);
    expect(pages.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(2 * pages.length);
    // Every timer written once (an arm that finds its timer as it would write it writes nothing).
    const timers = new TimerStore(local.doc, local.tableName);
    const armed = await Promise.all(ids.map((id) => timers.get(id, { kind: 'journey-trigger', journeyId: 'birthday' })));
    expect(armed.map((timer) => [timer?.dueAt, timer?.version])).toEqual(ids.map(() => ['2027-03-14T09:00:00.000Z', 1]));
  }, 60_000);

  it('greets every stored customer once on their birthday, but those its holdout draws', async () => {
    await local.advanceTo('2027-03-14T09:10:00Z');
    const heldOut = heldOutOfShipped('birthday', 'birthday#2027', ids);
    expect(await greeted()).toEqual(ids.map((id) => (heldOut.includes(id) ? 0 : 1)));
  }, 60_000);

  it('arms nothing when a change leaves the date trigger as it was, and arms again when re-enabled', async () => {
    const { source, templates } = await loadJourneyFiles('campaigns/birthday.yaml');
    const english = templates.birthday?.['en-US'];
    if (!english) throw new Error('the shipped birthday journey has no en-US template');
    const reworded = { ...templates, birthday: { ...templates.birthday, 'en-US': { ...english, subject: `${english.subject} 🎂` } } };
    const again = await api({ op: 'draft.publish', source, templates: reworded, note: 'new subject', expectedVersion: 1 }, user);
    expect(again.body).toMatchObject({ kind: 'published', version: 2 });
    expect((again.body as { arming?: unknown }).arming).toBeUndefined();
    const disabled = await api({ op: 'journey.enable', journeyId: 'birthday', enabled: false, note: 'pause for a week' }, user);
    expect((disabled.body as { arming?: unknown }).arming).toBeUndefined();
    const enabled = await api({ op: 'journey.enable', journeyId: 'birthday', enabled: true, note: 'back on' }, user);
    expect(enabled.body).toMatchObject({ kind: 'published', version: 4, arming: { requested: true, version: 4 } });
    await local.drain();
    const view = (await api({ op: 'journey.get', journeyId: 'birthday' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 4, done: true, customers: ids.length });
  }, 60_000);

  it('asks again when the operator retries a publish whose announcement failed, until the version has an arming', async () => {
    const { source, templates } = await loadJourneyFiles('campaigns/birthday.yaml');
    const draft = { source: source.replace('id: birthday', 'id: birthday-vip'), templates };
    const busDown = localConsoleApi(
      local,
      aroundPutEvents(local.runtimeFor('console-api'), () => Promise.reject(new Error('injected: the bus refused PutEvents'))),
    );
    // The version is stored, then the announcement fails: the request errs (500 from the handler).
    await expect(busDown({ op: 'draft.publish', ...draft, note: 'vip birthdays', expectedVersion: 0 }, user)).rejects.toThrow(/injected/);
    const retried = await api({ op: 'draft.publish', ...draft, note: 'vip birthdays', expectedVersion: 1 }, user);
    expect(retried.body).toMatchObject({ kind: 'unchanged', version: 1, arming: { requested: true, version: 1 } });
    await local.drain();
    const view = (await api({ op: 'journey.get', journeyId: 'birthday-vip' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 1, done: true, customers: ids.length });
    // Once armed, a further unchanged publish asks nothing.
    const again = await api({ op: 'draft.publish', ...draft, note: 'vip birthdays', expectedVersion: 1 }, user);
    expect(again.body).toEqual({ kind: 'unchanged', version: 1, journeyId: 'birthday-vip' });
  }, 60_000);
});
