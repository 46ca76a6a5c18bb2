// The tour's one-year jump: the 300-customer sample shop loaded as `npm start` loads it, living on
// (daily orders, lapses, coupon redemptions, SES events), then `advanceTo` a year ahead. Prints the
// wall and CPU time of the jump and the counts that explain them (schedule runs, DynamoDB requests).
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
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { scheduleRuns } = await local.advanceTo(new Date(Date.parse(START) + days * DAY_MS));
    const wallS = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const emails = (await local.emails()).length - emailsBefore;
    const cpuS = (used.user + used.system) / 1e6;
    const headlines: Headline[] = [
      {
        row: 'year',
        now: `${wallS.toFixed(0)} s wall, ${cpuS.toFixed(0)} s CPU; ${scheduleRuns.toLocaleString('en-US')} schedule runs, ${requests.toLocaleString('en-US')} DynamoDB requests, ${emails.toLocaleString('en-US')} emails (${customers} customers, ${days} days; 10k customers not measured)`,
        met: wallS <= 10 ? 'partly' : 'no',
      },
    ];
    return {
      headlines,
      title: `Simulated year, sample shop (${customers} customers, advanceTo ${days} days ahead)`,
      rows: [
        { figure: 'today (before this work)', value: TODAY.withLivingShop },
        { figure: 'today, before the living shop', value: TODAY.beforeLivingShop },
        { figure: 'now: wall time', value: `${wallS.toFixed(1)} s` },
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
