// Results: the loyalty report the weekly analytics run stored for a chosen period — journeys and
// campaigns (funnel, revenue, uplift), A/B variants, coupon redemptions and results by send step and
// variant, weeks, locales, cohorts, tiers and segments — each table with its own CSV export. Read
// from the stored report, never computed per request; an older stored report comes with its missing
// parts filled empty (shared/flows/stored-report.ts) and a note naming them.
import { call } from '../api.ts';
import { type Page, showError } from '../app.ts';
import { exportableTable, field, h } from '../dom.ts';
import { t } from '../i18n.ts';
import { ATTRIBUTION_DAYS } from '#shared/domain/step-results.ts';

interface Uplift {
  uplift: number;
  newcombe: { low: number; high: number };
  significant: boolean;
}
interface Row {
  key: string;
  recipients: number;
  converted: number;
  revenueMilli: number;
  holdout: number;
  holdoutConverted: number;
}
interface CampaignRow {
  campaignId: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  recipients: number;
  converted: number;
  conversionRate: number | null;
  holdout: number;
  holdoutConversionRate: number | null;
  revenueMilli: number;
  revenuePerRecipientMilli: number | null;
  uplift?: Uplift;
  weekly: Row[];
  byLocale: Row[];
  variants: { variant: string; sent: number; heldOut: number; converted: number; conversionRate: number | null; revenueMilli: number; uplift?: Uplift }[];
  coupons: { steps: CouponRow[] };
  steps: StepRow[];
}
interface StepRow {
  step: string;
  variant?: string;
  sent: number;
  delivered: number;
  unsubscribed: number;
  converted: number;
  conversionRate: number | null;
  revenueMilli: number;
  holdout: 'entry-step' | 'later-step' | 'no-holdout';
}
interface CouponRow {
  step?: string;
  variant?: string;
  issued: number;
  redeemed: number;
  redemptionRate: number | null;
  revenueMilli: number;
}
interface Report {
  currency: string;
  attributionDays: number;
  campaigns: CampaignRow[];
  tierDistribution: { tier: string; customers: number }[];
  segments: Record<string, Record<string, number>>;
  cohortRetention: { cohort: string; customers: number; curve: { month: number; rate: number }[] }[];
}
interface StoredPeriod {
  period: string;
  from: string;
  to: string;
  computedAt: string;
}
interface Answer {
  periods: StoredPeriod[];
  period?: string;
  computedAt?: string;
  from?: string;
  to?: string;
  report?: Report;
  /** The parts a report stored by an earlier version lacks (shown empty). */
  missing?: string[];
}

const amount = (milli: number | null) => (milli === null ? '' : (milli / 1000).toFixed(2));
const percent = (rate: number | null) => (rate === null ? '' : (rate * 100).toFixed(1));
const points = (uplift: Uplift | undefined) => (uplift ? `${(uplift.uplift * 100).toFixed(1)}${uplift.significant ? ' *' : ''}` : '');
const interval = (uplift: Uplift | undefined) => (uplift ? `${(uplift.newcombe.low * 100).toFixed(1)} … ${(uplift.newcombe.high * 100).toFixed(1)}` : '');

function periodLabel(period: string): string {
  const days = /^last-(\d+)-days$/.exec(period);
  return days ? t('lastDays').replace('{n}', days[1] ?? '') : period.replace(/^month-/, '');
}

