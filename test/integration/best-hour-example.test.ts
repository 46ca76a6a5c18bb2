// The shipped A/B test of send time (campaigns/best-hour-test.yaml) switched on: three days after a
// purchase, the best-hour half gets the thank-you at the hour they usually buy, the fixed-hour
// half at 10:00, the holdout nothing — and the report compares the two variants with the uplift
// statistics.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { zonedTimeToUtc } from '#shared/domain/local-time.ts';
import { buildLoyaltyReport } from '#shared/flows/analytics.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { renderReportText } from '../../cli/report-text.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { publishJourneyFile } from '../support/journey-files.ts';
import { customerItems } from '../support/table.ts';
import { subjectsTo } from '../support/timer-campaigns.ts';

const CAMPAIGNS = path.resolve(import.meta.dirname, '../../campaigns');
const ZONE = 'America/New_York';
const at = (month: number, day: number, hour: number, minute = 0) =>
  zonedTimeToUtc({ year: 2026, month, day, hour, minute }, ZONE);
const ids = Array.from({ length: 24 }, (_, i) => `ab-${i}`);
let local: LocalRuntime;
const variantOf = new Map<string, string | undefined>();
const thanks = async (id: string) =>
  (await subjectsTo(local, `${id}@example.com`)).filter((subject) => subject.startsWith('Thanks again')).length;

beforeAll(async () => {
  local = await startLocal({ now: '2026-02-01T12:00:00Z', ports: 'random' });
  local.putEvents(
    ids.map((id) => customerEvent({ customerId: id, email: `${id}@example.com`, firstName: 'Ada', locale: 'en-US', timeZone: ZONE, birthday: undefined })),
  );
  await local.drain();
  // History before the test is switched on: every customer buys at about 20:00 New York time.
  for (const [k, day] of [3, 10, 17].entries()) {
    await local.advanceTo(at(2, day, 21));
    local.putEvents(ids.map((id) => purchaseEvent({ customerId: id, orderId: `${id}-h${k}`, amount: '30.00', purchasedAt: at(2, day, 20, 5).toISOString() })));
    await local.drain();
  }
  // The local runtime published the shipped file, switched off; switched on as its comment says.
  expect(local.shipped.published).toContain('best-hour-test');
  expect(local.shipped.problems).toEqual([]);
  const dir = await mkdtemp(path.join(tmpdir(), 'best-hour-example-'));
  const source = await readFile(path.join(CAMPAIGNS, 'best-hour-test.yaml'), 'utf8');
  expect(source).toContain('enabled: false');
  await writeFile(path.join(dir, 'best-hour-test.yaml'), source.replace('enabled: false', 'enabled: true'));
  await cp(path.join(CAMPAIGNS, 'templates', 'best-hour-test'), path.join(dir, 'templates', 'best-hour-test'), { recursive: true });
  await publishJourneyFile(local, path.join(dir, 'best-hour-test.yaml'));
  // The purchase that enters them: Monday 2 March, 15:00 local.
  await local.advanceTo(at(3, 2, 15));
  local.putEvents(ids.map((id) => purchaseEvent({ customerId: id, orderId: `${id}-t`, amount: '30.00', purchasedAt: at(3, 2, 15).toISOString() })));
  await local.drain();
  for (const id of ids) {
    const state = (await customerItems(local.doc, local.tableName, id)).find((item) => item.SK === 'JOURNEY#best-hour-test#STATE');
    variantOf.set(id, state?.exitReason === 'held-out' ? 'held-out' : undefined);
  }
}, 300_000);
afterAll(() => local?.stop());

describe('shipped A/B test: best hour vs a fixed hour', () => {
  it('splits the customers who were not held out between the two variants', async () => {
    await local.advanceTo(at(3, 5, 15, 30));
    for (const id of ids) {
      if (variantOf.get(id) === 'held-out') continue;
      const state = (await customerItems(local.doc, local.tableName, id)).find((item) => item.SK === 'JOURNEY#best-hour-test#STATE');
      variantOf.set(id, state?.variant as string | undefined);
    }
    const variants = [...variantOf.values()];
    expect(variants.filter((v) => v === 'best-hour').length).toBeGreaterThan(3);
    expect(variants.filter((v) => v === 'fixed-hour').length).toBeGreaterThan(3);
    expect(variants.filter((v) => v === undefined)).toEqual([]);
  });

  it('sends the best-hour half at their 20:00, the fixed-hour half at 10:00, the holdout nothing', async () => {
    const group = (variant: string) => ids.filter((id) => variantOf.get(id) === variant);
    await local.advanceTo(at(3, 5, 19, 55));
    for (const id of ids) expect(await thanks(id), id).toBe(0);
    await local.advanceTo(at(3, 5, 20, 30));
    for (const id of group('best-hour')) expect(await thanks(id), id).toBe(1);
    for (const id of group('fixed-hour')) expect(await thanks(id), id).toBe(0);
    await local.advanceTo(at(3, 6, 9, 55));
    for (const id of group('fixed-hour')) expect(await thanks(id), id).toBe(0);
    await local.advanceTo(at(3, 6, 10, 30));
    for (const id of group('fixed-hour')) expect(await thanks(id), id).toBe(1);
    for (const id of group('held-out')) expect(await thanks(id), id).toBe(0);
  }, 120_000);

  it('compares the two variants in the report, each with its uplift over the holdout', async () => {
    // Two of the best-hour half buy again within the attribution window.
    const buyers = ids.filter((id) => variantOf.get(id) === 'best-hour').slice(0, 2);
    await local.advanceTo(at(3, 7, 20, 30));
    local.putEvents(buyers.map((id) => purchaseEvent({ customerId: id, orderId: `${id}-again`, amount: '55.00', purchasedAt: at(3, 7, 20).toISOString() })));
    await local.drain();
    const store = new SegmentStore(local.doc, local.tableName);
    const report = buildLoyaltyReport(
      await store.scanSnapshot(1),
      undefined,
      { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-20T00:00:00Z'), attributionDays: 7, currency: 'USD' },
      local.clock.now(),
    );
    const campaign = report.campaigns.find((c) => c.campaignId === 'best-hour-test');
    const count = (variant: string) => ids.filter((id) => variantOf.get(id) === variant).length;
    expect(campaign?.variants.map((v) => [v.variant, v.sent, v.heldOut, v.converted])).toEqual([
      ['best-hour', count('best-hour'), count('held-out'), 2],
      ['fixed-hour', count('fixed-hour'), count('held-out'), 0],
    ]);
    expect(renderReportText(report)).toMatch(/↳ variant best-hour\s+sent \d+ {2}held out \d+ {2}converted 2/);
  }, 120_000);
});
