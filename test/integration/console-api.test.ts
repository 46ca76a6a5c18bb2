// The console API against the local runtime, below the browser: the results page reads the
// reports the weekly analytics run stored (the same report `loyalty report` builds by scanning,
// with no Scan per request), and enable, disable, rollback and test-send write exactly what the
// CLI writes, plus the note the console asked for.
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { journeySchema } from '#shared/domain/journey.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { programDefaults } from '#shared/flows/analytics-page.ts';
import { type LoyaltyReport, loadLoyaltyReport } from '#shared/flows/analytics.ts';
import type { JourneySummary } from '#shared/console/journeys.ts';
import { JourneyStepResults } from '#shared/store/journey-step-results.ts';
import { JourneyCatalogue, type JourneyVersion } from '#shared/store/journeys.ts';
import { PredictionStore } from '#shared/store/predictions.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { StoredReports } from '#shared/store/stored-reports.ts';
import { SuppressionStore } from '#shared/store/suppression.ts';
import { DynamoMeter } from '../../bench/meter.ts';
import { withDynamoFault } from '../support/faults.ts';
import { loyalty } from './cli-support.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { localConsoleApi } from '../support/console.ts';

const journeyFile = (id: string) => `id: ${id}
name: Welcome ${id}
trigger:
  on: event
  event: Customer Upserted
templates:
  locales: [en-US]
steps:
  - id: wait-1d
    wait: { days: 1 }
  - id: hello
    send: { template: welcome }
`;
const TEMPLATES = { welcome: { 'en-US': { subject: 'Hi {{ customer.firstName }}', html: '<p>Hi</p>', text: 'Hi\n' } } };

let local: LocalRuntime;
let catalogue: JourneyCatalogue;
const meter = new DynamoMeter();
let api: ReturnType<typeof localConsoleApi>;
const user = { id: 'sub-1', email: 'ana@shop.example' };

async function publish(id: string): Promise<void> {
  const source = journeyFile(id);
  await catalogue.publish({ journey: journeySchema.parse(parse(source)), templates: TEMPLATES, source, by: 'seed', note: 'first' });
}

beforeAll(async () => {
  // Only the test's own journeys: its `welcome` would otherwise be version 2 of the shipped one.
  local = await startLocal({ now: '2027-03-01T10:00:00Z', ports: 'random', shippedJourneys: false });
  catalogue = new JourneyCatalogue(local.doc, local.tableName, local.clock);
  await publish('welcome');
  await publish('welcome-cli');
  local.putEvents([
    customerEvent({ customerId: 'c-1', email: 'mei@example.com', locale: 'en-US' }),
    // Two more for the audience builder; without consent, so no journey email counts for them.
    customerEvent({ customerId: 'c-2', email: 'li@example.com', locale: 'zh-CN', marketingConsent: false }),
    customerEvent({ customerId: 'c-3', email: 'bo@example.com', locale: 'zh-TW', marketingConsent: false }),
    purchaseEvent({ orderId: 'o-3', customerId: 'c-3', amount: '20.00', purchasedAt: '2027-03-01T09:00:00Z' }),
  ]);
  await local.drain();
  await local.advanceTo('2027-03-03T10:00:00Z');
  local.putEvents([purchaseEvent({ orderId: 'o-1', customerId: 'c-1', amount: '80.00', purchasedAt: '2027-03-03T09:00:00Z' })]);
  await local.drain();
  await local.advanceTo('2027-03-04T10:00:00Z');
  await local.runScheduled('segment-thresholds');
  const runtime = meter.meter(local.runtimeFor('console-api'), local.endpoints.dynamo);
  api = localConsoleApi(local, runtime, { from: 'rewards@loyalty-flows.local', configurationSet: 'loyalty-flows' });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

describe('console results', () => {
  it('answer the report the weekly run stored for the period — the one `loyalty report` builds by scanning — without a Scan', async () => {
    meter.reset();
    const answer = await api({ op: 'results.report', period: 'last-7-days' }, user);
    expect(answer.status).toBe(200);
    expect(meter.byCommand.get('ScanCommand') ?? 0).toBe(0);
    // One Query lists the periods, one GetItem reads the chosen report.
    expect(Object.fromEntries(meter.byCommand)).toEqual({ QueryCommand: 1, GetItemCommand: 1 });
    const body = answer.body as { periods: { period: string }[]; from: string; to: string; computedAt: string; report: Record<string, unknown> };
    expect(body.periods.map((p) => p.period)).toEqual(['last-7-days', 'last-30-days', 'last-90-days', 'month-2027-02', 'month-2027-01', 'month-2026-12']);
    expect(body.computedAt).toBe('2027-03-04T10:00:00.000Z');
    const scanned = await loadLoyaltyReport(
      new SegmentStore(local.doc, local.tableName),
      { from: new Date(body.from), to: new Date(body.to), attributionDays: 7, ...programDefaults(() => deployedProgram(local.runtimeFor('console-api').env)) },
      new Date(body.computedAt),
      4,
      new PredictionStore(local.doc, local.tableName),
    );
    expect(body.report).toEqual(JSON.parse(JSON.stringify(scanned)));
    const welcome = scanned.campaigns.find((c) => c.campaignId === 'welcome');
    expect(welcome).toMatchObject({ recipients: 1, converted: 1, revenueMilli: 80_000 });
  });

  it('keep the newest run: a late or redelivered older run does not replace a stored period', async () => {
    const store = new StoredReports(local.doc, local.tableName);
    const older = { period: 'last-7-days', from: '2027-02-20T00:00:00.000Z', to: '2027-02-27T00:00:00.000Z', computedAt: '2027-02-27T00:00:00.000Z' };
    expect(await store.save(older, { campaigns: [] })).toBe(false);
    expect((await store.report('last-7-days'))?.computedAt).toBe('2027-03-04T10:00:00.000Z');
  });

  it('name the field and value of a bad period, and say which periods are stored for a missing one', async () => {
    const bad = await api({ op: 'results.report', period: 'yesterday' }, user);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ problems: [{ field: 'period', value: 'yesterday' }] });
    const missing = await api({ op: 'results.report', period: 'month-2020-01' }, user);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain('stored: last-7-days, last-30-days');
  });
});

