// The tour's one-year jump: the 300-customer sample shop loaded as `npm start` loads it, living on
// (daily orders, lapses, coupon redemptions, SES events), then `advanceTo` a year ahead. Prints the
// wall and CPU time of the jump and the counts that explain them (schedule runs, DynamoDB requests).
// The second figure, 10k customers, is the same shop at 10,000 customers for 30 days
// (`npm run bench -- time-travel-10k`, ~9 min on this machine, most of it loading their two years
// of history): its year is that month's pace times 365/30, printed as such.
import { startLivingShop } from '#infra/local/living-shop.ts';
import { startLocal } from '#infra/local/runtime.ts';
import { SAMPLE_CUSTOMERS, sampleEvents } from '#infra/local/sample-data.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import type { BenchSection } from './report.ts';
import type { Headline } from './summary.ts';

/** The figures before this work, with where they were measured. */
const TODAY = {
  beforeLivingShop: '69 s (issue 12, 2026-11-23; 38 s in a later profile, docs/benchmarks.md)',
  withLivingShop: '11–14 min, 10,421–11,387 schedule runs (docs/local-runtime.md, 2026-11-30, load ~20)',
};
const TARGET = '≤ 10 s; 10k customers ≤ 2 min';
const START = '2027-03-13T00:00:00Z';

export async function benchTimeTravel({ customers = SAMPLE_CUSTOMERS, days = 365 } = {}): Promise<BenchSection> {
  const loadStarted = performance.now();
  const local = await startLocal({ now: START });
  try {
    local.everyDay('ses-events', () => local.sesEvents.publishNewSends());
    local.putEvents(sampleEvents({ customers, now: local.clock.now() }));
    await local.drain();
    startLivingShop(local, { customers });
    let requests = 0;
    // Every function shares the runtime's one DynamoDB client: counting there counts them all.
    local.runtimeFor('scheduler').dynamodb.middlewareStack.add(
      (next) => (args) => {
        requests++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCountRequests' },
    );
    const emailsBefore = (await local.emails()).length;
    const loadS = (performance.now() - loadStarted) / 1000;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { scheduleRuns } = await local.advanceTo(new Date(Date.parse(START) + days * DAY_MS));
    const wallS = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const emails = (await local.emails()).length - emailsBefore;
    const cpuS = (used.user + used.system) / 1e6;
    const counts = `${scheduleRuns.toLocaleString('en-US')} schedule runs, ${requests.toLocaleString('en-US')} DynamoDB requests, ${emails.toLocaleString('en-US')} emails`;
    const yearS = (wallS * 365) / days;
    // The issue's two targets: the sample shop's year in 10 s, 10k customers' in 2 minutes.
    const yearTargetS = customers >= 10_000 ? 120 : 10;
    const headlines: Headline[] = [
      days === 365
        ? { row: 'year', now: `${wallS.toFixed(0)} s wall, ${cpuS.toFixed(0)} s CPU; ${counts} (${customers} customers)`, met: yearS <= yearTargetS ? 'yes' : 'no' }
        : {
            row: 'year',
            now: `${customers.toLocaleString('en-US')} customers, ${days} days: ${wallS.toFixed(0)} s wall, ${cpuS.toFixed(0)} s CPU, ${counts}; a year at that pace ~${(yearS / 60).toFixed(0)} min`,
            met: yearS <= yearTargetS ? 'yes' : 'no',
          },
    ];
    return {
      headlines,
      title: `Simulated time, sample shop (${customers.toLocaleString('en-US')} customers, advanceTo ${days} days ahead)`,
      rows: [
        { figure: 'today (before this work)', value: TODAY.withLivingShop },
        { figure: 'today, before the living shop', value: TODAY.beforeLivingShop },
        { figure: 'now: loading the shop (not in the jump)', value: `${loadS.toFixed(1)} s` },
        { figure: 'now: wall time', value: `${wallS.toFixed(1)} s` },
        ...(days === 365 ? [] : [{ figure: 'now: a year at this pace', value: `${yearS.toFixed(0)} s` }]),
        { figure: 'now: CPU time of this process', value: `${cpuS.toFixed(1)} s` },
        { figure: 'now: schedule runs', value: scheduleRuns },
        { figure: 'now: DynamoDB requests', value: requests },
        { figure: 'now: emails sent', value: emails },
        { figure: 'target', value: TARGET },
      ],
      notes: [
        'Wall time on this shared machine follows its load; the counts do not. Schedule runs before this',
        'work were one per delivery-woken tick; now an idle scheduler sleeps until its state item is written.',
      ],
    };
  } finally {
    await local.stop();
  }
}
