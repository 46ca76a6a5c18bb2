// A date-trigger journey published from the console onto customers who are already stored: the
// console API announces Journey Arming Requested, and the journey-arming function arms the stored
// customers a Scan page per event (here 3 table items a page, so each segment is a chain of
// continuation events) once every journey catalogue cache holds the version — the console request
// itself never scans. A request delivered twice, a crash after a continuation went out and a crash
// half-way through a page arm nobody twice and greet everyone once; a customer stored while the
// journeys function still held the catalogue before the publish is armed all the same; a journey
// disabled or deleted meanwhile stops its arming.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, type Runtime } from '#functions/commons/runtime.ts';
import { localDynamoClient } from '#infra/local/engines.ts';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { JOURNEY_ARMING_REQUESTED } from '#shared/events/emitted.ts';
import { EMITTED_SOURCE } from '#shared/events/publisher.ts';
import { loadJourneyFiles } from '#shared/journeys/files.ts';
import { JourneyArmingStore } from '#shared/store/journey-arming.ts';
import { keys } from '#shared/store/keys.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { DynamoMeter } from '../../bench/meter.ts';
import { aroundPutEvents } from '../support/faults.ts';
import { customerEvent } from '../support/fixtures.ts';
import { heldOutOfShipped } from '../support/holdout.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';
import { localConsoleApi, pastArmingStart } from '../support/console.ts';

const ids = Array.from({ length: 12 }, (_, i) => `stored-${String(i + 1).padStart(2, '0')}`);
/** Stored 10 s after the first publish, by a journeys function whose catalogue still held no journey. */
const late = 'stored-late';
const everyone = [...ids, late];
const user = { id: 'sub-1', email: 'ana@shop.example' };

let local: LocalRuntime;
let api: ReturnType<typeof localConsoleApi>;
const meter = new DynamoMeter();
/** What the journey-arming function asks of the table. */
const armingMeter = new DynamoMeter();
const crashes = { afterContinuation: 0, midPage: 0 };
/** Runs when the journey-arming function publishes a continuation (journey id, page number). */
let onContinuation: (journeyId: string, number: number) => Promise<void> = () => Promise.resolve();

