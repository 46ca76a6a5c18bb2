// The global control group in `loyalty report`: the group against everyone else per month and
// over the period — purchase rate, revenue per customer, retention, each with its 95% interval —
// in the report object (--json), the text and the HTML.
import { describe, expect, it } from 'vitest';
import { renderReportText } from '../../cli/report-text.ts';
import { controlGroupResults, monthWindows } from '#shared/domain/control-group-results.ts';
import { controlGroupSchema, inGlobalControlGroup } from '#shared/domain/global-control-group.ts';
import { upliftEstimate } from '#shared/domain/uplift.ts';
import { buildLoyaltyReport } from '#shared/flows/analytics.ts';
import { renderReportHtml } from '#shared/flows/analytics-html.ts';
import { snapshotFromItems } from '#shared/store/segments.ts';

const settings = controlGroupSchema.parse({ percent: 20 });
const ids = Array.from({ length: 200 }, (_, i) => `cg-${i}`);
const control = ids.filter((id) => inGlobalControlGroup(id, settings));
const others = ids.filter((id) => !inGlobalControlGroup(id, settings));
const pk = (id: string) => `CUSTOMER#${id}`;
let orderNo = 0;
const order = (id: string, at: string, amountMilli = 50_000) => ({
  PK: pk(id),
  SK: `PURCHASE#o-${++orderNo}`,
  type: 'order',
  orderId: `o-${orderNo}`,
  amountMilli,
  purchasedAt: at,
});
// Everyone bought in January. In February every customer of the programme bought again, and
// only the first half of the control group; in March nobody did.
const items = [
  ...ids.map((id) => ({ PK: pk(id), SK: 'PROFILE', customerId: id, createdAt: '2026-12-01T00:00:00.000Z' })),
  ...ids.map((id) => order(id, '2027-01-10T10:00:00.000Z')),
  ...others.map((id) => order(id, '2027-02-10T10:00:00.000Z', 60_000)),
  ...control.slice(0, Math.floor(control.length / 2)).map((id) => order(id, '2027-02-12T10:00:00.000Z', 60_000)),
];
const period = { from: new Date('2027-02-01T00:00:00Z'), to: new Date('2027-04-01T00:00:00Z') };
const report = buildLoyaltyReport(
  snapshotFromItems(items),
  undefined,
  { ...period, attributionDays: 7, currency: 'USD', controlGroup: settings },
  new Date('2027-04-01T00:00:00Z'),
);

describe('global control group in the loyalty report', () => {
  it('splits the period into calendar months, clipped to it', () => {
    expect(monthWindows(new Date('2027-01-15T00:00:00Z'), new Date('2027-03-10T00:00:00Z')).map((m) => [m.window, m.from.toISOString().slice(0, 10), m.to.toISOString().slice(0, 10)])).toEqual([
      ['2027-01', '2027-01-15', '2027-02-01'],
      ['2027-02', '2027-02-01', '2027-03-01'],
      ['2027-03', '2027-03-01', '2027-03-10'],
    ]);
  });

  it('compares purchase rate, revenue per customer and retention per month, with intervals', () => {
    const section = report.controlGroup;
    expect(section).toMatchObject({ percent: 20, members: control.length, customers: 200 });
    const half = Math.floor(control.length / 2);
    const [february, march] = section!.months;
    expect(february).toMatchObject({
      window: '2027-02',
      control: { customers: control.length, purchasers: half, activeAtStart: control.length, retained: half },
      everyoneElse: { customers: others.length, purchasers: others.length, retained: others.length },
    });
    expect(february!.purchaseRate).toEqual(
      upliftEstimate({ converted: others.length, n: others.length }, { converted: half, n: control.length }),
    );
    expect(february!.purchaseRate!.significant).toBe(true);
    // Everyone else spent 60.00 each; the control group 60.00 × half / all.
    const controlMean = (60_000 * half) / control.length;
    expect(february!.revenuePerCustomer!.differenceMilli).toBe(Math.round(60_000 - controlMean));
    expect(february!.revenuePerCustomer!.interval.low).toBeGreaterThan(0);
    expect(february!.revenuePerCustomer!.interval.high).toBeLessThan(60_000);
    // March: nobody bought; retention is of February's buyers.
    expect(march).toMatchObject({ control: { purchasers: 0, activeAtStart: half, retained: 0 }, everyoneElse: { purchasers: 0 } });
    expect(march!.purchaseRate!.significant).toBe(false);
    expect(section!.period.window).toBe('period');
  });

  it('is absent when the group is off', () => {
    expect(controlGroupResults([], controlGroupSchema.parse({}), period)).toBeUndefined();
    const off = buildLoyaltyReport(snapshotFromItems(items), undefined, { ...period, attributionDays: 7, currency: 'USD' }, period.to);
    expect(off.controlGroup).toBeNull();
    expect(renderReportText(off)).toContain('Global control group: off');
  });

  it('shows the comparison in the text and HTML reports', () => {
    const text = renderReportText(report);
    expect(text).toContain(`Global control group: ${control.length} of 200 customers (20%) held out of every marketing journey`);
    const half = Math.floor(control.length / 2);
    const share = `${((100 * half) / control.length).toFixed(1)}%`;
    expect(text).toContain(
      `  2027-02\n    purchase rate   control ${half}/${control.length} (${share})  others ${others.length}/${others.length} (100.0%)  difference +${(100 - (100 * half) / control.length).toFixed(1)} pts [`,
    );
    const controlRevenue = `$${((60 * half) / control.length).toFixed(2)}`;
    expect(text).toMatch(new RegExp(`revenue/cust\\.   control \\${controlRevenue}  others \\$60\\.00  difference \\$\\d+\\.\\d\\d \\[\\$\\d+\\.\\d\\d, \\$\\d+\\.\\d\\d\\] \\*`));
    const html = renderReportHtml(report);
    expect(html).toContain('id="control-group"');
    expect(html).toContain('data-window="2027-03"');
    expect(html).toContain('data-window="period"');
  });
});