describe('a report stored by an earlier version', () => {
  it('is answered with the parts it predates filled empty and named, not broken', async () => {
    const store = new StoredReports(local.doc, local.tableName);
    const current = await store.report('last-7-days');
    // The shape the first stored reports had: no coupons, step rows, control group or unattributed codes.
    const { controlGroup: _c, unattributedCodes: _u, ...old } = current?.report ?? {};
    const oldCampaigns = (old.campaigns as Record<string, unknown>[]).map(({ coupons: _x, steps: _s, ...campaign }) => campaign);
    const period = { period: 'month-2026-11', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', computedAt: '2026-12-01T00:00:00.000Z' };
    expect(await store.save(period, { ...old, campaigns: oldCampaigns })).toBe(true);

    const answer = await api({ op: 'results.report', period: 'month-2026-11' }, user);
    expect(answer.status).toBe(200);
    const body = answer.body as { missing: string[]; report: LoyaltyReport };
    expect(body.missing).toEqual(['coupon redemptions', 'results per send step', 'the global control group', 'coupon codes not attributed']);
    const welcome = body.report.campaigns.find((c) => c.campaignId === 'welcome');
    expect(welcome).toMatchObject({ recipients: 1, converted: 1, steps: [], coupons: { issued: 0, steps: [] } });
    expect(body.report).toMatchObject({ controlGroup: null, unattributedCodes: { expired: 0, foreign: 0, alreadyUsed: 0 } });
    // A current report names nothing missing.
    expect((await api({ op: 'results.report', period: 'last-7-days' }, user)).body).not.toHaveProperty('missing');
  });
});

describe('console journey changes', () => {
  const version = async (id: string, n: number): Promise<JourneyVersion> => {
    const found = await catalogue.version(id, n);
    if (!found) throw new Error(`no version ${n} of ${id}`);
    return found;
  };
  /** A version record without what names the journey, the instant, the author and the note. */
  const content = ({ journeyId: _id, publishedAt: _at, publishedBy: _by, note: _note, ...rest }: JourneyVersion) => ({
    ...rest,
    journey: { ...rest.journey, id: 'x', name: 'x' },
    source: rest.source.replaceAll('welcome-cli', 'welcome'),
  });

  it('disable, enable and roll back write the CLI’s version records, with the signed-in user and the note', async () => {
    const steps: [Record<string, unknown>, string[], string][] = [
      [{ op: 'journey.enable', journeyId: 'welcome', enabled: false, note: 'pause for the sale' }, ['campaigns', 'disable', 'welcome-cli'], 'disabled'],
      [{ op: 'journey.enable', journeyId: 'welcome', enabled: true, note: 'sale over' }, ['campaigns', 'enable', 'welcome-cli'], 'enabled'],
      [{ op: 'journey.rollback', journeyId: 'welcome', note: 'back to the paused one' }, ['campaigns', 'rollback', 'welcome-cli'], 'rollback to v2'],
    ];
    let n = 1;
    for (const [request, cli, what] of steps) {
      n++;
      const answer = await api(request, user);
      expect(answer.status).toBe(200);
      expect((await loyalty(local, cli)).code).toBe(0);
      const [fromConsole, fromCli] = await Promise.all([version('welcome', n), version('welcome-cli', n)]);
      expect(fromConsole).toMatchObject({ version: n, publishedBy: 'ana@shop.example', note: `${what}: ${String(request.note)}` });
      expect(fromCli.note).toBe(what);
      expect(content(fromConsole)).toEqual(content(fromCli));
    }
    expect((await version('welcome', 4)).journey.enabled).toBe(false);
  });

  it('refuses a change without a reason, naming the field', async () => {
    const answer = await api({ op: 'journey.enable', journeyId: 'welcome', enabled: true, note: ' ' }, user);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ problems: [{ field: 'note' }] });
    expect(await catalogue.version('welcome', 5)).toBeUndefined();
  });

  it('sends a test of the draft to the address given, marked [TEST], without a version or a ledger entry', async () => {
    const current = await version('welcome', 4);
    const before = (await local.emails()).length;
    const answer = await api(
      { op: 'draft.test-send', source: current.source, templates: current.templates, template: 'welcome', locale: 'en-US', to: 'ana@shop.example' },
      user,
    );
    expect(answer.status).toBe(200);
    const sent = (await local.emails()).slice(before);
    expect(sent.map((email) => [email.destination.to, email.subject])).toEqual([[['ana@shop.example'], '[TEST] Hi Alex']]);
    expect(await catalogue.version('welcome', 5)).toBeUndefined();
  });
});