function tables(report: Report, period: string): HTMLElement[] {
  const cur = report.currency;
  const table = (caption: string, headers: string[], rows: (string | number)[][], name: string) =>
    exportableTable(caption, headers, rows, `results-${period}-${name}`, t('exportCsv'));
  const breakdown = (rows: (c: CampaignRow) => Row[], keyHeader: string, name: string, caption: string) =>
    table(
      caption,
      [t('campaign'), keyHeader, t('recipients'), t('converted'), `${t('revenue')} (${cur})`, t('holdout'), t('holdoutConverted')],
      report.campaigns.flatMap((c) => rows(c).map((r) => [c.campaignId, r.key, r.recipients, r.converted, amount(r.revenueMilli), r.holdout, r.holdoutConverted])),
      name,
    );
  const months = Math.max(0, ...report.cohortRetention.map((c) => c.curve.length));
  return [
    table(
      t('campaigns'),
      [t('campaign'), t('sent'), t('delivered'), t('opened'), t('clicked'), t('unsubscribed'), t('recipients'), t('converted'), t('conversionPct'), t('holdout'), t('holdoutConversionPct'), `${t('revenue')} (${cur})`, `${t('revenuePerRecipient')} (${cur})`, t('upliftPts'), t('upliftInterval')],
      report.campaigns.map((c) => [c.campaignId, c.sent, c.delivered, c.opened, c.clicked, c.unsubscribed, c.recipients, c.converted, percent(c.conversionRate), c.holdout, percent(c.holdoutConversionRate), amount(c.revenueMilli), amount(c.revenuePerRecipientMilli), points(c.uplift), interval(c.uplift)]),
      'campaigns',
    ),
    table(
      t('variants'),
      [t('campaign'), t('variant'), t('sent'), t('holdout'), t('converted'), t('conversionPct'), `${t('revenue')} (${cur})`, t('upliftPts'), t('upliftInterval')],
      report.campaigns.flatMap((c) => c.variants.map((v) => [c.campaignId, v.variant, v.sent, v.heldOut, v.converted, percent(v.conversionRate), amount(v.revenueMilli), points(v.uplift), interval(v.uplift)])),
      'variants',
    ),
    table(
      t('coupons'),
      [t('campaign'), t('step'), t('variant'), t('issued'), t('redeemed'), t('redemptionPct'), `${t('revenue')} (${cur})`],
      report.campaigns.flatMap((c) => c.coupons.steps.map((r) => [c.campaignId, r.step ?? '', r.variant ?? '', r.issued, r.redeemed, percent(r.redemptionRate), amount(r.revenueMilli)])),
      'coupons',
    ),
    table(
      t('stepResults').replace('{days}', String(ATTRIBUTION_DAYS)),
      [t('campaign'), t('step'), t('variant'), t('sent'), t('delivered'), t('unsubscribed'), t('converted'), t('conversionPct'), `${t('revenue')} (${cur})`, t('againstHoldout')],
      report.campaigns.flatMap((c) => c.steps.map((r) => [c.campaignId, r.step, r.variant ?? '', r.sent, r.delivered, r.unsubscribed, r.converted, percent(r.conversionRate), amount(r.revenueMilli), t(`holdout.${r.holdout}`)])),
      'steps',
    ),
    breakdown((c) => c.weekly, t('week'), 'weeks', t('byWeek')),
    breakdown((c) => c.byLocale, t('locale'), 'locales', t('byLocale')),
    table(
      t('cohorts'),
      [t('cohort'), t('customers'), ...Array.from({ length: months }, (_, month) => `${t('monthN')} ${month}`)],
      report.cohortRetention.map((c) => [c.cohort, c.customers, ...Array.from({ length: months }, (_, month) => percent(c.curve.find((point) => point.month === month)?.rate ?? null))]),
      'cohorts',
    ),
    table(t('tiers'), [t('tiers'), t('customers')], report.tierDistribution.map((row) => [row.tier, row.customers]), 'tiers'),
    ...Object.entries(report.segments).map(([family, counts]) =>
      table(`${t('segments')}: ${family}`, [t('segments'), t('customers')], Object.entries(counts).map(([name, n]) => [name, n]), `segments-${family}`),
    ),
  ];
}

export const resultsPage: Page = async (main) => {
  const choice = h('select', { id: 'period' }) as HTMLSelectElement;
  const out = h('div', { id: 'report' });
  const load = async (period?: string) => {
    try {
      const answer = await call<Answer>('results.report', period ? { period } : {});
      choice.replaceChildren(...answer.periods.map((p) => h('option', { value: p.period }, periodLabel(p.period))));
      if (!answer.report || !answer.period) {
        out.replaceChildren(h('p', {}, t('noStoredReport')));
        return;
      }
      choice.value = answer.period;
      out.replaceChildren(
        h(
          'p',
          { 'data-as-of': answer.computedAt },
          `${answer.from?.slice(0, 10)} – ${answer.to?.slice(0, 10)} · ${t('storedAsOf')} ${answer.computedAt?.slice(0, 16).replace('T', ' ')} UTC · ${t('attribution').replace('{n}', String(answer.report.attributionDays))} · ${t('significantMark')}`,
        ),
        ...(answer.missing?.length ? [h('p', { class: 'note', 'data-older-report': '' }, t('olderReport').replace('{parts}', answer.missing.join(', ')))] : []),
        ...tables(answer.report, answer.period),
      );
    } catch (error) {
      showError(out, error);
    }
  };
  const form = h('form', { class: 'row' }, field(t('period'), choice), h('button', { type: 'submit', class: 'primary' }, t('load'))) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(choice.value);
  });
  main.replaceChildren(h('h1', {}, t('results')), form, out);
  await load();
};
