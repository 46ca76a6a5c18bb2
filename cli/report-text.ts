// The terminal form of the loyalty report: aligned sections a marketer can read at a glance.
import { formatMoney, type Milli } from '#shared/domain/money.ts';
import type { UpliftEstimate } from '#shared/domain/uplift.ts';
import type { LoyaltyReport } from '#shared/flows/analytics.ts';
import { percent } from '#shared/flows/analytics-html.ts';

const pad = (label: string, width = 24) => label.padEnd(width);

function counts(title: string, values: Record<string, number>): string[] {
  const entries = Object.entries(values).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return [`${title}: —`];
  const max = Math.max(...entries.map(([, n]) => n));
  return [
    `${title}`,
    ...entries.map(
      ([name, n]) =>
        `  ${pad(name, 20)} ${String(n).padStart(6)}  ${'█'.repeat(Math.max(1, Math.round((20 * n) / max)))}`,
    ),
  ];
}

function upliftText(u: UpliftEstimate | undefined): string {
  return u
    ? `uplift ${(u.uplift * 100).toFixed(1)} pts [${(u.newcombe.low * 100).toFixed(1)}, ${(u.newcombe.high * 100).toFixed(1)}]${u.significant ? ' *' : ''}`
    : 'no holdout';
}

export function renderReportText(report: LoyaltyReport): string {
  const m = report.metrics;
  const money = (milli: Milli | null) =>
    milli === null ? '—' : formatMoney(milli, report.currency, 'en-US');
  const lines = [
    `Loyalty report  ${m.period.from.slice(0, 10)} → ${m.period.to.slice(0, 10)}${m.cohort ? `  cohort ${m.cohort}` : ''}`,
    '',
    `  ${pad('Customers')}${m.customers}`,
    `  ${pad('Retention rate')}${percent(m.retentionRate)}  (${m.retained} of ${m.activeAtStart} bought again)`,
    `  ${pad('Churn rate')}${percent(m.churnRate)}`,
    `  ${pad('Repeat purchase rate')}${percent(m.repeatPurchaseRate)}`,
    `  ${pad('Orders / revenue')}${m.orders} / ${money(m.revenueMilli)}`,
    `  ${pad('Average order value')}${money(m.averageOrderValueMilli)}`,
    `  ${pad('Purchase frequency')}${m.purchaseFrequency === null ? '—' : m.purchaseFrequency.toFixed(2)}`,
    `  ${pad('CLV historical')}${money(m.historicalClvMilli)}`,
    `  ${pad('CLV predictive')}${money(m.predictiveClvMilli)}`,
    `  ${pad('NPS')}${m.nps.score === null ? '—' : m.nps.score.toFixed(0)}  (${m.nps.responses} answers)`,
    '',
    ...counts(
      'Tier distribution',
      Object.fromEntries(report.tierDistribution.map((t) => [t.tier, t.customers])),
    ),
    ...counts('Lifecycle stage', report.segments.lifecycle),
    ...counts('RFM segment', report.segments.rfm),
    ...counts('Value tier', report.segments.valueTier),
    ...counts('Loyalty type', report.segments.loyaltyType),
    ...counts('Relationship level', report.segments.relationshipLevel),
    '',
    'Campaigns',
    ...(report.campaigns.length === 0
      ? ['  —']
      : report.campaigns.flatMap((c) => [
          `  ${pad(c.campaignId, 20)} sent ${c.sent}  delivered ${c.delivered}  opened ${c.opened}  clicked ${c.clicked}  converted ${c.converted} (${percent(c.conversionRate)})  revenue ${money(c.revenueMilli)}  ${upliftText(c.uplift)}`,
          ...c.variants.map(
            (v) =>
              `    ↳ variant ${pad(v.variant, 12)} sent ${v.sent}  held out ${v.heldOut}  converted ${v.converted} (${percent(v.conversionRate)})  revenue ${money(v.revenueMilli)}  ${upliftText(v.uplift)}`,
          ),
        ])),
  ];
  return lines.join('\n');
}