describe('console customers', () => {
  it('show the card `loyalty customers show` prints: consent, explain per journey, emails with their outcome', async () => {
    const answer = await api({ op: 'customer.find', query: 'mei@example.com' }, user);
    expect(answer.status).toBe(200);
    const [card] = (answer.body as { customers: Record<string, unknown>[] }).customers;
    const shown = await loyalty(local, ['--json', 'customers', 'show', 'c-1']);
    expect(card).toEqual(shown.json());
    expect(card).toMatchObject({
      consent: { granted: true, optOut: null, suppressed: null },
      purchases: { orders: 1 },
      journeys: [{ journeyId: 'welcome', status: 'exited' }, { journeyId: 'welcome-cli', status: 'exited' }],
    });
    // Each journey send once (its ledger entry is not listed again), with its outcome.
    expect((card?.emails as { source: string; id: string; step: string; outcome: string }[]).map((e) => [e.source, e.id, e.step, e.outcome]).sort()).toEqual([
      ['journey', 'welcome', 'hello', 'sent'],
      ['journey', 'welcome-cli', 'hello', 'sent'],
    ]);
  });

  it('re-subscribe an opted-out customer with an audit record of who and why, written before the consent change', async () => {
    await new SuppressionStore(local.doc, local.tableName).optOut('c-1', local.clock.now(), 'unsubscribe link');
    // The consent write fails once, after the audit record: the operator's retry completes it.
    const faulty = withDynamoFault(local.runtimeFor('console-api'), local.endpoints.dynamo, { command: 'UpdateItemCommand', times: 1 });
    const crashing = localConsoleApi(local, faulty);
    const request = { op: 'customer.resubscribe', customerId: 'c-1', note: 'asked by phone, ticket 123' };
    await expect(crashing(request, user)).rejects.toThrow(/injected crash/);
    expect(faulty.injected()).toBe(1);
    const afterCrash = (await api({ op: 'customer.find', query: 'c-1' }, user)).body as { customers: { consent: { granted: boolean }; audits: unknown[] }[] };
    expect(afterCrash.customers[0]?.consent.granted).toBe(false);
    expect(afterCrash.customers[0]?.audits).toHaveLength(1);
    local.clock.set(new Date(local.clock.now().getTime() + 60_000));
    expect((await api(request, user)).status).toBe(200);
    const after = (await api({ op: 'customer.find', query: 'c-1' }, user)).body as { customers: { consent: Record<string, unknown>; audits: unknown[] }[] };
    expect(after.customers[0]?.consent).toMatchObject({ granted: true, optOut: null, source: 'operator:ana@shop.example' });
    expect(after.customers[0]?.audits).toEqual([
      { at: '2027-03-04T10:01:00.000Z', action: 'resubscribe', by: 'ana@shop.example', why: 'asked by phone, ticket 123' },
      { at: '2027-03-04T10:00:00.000Z', action: 'resubscribe', by: 'ana@shop.example', why: 'asked by phone, ticket 123' },
    ]);
  });

  it('re-subscribe from the CLI through the same card module, audited as the CLI user', async () => {
    process.env.LOYALTY_USER = 'ops-sam';
    try {
      expect((await loyalty(local, ['customers', 'resubscribe', 'c-2', '--note', 'no'])).code).toBe(2);
      expect((await loyalty(local, ['customers', 'resubscribe', 'nobody', '--note', 'ticket 9'])).code).toBe(3);
      const run = await loyalty(local, ['customers', 'resubscribe', 'c-2', '--note', 'ticket 9: asked in store']);
      expect(run.stdout).toContain('c-2 re-subscribed by ops-sam: ticket 9: asked in store (audited)');
    } finally {
      delete process.env.LOYALTY_USER;
    }
    const card = (await loyalty(local, ['--json', 'customers', 'show', 'c-2'])).json<{ consent: Record<string, unknown>; audits: unknown[] }>();
    expect(card.consent).toMatchObject({ granted: true, source: 'operator:ops-sam' });
    expect(card.audits).toEqual([{ at: local.clock.now().toISOString(), action: 'resubscribe', by: 'ops-sam', why: 'ticket 9: asked in store' }]);
  });

  it('answer 404 for a customer who is not in the store, and never re-subscribe them', async () => {
    const answer = await api({ op: 'customer.resubscribe', customerId: 'nobody', note: 'typo test' }, user);
    expect(answer.status).toBe(404);
    expect((await api({ op: 'customer.find', query: 'nobody' }, user)).body).toEqual({ customers: [] });
  });
});

