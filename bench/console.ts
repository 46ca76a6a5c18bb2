// The console's request path against what it replaced: DynamoDB requests and read units of the
// results page (the weekly run's stored report) and the audience builder (weekly counts and
// sample) next to the report's on-demand Scan, what storing the reports adds to the weekly run,
// and what arming a newly published date trigger for the stored customers costs in the background.
import { startLocal } from '#infra/local/runtime.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { programDefaults } from '#shared/flows/analytics-page.ts';
import { buildLoyaltyReport, loadLoyaltyReport } from '#shared/flows/analytics.ts';
import { standardPeriods } from '#shared/domain/report-periods.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';
import { localConsoleApi, pastArmingStart } from '../test/support/console.ts';

const CUSTOMERS = 2_000;

/** A date-trigger journey new to the base: every customer (all have bought) gets its timer. */
const LAPSE_JOURNEY = `id: bench-lapse
name: Lapsed 45 days
trigger:
  on: inactivity
  inactivity: { days: 45 }
templates:
  locales: [en-US]
steps:
  - id: nudge
    send: { template: nudge }
`;
const LAPSE_TEMPLATES = { nudge: { 'en-US': { subject: 'We miss you', html: '<p>We miss you</p>', text: 'We miss you\n' } } };

export async function benchConsole(): Promise<BenchSection> {
  const arming = new DynamoMeter();
  const local = await startLocal({
    now: '2027-03-01T10:00:00Z',
    wrapRuntime: (name, runtime, endpoints) => (name === 'journey-arming' ? arming.meter(runtime, endpoints.dynamo) : runtime),
  });
  try {
    const locales = ['en-US', 'zh-CN', 'zh-TW', 'de-DE'];
    local.putEvents(
      Array.from({ length: CUSTOMERS }, (_, i) => [
        {
          source: 'shop.customers',
          detailType: 'Customer Upserted',
          detail: { customerId: `b-${i}`, email: `b-${i}@example.com`, locale: locales[i % locales.length], marketingConsent: true },
        },
        {
          source: 'shop.orders',
          detailType: 'Purchase Completed',
          detail: { orderId: `b-${i}-1`, customerId: `b-${i}`, amount: `${20 + (i % 200)}.00`, currency: 'USD', purchasedAt: new Date(Date.parse('2027-02-28T10:00:00Z') - (i % 300) * 86_400_000).toISOString() },
        },
      ]).flat(),
    );
    await local.drain();
    const weekly = performance.now();
    await local.runScheduled('segment-thresholds');
    const weeklyMs = performance.now() - weekly;

    const meter = new DynamoMeter();
    const runtime = meter.meter(local.runtimeFor('console-api'), local.endpoints.dynamo);
    const api = localConsoleApi(local, runtime);
    const user = { id: 'bench' };
    const measure = async (row: string, run: () => Promise<unknown>) => {
      meter.reset();
      const started = performance.now();
      await run();
      return {
        request: row,
        'DynamoDB requests': meter.requests,
        'read units': meter.readUnits,
        Scans: meter.byCommand.get('ScanCommand') ?? 0,
        ms: Math.round(performance.now() - started),
      };
    };
    const now = local.clock.now();
    const [last30] = standardPeriods(now).filter((p) => p.period === 'last-30-days');
    const options = { attributionDays: 7, ...programDefaults(() => deployedProgram(runtime.env)) };
    const rows = [
      await measure('results page: stored report (last 30 days)', () => api({ op: 'results.report', period: 'last-30-days' }, user)),
      await measure('audience: estimate + checked sample (locales: zh)', () => api({ op: 'audience.estimate', where: { locales: ['zh'] } }, user)),
      await measure('audience: estimate + checked sample (maxSpend only)', () => api({ op: 'audience.estimate', where: { maxSpend: '50' } }, user)),
      await measure('before: the report per request (parallel Scan)', () =>
        loadLoyaltyReport(new SegmentStore(runtime.doc, local.tableName), { ...options, from: last30?.from ?? now, to: now }, now),
      ),
    ];
    // Publishing a date trigger onto the base: the console request announces it, journey-arming scans.
    rows.push(
      await measure('publish a date-trigger journey (arming requested)', () =>
        api({ op: 'draft.publish', source: LAPSE_JOURNEY, templates: LAPSE_TEMPLATES, note: 'bench', expectedVersion: 0 }, user),
      ),
    );
    arming.reset();
    const armingStarted = performance.now();
    // The first pages wait (simulated time) until every catalogue cache holds the version.
    await pastArmingStart(local);
    const armingMs = Math.round(performance.now() - armingStarted);
    const progress = (await api({ op: 'journey.get', journeyId: 'bench-lapse' }, user)).body as { arming?: { customers: number; pagesDone: Record<string, number> } };
    const pages = Object.values(progress.arming?.pagesDone ?? {}).reduce((sum, n) => sum + n, 0);
    const armed = progress.arming?.customers ?? 0;
    rows.push({
      request: `background: journey-arming, ${pages} pages, ${armed} customers`,
      'DynamoDB requests': arming.requests,
      'read units': arming.readUnits,
      Scans: arming.byCommand.get('ScanCommand') ?? 0,
      ms: armingMs,
    });
    // What storing the six reports adds to the weekly run: building them from the snapshot it has.
    const store = new SegmentStore(local.doc, local.tableName);
    const [snapshot, thresholds] = await Promise.all([store.scanSnapshot(4), store.thresholds()]);
    const build = performance.now();
    for (const period of standardPeriods(now)) buildLoyaltyReport(snapshot, thresholds, { ...options, from: period.from, to: period.to }, now);
    const buildMs = performance.now() - build;
    return {
      title: `Console request path (${CUSTOMERS.toLocaleString('en-US')} customers, local runtime)`,
      rows,
      notes: [
        `Weekly analytics run (scan, thresholds, fit, predictions, sample, six stored reports): ${Math.round(weeklyMs)} ms; building the six reports from its snapshot: ${Math.round(buildMs)} ms.`,
        'The stored report and the audience counts are read by key; the Scan row is what the results page cost per request before (it grows with the table, the others do not).',
        `Arming a newly live date trigger runs off the request path: per stored customer ${(arming.requests / Math.max(armed, 1)).toFixed(2)} requests, ${(arming.readUnits / Math.max(armed, 1)).toFixed(2)} read units and ${(arming.writeUnits / Math.max(armed, 1)).toFixed(2)} write units (a Scan page of 1,000 table items per event).`,
      ],
    };
  } finally {
    await local.stop();
  }
}