/** Fails the function once after its 3rd timer write reached the table: a crash half-way through a page. */
function crashMidPage(runtime: Runtime, endpoint: string): Runtime {
  const client: DynamoDBClient = armingMeter.attach(localDynamoClient(endpoint));
  let timerWrites = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { Item?: { SK?: { S?: string } } };
      if (context.commandName === 'PutItemCommand' && input.Item?.SK?.S === 'JOURNEY#TRIGGERS' && ++timerWrites === 3) {
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
    for (const entry of command.input.Entries ?? []) {
      const { journeyId, page } = JSON.parse(entry.Detail ?? '{}') as { journeyId: string; page?: { number: number } };
      if (page) await onContinuation(journeyId, page.number);
    }
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

const greeted = () => Promise.all(everyone.map(async (id) => (await subjectsTo(local, `${id}@example.com`)).length));
/** The customer's date-trigger timer, if it holds an occasion of the journey. */
const birthdayTimer = async (journeyId: string, id: string) => {
  const timer = await new TimerStore(local.doc, local.tableName).get(id, { kind: 'journey-triggers' });
  return timer?.data.kind === 'journey-triggers' && timer.data.journeys[journeyId] ? timer : undefined;
};

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
    // Inside the catalogue cache's 30 s a customer is stored: the journeys function reacting to the
    // profile still holds the catalogue it read before the publish, so it arms nothing for them.
    await local.advanceTo('2027-03-01T00:00:10Z');
    local.putEvents([customerEvent({ customerId: late, email: `${late}@example.com`, firstName: 'Lea', locale: 'en-US', timeZone: 'UTC', birthday: '1991-03-14' })]);
    await local.drain();
    expect(await birthdayTimer('birthday', late)).toBeUndefined();
    // Nothing was scanned yet: the first pages wait until every cache holds the version.
    expect(armingMeter.byCommand.get('ScanCommand') ?? 0).toBe(0);
    await pastArmingStart(local);
    expect(crashes).toEqual({ afterContinuation: 1, midPage: 1 });
    expect(local.deadLetters()).toEqual([]);
    const view = (await api({ op: 'journey.get', journeyId: 'birthday' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 1, requestedBy: user.email, segments: 4, segmentsDone: 4, done: true, customers: everyone.length });
    // Pages of 3 items: the segments went on by continuation events, not one page each.
    const pages = Object.values(view.arming.pagesDone as Record<string, number>);
    expect(pages.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(2 * pages.length);
    // Every timer written once (an arm that finds its timer as it would write it writes nothing),
    // the customer stored inside the window included.
    const armed = await Promise.all(everyone.map((id) => birthdayTimer('birthday', id)));
    expect(armed.map((timer) => [timer?.dueAt, timer?.version])).toEqual(everyone.map(() => ['2027-03-14T09:00:00.000Z', 1]));
    expect(armed.map((timer) => timer?.data)).toEqual(
      everyone.map(() => ({
        kind: 'journey-triggers',
        journeys: { birthday: { entryId: 'birthday#2027', dueAt: '2027-03-14T09:00:00.000Z', entered: [] } },
      })),
    );
  }, 60_000);

  it('greets every stored customer once on their birthday, but those its holdout draws', async () => {
    await local.advanceTo('2027-03-14T09:10:00Z');
    const heldOut = heldOutOfShipped('birthday', 'birthday#2027', everyone);
    expect(await greeted()).toEqual(everyone.map((id) => (heldOut.includes(id) ? 0 : 1)));
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
    await pastArmingStart(local);
    const view = (await api({ op: 'journey.get', journeyId: 'birthday' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 4, done: true, customers: everyone.length });
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
    await pastArmingStart(local);
    const view = (await api({ op: 'journey.get', journeyId: 'birthday-vip' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 1, done: true, customers: everyone.length });
    // Once armed, a further unchanged publish asks nothing.
    const again = await api({ op: 'draft.publish', ...draft, note: 'vip birthdays', expectedVersion: 1 }, user);
    expect(again.body).toEqual({ kind: 'unchanged', version: 1, journeyId: 'birthday-vip' });
  }, 60_000);

  it('stops the arming of a journey deleted before its first page: nothing scanned, nobody armed', async () => {
    const { source, templates } = await loadJourneyFiles('campaigns/birthday.yaml');
    const published = await api({ op: 'draft.publish', source: source.replace('id: birthday', 'id: birthday-gone'), templates, note: 'soon gone', expectedVersion: 0 }, user);
    expect(published.body).toMatchObject({ kind: 'published', version: 1, arming: { requested: true } });
    await local.drain();
    // An operator removes the journey's current item (there is no delete command: the table's own tools).
    await local.doc.send(new DeleteCommand({ TableName: local.tableName, Key: keys.journeyCurrent('birthday-gone') }));
    armingMeter.reset();
    await pastArmingStart(local);
    expect(armingMeter.byCommand.get('ScanCommand') ?? 0).toBe(0);
    // The console has no page for a deleted journey: the progress item itself.
    expect(await new JourneyArmingStore(local.doc, local.tableName).latest('birthday-gone')).toMatchObject({ version: 1, segmentsDone: 4, done: true, customers: 0, pagesDone: { 0: 1, 1: 1, 2: 1, 3: 1 } });
    expect(await Promise.all(everyone.map((id) => birthdayTimer('birthday-gone', id)))).toEqual(everyone.map(() => undefined));
  }, 60_000);

  it('stops the arming at its next page when the journey is disabled meanwhile', async () => {
    const { source, templates } = await loadJourneyFiles('campaigns/birthday.yaml');
    const draft = { source: source.replace('id: birthday', 'id: birthday-paused'), templates };
    const published = await api({ op: 'draft.publish', ...draft, note: 'to be paused', expectedVersion: 0 }, user);
    expect(published.body).toMatchObject({ kind: 'published', version: 1, arming: { requested: true } });
    // The marketer disables it while the first segment to go on announces its second page.
    let disabled = false;
    onContinuation = async (journeyId) => {
      if (journeyId !== 'birthday-paused' || disabled) return;
      disabled = true;
      const outcome = await api({ op: 'journey.enable', journeyId, enabled: false, note: 'stop' }, user);
      expect(outcome.body).toMatchObject({ kind: 'published', version: 2 });
    };
    armingMeter.reset();
    await pastArmingStart(local);
    onContinuation = () => Promise.resolve();
    expect(disabled).toBe(true);
    const view = (await api({ op: 'journey.get', journeyId: 'birthday-paused' }, user)).body as { arming: Record<string, unknown> };
    expect(view.arming).toMatchObject({ version: 1, segmentsDone: 4, done: true });
    // Each segment ended at the first page it found the journey disabled on: at most the page
    // that was running and the one after it (unscanned), where the whole run takes many more.
    const pagesDone = Object.values(view.arming.pagesDone as Record<string, number>);
    expect(Math.max(...pagesDone)).toBeLessThanOrEqual(3);
    const full = (await api({ op: 'journey.get', journeyId: 'birthday' }, user)).body as { arming: { pagesDone: Record<string, number> } };
    const fullPages = Object.values(full.arming.pagesDone).reduce((sum, n) => sum + n, 0);
    expect(pagesDone.reduce((sum, n) => sum + n, 0)).toBeLessThan(fullPages);
    expect(view.arming.customers).toBeLessThan(everyone.length);
  }, 60_000);
});
