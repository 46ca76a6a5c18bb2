// The terminal form of the loyalty report: aligned sections a marketer can read at a glance.
import type { BreakdownRow } from '#shared/domain/campaign-breakdown.ts';
import { formatMoney, type Milli } from '#shared/domain/money.ts';
import { STEP_HOLDOUT_MEANS } from '#shared/domain/step-results.ts';
import type { UpliftEstimate } from '#shared/domain/uplift.ts';
import { type CampaignReport, type LoyaltyReport, NO_TIER, NO_TIER_MEANS } from '#shared/flows/analytics.ts';
import { percent, revenueUpliftText } from '#shared/flows/analytics-html.ts';
import { controlGroupText } from '#shared/flows/control-group-report.ts';

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
    ? `uplift ${(u.uplift * 100).toFixed(1)} pts [${(u.newcombe.low * 100).toFixed(1)}, ${(u.newcombe.high * 100).toFixed(1)}] — ${u.significance}`
    : 'no holdout';
}

/** "2 of 7 (28.6%)": a rate always shows the group it was counted in. */
const rate = (converted: number, of: number) =>
  `${converted} of ${of} (${percent(of === 0 ? null : converted / of)})`;

function predictionsText(report: LoyaltyReport, money: (milli: Milli | null) => string): string[] {
  const p = report.predictions;
  if (p.status !== 'fitted') return ['Predictions: —', `  ${p.reason}`];
  const top = p.topByPredictedValue;
  return [
    `Predictions as of ${p.asOf.slice(0, 10)} (model fitted ${p.fittedAt.slice(0, 10)}, ${p.customers} buyers)`,
    ...counts('Churn risk (P(alive) < 0.5 high, < 0.8 medium)', p.churnRisk),
    ...(p.clv
      ? [
          `  ${pad('Predicted 12-month value')}p20 ${money(p.clv.p20)}  p40 ${money(p.clv.p40)}  p60 ${money(p.clv.p60)}  p80 ${money(p.clv.p80)}  max ${money(p.clv.max)}`,
          `  ${pad('')}mean ${money(p.clv.meanMilli)}  total ${money(p.clv.totalMilli)}`,
        ]
      : ['  Predicted value: no spend model']),
    `  Calibration ${p.calibration.period.from.slice(0, 10)} → ${p.calibration.period.to.slice(0, 10)}: mean purchases per customer by repeat purchases before it`,
    `    ${pad('repeats', 9)}${pad('customers', 11)}${pad('predicted', 11)}actual`,
    ...p.calibration.rows.map(
      (r) =>
        `    ${pad(r.repeats, 9)}${pad(String(r.customers), 11)}${pad(r.predicted.toFixed(2), 11)}${r.actual.toFixed(2)}`,
    ),
    ...(top
      ? [
          `  Top 20% by predicted value: ${top.customers} customers, ${percent(top.shareOfPredictedValue)} of it; ${top.alsoTopByPastSpend} also top 20% by past spend`,
          ...top.top.map(
            (t) =>
              `    ${pad(t.customerId, 20)} predicted ${money(t.predictedValueMilli)}  past year ${money(t.pastYearSpendMilli)}  P(alive) ${t.pAlive.toFixed(2)}`,
          ),
        ]
      : []),
  ];
}

/** Why a journey shows no uplift: it holds nobody out, or its share drew nobody yet. */
function noHoldoutText(c: CampaignReport): string {
  if (c.holdoutPercent === null) return 'none in this period: no uplift to measure';
  if (c.holdoutPercent === 0) return 'none: no uplift to measure (the journey holds nobody out: set its holdoutPercent)';
  return `none of ${c.recipients} ${c.recipients === 1 ? 'entry' : 'entries'} drawn at ${c.holdoutPercent}% in this period: no uplift to measure yet`;
}

