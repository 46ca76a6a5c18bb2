// The report's global control group section in words: the terminal lines and the HTML panel, one
// row per month and one for the whole period — purchase rate, revenue per customer and retention
// of the control group beside everyone else, each difference with its 95% interval.
import type { ControlGroupSection, GroupComparison } from '../domain/control-group-results.ts';
import { formatMoney, type Milli } from '../domain/money.ts';
import type { UpliftEstimate } from '../domain/uplift.ts';
import { escapeHtml } from '../mail/render.ts';

const pct = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const rate = (n: number, of: number) => `${n}/${of} (${pct(of === 0 ? null : n / of)})`;

function points(u: UpliftEstimate | undefined): string {
  if (!u) return '—';
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
  return `${sign(u.uplift)} pts [${sign(u.newcombe.low)}, ${sign(u.newcombe.high)}]${u.significant ? ' *' : ''}`;
}

function revenue(row: GroupComparison, money: (milli: Milli | null) => string): string {
  const r = row.revenuePerCustomer;
  return r ? `${money(r.differenceMilli)} [${money(r.interval.low)}, ${money(r.interval.high)}]${r.significant ? ' *' : ''}` : '—';
}

const rows = (section: ControlGroupSection) => [...section.months, section.period];

/** What the group is, in one line; the same words in the terminal and on the page. */
function headline(section: ControlGroupSection): string {
  return `Global control group: ${section.members} of ${section.customers} customers (${section.percent}%) held out of every marketing journey, compared with everyone else`;
}

const LEGEND =
  'differences are everyone else minus the control group, with 95% intervals (rates: Newcombe; revenue: Welch); * = the interval excludes zero. Retention: of those who bought in the equally long window before, the share who bought again.';

export function controlGroupText(section: ControlGroupSection | null, currency: string): string[] {
  if (!section) return ['Global control group: off (program.yaml controlGroup.percent is 0)'];
  const money = (milli: Milli | null) => (milli === null ? '—' : formatMoney(milli, currency, 'en-US'));
  return [
    headline(section),
    `  (${LEGEND})`,
    ...rows(section).flatMap((row) => [
      `  ${row.window === 'period' ? 'whole period' : row.window}`,
      `    purchase rate   control ${rate(row.control.purchasers, row.control.customers)}  others ${rate(row.everyoneElse.purchasers, row.everyoneElse.customers)}  difference ${points(row.purchaseRate)}`,
      `    revenue/cust.   control ${money(row.control.revenuePerCustomerMilli)}  others ${money(row.everyoneElse.revenuePerCustomerMilli)}  difference ${revenue(row, money)}`,
      `    retention       control ${rate(row.control.retained, row.control.activeAtStart)}  others ${rate(row.everyoneElse.retained, row.everyoneElse.activeAtStart)}  difference ${points(row.retention)}`,
    ]),
  ];
}

export function controlGroupPanelHtml(section: ControlGroupSection | null, currency: string): string {
  if (!section)
    return '<section class="panel" style="margin-bottom:18px" id="control-group"><h2>Global control group</h2><p class="muted">Off: set controlGroup.percent in program.yaml (typical 5) to measure the whole programme against customers who get no marketing.</p></section>';
  const money = (milli: Milli | null) => (milli === null ? '—' : formatMoney(milli, currency, 'en-US'));
  const body = rows(section)
    .map(
      (row) =>
        `<tr data-window="${escapeHtml(row.window)}"><td>${escapeHtml(row.window === 'period' ? 'whole period' : row.window)}</td><td>${rate(row.control.purchasers, row.control.customers)}</td><td>${rate(row.everyoneElse.purchasers, row.everyoneElse.customers)}</td><td data-purchase-rate>${escapeHtml(points(row.purchaseRate))}</td><td>${escapeHtml(money(row.control.revenuePerCustomerMilli))}</td><td>${escapeHtml(money(row.everyoneElse.revenuePerCustomerMilli))}</td><td data-revenue>${escapeHtml(revenue(row, money))}</td><td>${rate(row.control.retained, row.control.activeAtStart)}</td><td>${rate(row.everyoneElse.retained, row.everyoneElse.activeAtStart)}</td><td data-retention>${escapeHtml(points(row.retention))}</td></tr>`,
    )
    .join('');
  return `<section class="panel" style="margin-bottom:18px" id="control-group"><h2>${escapeHtml(headline(section))}</h2><p class="muted">${escapeHtml(LEGEND)}</p><div class="scroll"><table><thead><tr><th>Month</th><th>Bought: control</th><th>Bought: others</th><th>Difference</th><th>Revenue/customer: control</th><th>Others</th><th>Difference</th><th>Retained: control</th><th>Others</th><th>Difference</th></tr></thead><tbody>${body}</tbody></table></div></section>`;
}