describe('console audiences', () => {
  type Answer = { count: number; total: number; notCounted: string[]; sample: { customerIds: string[]; checked: number; drawnFrom: string } };
  const estimate = async (where: Record<string, unknown>) => {
    meter.reset();
    const answer = await api({ op: 'audience.estimate', where }, user);
    expect(answer.status).toBe(200);
    expect(meter.byCommand.get('ScanCommand') ?? 0).toBe(0);
    return answer.body as Answer;
  };

  it('count locales by language from the weekly counts and show matching ids, checked against the whole condition', async () => {
    const zh = await estimate({ locales: ['zh'] });
    expect(zh).toMatchObject({ count: 2, total: 3, notCounted: [], sample: { customerIds: ['c-2', 'c-3'], drawnFrom: 'locales: zh' } });
    const buyers = await estimate({ locales: ['zh'], minOrders: 1 });
    // The count cannot see orders (an upper bound, said so); the sample is checked, so it can.
    expect(buyers).toMatchObject({ count: 2, notCounted: ['minOrders'], sample: { customerIds: ['c-3'] } });
    expect((await estimate({ locales: ['zh-TW'] })).sample.customerIds).toEqual(['c-3']);
  });

  it('sample from everyone when no part is counted, reading only the kept profiles', async () => {
    const everyone = await estimate({ maxSpend: '50' });
    expect(everyone.sample).toMatchObject({ customerIds: ['c-2', 'c-3'], checked: 3, drawnFrom: 'all customers' });
    // Two GetItems for the weekly counts and sample, then one profile per kept id (and no more).
    expect(meter.byCommand.get('GetItemCommand')).toBeLessThanOrEqual(2 + 3 * 2);
  });

  it('name the field and value of a bad condition', async () => {
    const answer = await api({ op: 'audience.estimate', where: { churnRisk: ['extreme'] } }, user);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ problems: [{ field: 'where.churnRisk.0', value: 'extreme' }] });
  });
});

describe('console journey list', () => {
  it('shows the emails each journey sent in the last 7 days: its send steps and variants added up, by send day', async () => {
    // c-1's welcome emails went out on 2027-03-02 (a day after the upsert), one per journey; the
    // rows below stand for older sends of welcome-cli: split variants on the window's first day,
    // and a day before the window.
    const results = new JourneyStepResults(local.doc, local.tableName);
    await results.add({ journeyId: 'welcome-cli', stepId: 'hello', variant: 'a', day: '2027-02-26' }, { sent: 2 });
    await results.add({ journeyId: 'welcome-cli', stepId: 'hello', variant: 'b', day: '2027-02-26' }, { sent: 3 });
    await results.add({ journeyId: 'welcome-cli', stepId: 'hello', day: '2027-02-25' }, { sent: 7 });
    meter.reset();
    const answer = await api({ op: 'journeys.list' }, user);
    expect(answer.status).toBe(200);
    const sent = Object.fromEntries((answer.body as { journeys: JourneySummary[] }).journeys.map((j) => [j.id, j.sentLast7Days]));
    expect(sent).toEqual({ welcome: 1, 'welcome-cli': 1 + 2 + 3 });
    // One Query of the journey list and one of each journey's step results (no daily counters).
    expect(meter.byCommand.get('QueryCommand')).toBe(1 + 2);
  });
});
