// Results: the report's content (journeys and campaigns with their funnel, revenue and uplift,
// variants, segments, tiers) for a chosen period, with a CSV export of the campaign table.
import { call } from '../api.ts';
import { type Page, showError } from '../app.ts';
import { download, field, h, table } from '../dom.ts';
import { t } from '../i18n.ts';

interface Uplift {
  uplift: number;
  significant: boolean;
}
interface CampaignRow {
  campaignId: string;
  sent: number;
  delivered: number;
  converted: number;
  holdout: number;
  revenueMilli: number;
  uplift?: Uplift;
  variants: { variant: string; sent: number; converted: number }[];
}
interface Report {
  currency: string;
  campaigns: CampaignRow[];
  tierDistribution: { tier: string; customers: number }[];
  segments: Record<string, Record<string, number>>;
}

const money = (milli: number, currency: string) => new Intl.NumberFormat(document.documentElement.lang, { style: 'currency', currency }).format(milli / 1000);
const pct = (uplift: Uplift | undefined) => (uplift ? `${(uplift.uplift * 100).toFixed(1)} pts${uplift.significant ? ' *' : ''}` : '—');

function csv(report: Report): string {
  const quote = (cell: string | number) => (/[",\n]/.test(String(cell)) ? `"${String(cell).replace(/"/g, '""')}"` : String(cell));
  const rows = [
    ['campaign', 'sent', 'delivered', 'converted', 'holdout', `revenue_${report.currency}`, 'uplift_pts'],
    ...report.campaigns.map((c) => [c.campaignId, c.sent, c.delivered, c.converted, c.holdout, (c.revenueMilli / 1000).toFixed(2), c.uplift ? (c.uplift.uplift * 100).toFixed(2) : '']),
  ];
  return `${rows.map((row) => row.map(quote).join(',')).join('\n')}\n`;
}

export const resultsPage: Page = async (main, session) => {
  const now = new Date(session.now);
  const from = h('input', { type: 'date', value: new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10) }) as HTMLInputElement;
  const to = h('input', { type: 'date', value: now.toISOString().slice(0, 10) }) as HTMLInputElement;
  const out = h('div', { id: 'report' });
  const load = async () => {
    try {
      const report = await call<Report>('results.report', { from: from.value, to: to.value });
      out.replaceChildren(
        h('button', { type: 'button', onclick: () => download(`results-${from.value}-${to.value}.csv`, 'text/csv', csv(report)) }, t('exportCsv')),
        table(
          t('campaign'),
          [t('campaign'), t('sent'), t('delivered'), t('converted'), t('revenue'), t('uplift')],
          report.campaigns.map((c) => [c.campaignId, c.sent, c.delivered, c.converted, money(c.revenueMilli, report.currency), pct(c.uplift)]),
        ),
        table(t('tiers'), [t('tiers'), t('customers')], report.tierDistribution.map((row) => [row.tier, row.customers])),
        ...Object.entries(report.segments).map(([family, counts]) => table(`${t('segments')}: ${family}`, [t('segments'), t('customers')], Object.entries(counts).map(([name, n]) => [name, n]))),
      );
    } catch (error) {
      showError(out, error);
    }
  };
  const form = h('form', { class: 'row' }, field(t('from'), from), field(t('to'), to), h('button', { type: 'submit', class: 'primary' }, t('load'))) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  main.replaceChildren(h('h1', {}, t('results')), form, out);
  await load();
};