export function renderReportText(report: LoyaltyReport): string {
  const m = report.metrics;
  const money = (milli: Milli | null) =>
    milli === null ? '—' : formatMoney(milli, report.currency, 'en-US');
  const breakdownText = (row: BreakdownRow, withHoldout: boolean) =>
    `converted ${rate(row.converted, row.recipients)}  revenue ${money(row.revenueMilli)}${withHoldout ? `  holdout ${rate(row.holdoutConverted, row.holdout)}` : ''}`;
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
      `Tier distribution (${m.customers} customers at ${m.period.to.slice(0, 10)})`,
      Object.fromEntries(report.tierDistribution.map((t) => [t.tier, t.customers])),
    ),
    ...(report.tierDistribution.some((t) => t.tier === NO_TIER) ? [`  (${NO_TIER}: ${NO_TIER_MEANS})`] : []),
    `Segments as of ${report.segmentsAsOf.slice(0, 10)} (thresholds ${report.thresholds.source})`,
    ...counts('Lifecycle stage', report.segments.lifecycle),
    ...counts('RFM segment', report.segments.rfm),
    ...counts('Value tier', report.segments.valueTier),
    ...counts('Loyalty type', report.segments.loyaltyType),
    ...counts('Relationship level', report.segments.relationshipLevel),
    '',
    `Campaigns (whole UTC days; converted = bought within ${report.attributionDays} days of the send, or of being held out; a journey counts each entry once, at its first email; a coupon counts when redeemed before it expires, however long after the send)`,
    ...(report.campaigns.length === 0
      ? ['  —']
      : report.campaigns.flatMap((c) => [
          `  ${c.campaignId}`,
          `    emails        sent ${c.sent}  delivered ${c.delivered}  bounced ${c.bounced}  complained ${c.complained}  opened ${c.opened}  clicked ${c.clicked}  unsubscribed ${c.unsubscribed}`,
          `    recipients    converted ${rate(c.converted, c.recipients)}  revenue ${money(c.revenueMilli)} (${money(c.revenuePerRecipientMilli)} per recipient)`,
          ...(c.holdout > 0 ? [`    entries       ${c.recipients} emailed + ${c.holdout} held out = ${c.recipients + c.holdout}`] : []),
          c.holdout === 0
            ? `    holdout       ${noHoldoutText(c)}`
            : `    holdout       converted ${rate(c.holdoutConverted, c.holdout)}  revenue ${money(c.holdoutRevenueMilli)} (${money(c.holdoutRevenuePerContactMilli)} per contact)`,
          ...(c.uplift ? [`    ${upliftText(c.uplift)}`] : []),
          ...(c.revenueUplift ? [`    revenue uplift ${revenueUpliftText(c.revenueUplift, money)} per recipient`] : []),
          ...c.byLocale.map(
            (row) => `    ${pad(`locale ${row.key}`, 18)}${breakdownText(row, c.holdout > 0)}`,
          ),
          ...c.weekly.map((row) => `    ${pad(`week ${row.key}`, 18)}${breakdownText(row, c.holdout > 0)}`),
          ...c.variants.map(
            (v) =>
              `    ↳ variant ${pad(v.variant, 12)} sent ${v.sent}  held out ${v.heldOut}  converted ${v.converted} (${percent(v.conversionRate)})  revenue ${money(v.revenueMilli)}  ${upliftText(v.uplift)}${v.revenueUplift ? `  revenue uplift ${revenueUpliftText(v.revenueUplift, money)} per send` : ''}`,
          ),
          ...c.steps.map(
            (step) =>
              `    ↳ step ${pad(`${step.step}${step.variant ? ` · ${step.variant}` : ''}`, 14)} sent ${step.sent}  delivered ${step.delivered}  bounced ${step.bounced}  complained ${step.complained}  opened ${step.opened}  clicked ${step.clicked}  unsubscribed ${step.unsubscribed}  converted ${rate(step.converted, step.sent)}  revenue ${money(step.revenueMilli)} (${money(step.revenuePerRecipientMilli)} per recipient)  holdout: ${STEP_HOLDOUT_MEANS[step.holdout]}`,
          ),
          ...(c.coupons.issued > 0 || c.coupons.redeemed > 0
            ? [
                `    coupons       issued ${c.coupons.issued}  redeemed ${rate(c.coupons.redeemed, c.coupons.issued)}  revenue ${money(c.coupons.revenueMilli)}`,
                ...c.coupons.steps.map(
                  (step) =>
                    `    ↳ step ${pad(`${step.step ?? '—'}${step.variant ? ` · ${step.variant}` : ''}`, 14)} issued ${step.issued}  redeemed ${rate(step.redeemed, step.issued)}  revenue ${money(step.revenueMilli)}`,
                ),
              ]
            : []),
        ])),
    `  Coupon codes not attributed (orders in the period): expired ${report.unattributedCodes.expired}, foreign ${report.unattributedCodes.foreign}, already used ${report.unattributedCodes.alreadyUsed}`,
    '',
    ...controlGroupText(report.controlGroup, report.currency),
    '',
    ...predictionsText(report, money),
  ];
  return lines.join('\n');
}
