// Renders a LoyaltyReport as one self-contained HTML page: inline CSS and SVG charts (tier
// distribution, cohort retention, campaign funnel, uplift with its 95% interval), no scripts, no CDN.
import type { RedemptionRow } from '../domain/coupon-results.ts';
import type { RevenueUplift } from '../domain/uplift.ts';
import type { BreakdownRow } from '../domain/campaign-breakdown.ts';
import { formatMoney, type Milli } from '../domain/money.ts';
import { STEP_HOLDOUT_MEANS, type StepHoldout } from '../domain/step-results.ts';
import {
  type CampaignReport,
  FUNNEL_STEPS,
  type LoyaltyReport,
  NO_TIER,
  NO_TIER_MEANS,
} from './analytics.ts';
import { controlGroupPanelHtml } from './control-group-report.ts';
import { predictionPanelsHtml } from './prediction-report-html.ts';

const PALETTE = ['#4f46e5', '#0891b2', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#db2777', '#475569'];

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export const percent = (value: number | null, digits = 1) =>
  value === null ? '—' : `${(value * 100).toFixed(digits)}%`;
const num = (value: number | null, digits = 2) => (value === null ? '—' : value.toFixed(digits));

function money(report: LoyaltyReport, milli: Milli | null): string {
  return milli === null ? '—' : formatMoney(milli, report.currency, 'en-US');
}

function card(label: string, value: string, key: string, hint: string): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value" data-metric="${key}">${escapeHtml(value)}</div><div class="hint">${escapeHtml(hint)}</div></div>`;
}

/** Horizontal bars, one per entry, labelled with the count. */
function barChart(
  entries: { label: string; value: number }[],
  options: { width?: number; color?: string; id: string },
): string {
  const width = options.width ?? 460;
  const row = 26;
  const labelWidth = 140;
  const max = Math.max(1, ...entries.map((e) => e.value));
  const bars = entries
    .map((entry, i) => {
      const w = ((width - labelWidth - 50) * entry.value) / max;
      const y = i * row;
      const color = options.color ?? PALETTE[i % PALETTE.length];
      return `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" class="axis">${escapeHtml(entry.label)}</text>
<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${row - 8}" rx="3" fill="${color}"/>
<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 17}" class="val">${entry.value}</text>`;
    })
    .join('\n');
  return `<svg id="${options.id}" viewBox="0 0 ${width} ${Math.max(row, entries.length * row)}" width="100%" role="img">${bars}</svg>`;
}

function retentionChart(report: LoyaltyReport): string {
  const width = 460;
  const height = 220;
  const pad = { left: 44, right: 90, top: 12, bottom: 30 };
  const months = Math.max(1, ...report.cohortRetention.map((c) => c.curve.length - 1));
  const x = (m: number) => pad.left + ((width - pad.left - pad.right) * m) / months;
  const y = (rate: number) => pad.top + (height - pad.top - pad.bottom) * (1 - rate);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (r) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(r)}" y2="${y(r)}" class="grid"/><text x="${pad.left - 6}" y="${y(r) + 4}" text-anchor="end" class="axis">${r * 100}%</text>`,
    )
    .join('');
  const ticks = Array.from(
    { length: months + 1 },
    (_, m) => `<text x="${x(m)}" y="${height - 10}" text-anchor="middle" class="axis">M${m}</text>`,
  ).join('');
  const lines = report.cohortRetention
    .map((cohort, i) => {
      const color = PALETTE[i % PALETTE.length];
      const points = cohort.curve.map((p) => `${x(p.month).toFixed(1)},${y(p.rate).toFixed(1)}`).join(' ');
      return `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2.5"/>${cohort.curve.map((p) => `<circle cx="${x(p.month).toFixed(1)}" cy="${y(p.rate).toFixed(1)}" r="3" fill="${color}"/>`).join('')}
<text x="${width - pad.right + 8}" y="${14 + i * 16}" class="legend" style="fill:${color}">${escapeHtml(cohort.cohort)} (${cohort.customers})</text>`;
    })
    .join('\n');
  const empty =
    report.cohortRetention.length === 0
      ? `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="axis">no cohorts yet</text>`
      : '';
  return `<svg id="chart-retention" viewBox="0 0 ${width} ${height}" width="100%" role="img">${grid}${ticks}${lines}${empty}</svg>`;
}

function funnelChart(campaign: CampaignReport, index: number): string {
  const values = FUNNEL_STEPS.map((step) => ({ label: step, value: campaign[step] }));
  return `<h3>${escapeHtml(campaign.campaignId)}</h3>${barChart(values, { id: `chart-funnel-${index}`, color: PALETTE[index % PALETTE.length] })}`;
}

function upliftChart(report: LoyaltyReport): string {
  const rows = report.campaigns.filter((c) => c.uplift);
  if (rows.length === 0) return '<p class="muted">No campaign with a holdout group in this period.</p>';
  const width = 460;
  const row = 34;
  const labelWidth = 130;
  const bound = Math.max(
    0.05,
    ...rows.flatMap((c) => [Math.abs(c.uplift?.newcombe.low ?? 0), Math.abs(c.uplift?.newcombe.high ?? 0)]),
  );
  const plot = width - labelWidth - 20;
  const x = (d: number) => labelWidth + plot / 2 + (plot / 2) * (d / bound);
  const height = rows.length * row + 44;
  const marks = rows
    .map((c, i) => {
      const u = c.uplift as NonNullable<CampaignReport['uplift']>;
      const yy = i * row + 30;
      const color = u.significant ? '#16a34a' : '#64748b';
      return `<text x="${labelWidth - 8}" y="${yy + 4}" text-anchor="end" class="axis">${escapeHtml(c.campaignId)}</text>
<line x1="${x(u.newcombe.low).toFixed(1)}" x2="${x(u.newcombe.high).toFixed(1)}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="3"/>
<circle cx="${x(u.uplift).toFixed(1)}" cy="${yy}" r="5" fill="${color}"/>
<text x="${x(u.uplift).toFixed(1)}" y="${yy - 9}" text-anchor="middle" class="val">${(u.uplift * 100).toFixed(1)} pts</text>`;
    })
    .join('\n');
  return `<svg id="chart-uplift" viewBox="0 0 ${width} ${height}" width="100%" role="img">
<line x1="${x(0)}" x2="${x(0)}" y1="0" y2="${height - 18}" class="zero"/>
<text x="${x(0)}" y="${height - 4}" text-anchor="middle" class="axis">0</text>
<text x="${x(-bound)}" y="${height - 4}" class="axis">${(-bound * 100).toFixed(0)} pts</text>
<text x="${x(bound)}" y="${height - 4}" text-anchor="end" class="axis">+${(bound * 100).toFixed(0)} pts</text>
${marks}</svg>`;
}

function interval(u: CampaignReport['uplift']): string {
  return u
    ? `${(u.uplift * 100).toFixed(1)} pts [${(u.newcombe.low * 100).toFixed(1)}, ${(u.newcombe.high * 100).toFixed(1)}] — ${u.significance}`
    : '—';
}

/** "+$1.20 [−$0.40, +$2.80] — not significant at 95%: …" (text and HTML alike). */
export function revenueUpliftText(u: RevenueUplift, format: (milli: Milli) => string): string {
  const signed = (milli: Milli) => `${milli < 0 ? '−' : '+'}${format(Math.abs(milli))}`;
  return `${signed(u.differenceMilli)} [${signed(u.interval.low)}, ${signed(u.interval.high)}] — ${u.significance}`;
}

function revenueInterval(report: LoyaltyReport, u: RevenueUplift | undefined): string {
  return u ? revenueUpliftText(u, (milli) => money(report, milli)) : '— (needs 2+ recipients and held-out contacts)';
}

/** "2 of 7 (28.6%)": the group a rate was counted in, beside the rate. */
const rateOf = (converted: number, of: number) =>
  `${converted} of ${of} (${percent(of === 0 ? null : converted / of)})`;

function campaignTable(report: LoyaltyReport): string {
  if (report.campaigns.length === 0) return '<p class="muted">No campaign sends in this period.</p>';
  const rows = report.campaigns
    .map((c) => {
      const ci = interval(c.uplift);
      const variants = c.variants
        .map(
          (v) =>
            `<tr data-campaign="${escapeHtml(c.campaignId)}" data-variant="${escapeHtml(v.variant)}"><td>↳ variant ${escapeHtml(v.variant)}</td><td>${v.sent}</td><td colspan="6"></td><td>${v.sent}</td><td data-conversion>${rateOf(v.converted, v.sent)}</td><td>${escapeHtml(money(report, v.revenueMilli))}</td><td>${rateOf(v.holdoutConverted, v.heldOut)}</td><td data-uplift>${escapeHtml(interval(v.uplift))}</td><td data-revenue-uplift>${escapeHtml(revenueInterval(report, v.revenueUplift))}</td></tr>`,
        )
        .join('');
      return `<tr data-campaign="${escapeHtml(c.campaignId)}"><td>${escapeHtml(c.campaignId)}</td><td>${c.sent}</td><td>${c.delivered}</td><td>${c.bounced}</td><td>${c.complained}</td><td>${c.opened}</td><td>${c.clicked}</td><td>${c.unsubscribed}</td><td>${c.recipients}</td><td data-conversion>${rateOf(c.converted, c.recipients)}</td><td>${escapeHtml(money(report, c.revenueMilli))}</td><td>${rateOf(c.holdoutConverted, c.holdout)}</td><td data-uplift>${escapeHtml(ci)}</td><td data-revenue-uplift>${escapeHtml(revenueInterval(report, c.revenueUplift))}</td></tr>${variants}`;
    })
    .join('');
  return `<div class="scroll"><p class="muted">Converted: bought within ${report.attributionDays} days of the send (holdout: of being held out). Sent counts emails; recipients are the sends the ledger attributes. Coupons count when redeemed before they expire, however long after the send.</p><table><thead><tr><th>Campaign</th><th>Sent</th><th>Delivered</th><th>Bounced</th><th>Complained</th><th>Opened</th><th>Clicked</th><th>Unsub.</th><th>Recipients</th><th>Converted (of recipients)</th><th>Revenue</th><th>Holdout converted</th><th>Uplift (95% CI)</th><th>Revenue uplift per recipient (95% CI)</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A step row's comparison in a table cell; the full sentence is its title and under the table. */
const STEP_HOLDOUT_LABELS: Record<StepHoldout, string> = {
  'entry-step': 'the journey’s uplift',
  'later-step': 'none of its own: read the journey’s',
  'no-holdout': 'no holdout',
};

/** Per journey, each send step and variant from the step counters (emails sent in the period). */
function stepTable(report: LoyaltyReport): string {
  const rows = report.campaigns
    .flatMap((c) =>
      c.steps.map(
        (s) =>
          `<tr data-steps="${escapeHtml(c.campaignId)}" data-step="${escapeHtml(s.step)}"${s.variant ? ` data-variant="${escapeHtml(s.variant)}"` : ''}><td>${escapeHtml(c.campaignId)}</td><td>${escapeHtml(s.step)}${s.variant ? ` · ${escapeHtml(s.variant)}` : ''}</td><td>${s.sent}</td><td>${s.delivered}</td><td>${s.bounced}</td><td>${s.complained}</td><td>${s.opened}</td><td>${s.clicked}</td><td data-unsubscribed>${s.unsubscribed}</td><td data-conversion>${rateOf(s.converted, s.sent)}</td><td>${escapeHtml(money(report, s.revenueMilli))}</td><td>${escapeHtml(money(report, s.revenuePerRecipientMilli))}</td><td data-holdout="${s.holdout}" title="${escapeHtml(STEP_HOLDOUT_MEANS[s.holdout])}">${STEP_HOLDOUT_LABELS[s.holdout]}</td></tr>`,
      ),
    )
    .join('');
  if (!rows) return '<p class="muted">No journey emails sent in this period.</p>';
  return `<div class="scroll"><p class="muted">By the day each email was sent; converted: a purchase within 7 days of the email; unsubscribed: through this email’s link. The holdout is drawn at entry, so a step has no uplift of its own: the journey’s first step shares the journey’s (${escapeHtml(STEP_HOLDOUT_MEANS['entry-step'])}); a later step is ${escapeHtml(STEP_HOLDOUT_MEANS['later-step'])}.</p><table><thead><tr><th>Journey</th><th>Step · variant</th><th>Sent</th><th>Delivered</th><th>Bounced</th><th>Complained</th><th>Opened</th><th>Clicked</th><th>Unsub.</th><th>Converted (of sent)</th><th>Revenue</th><th>Per recipient</th><th>Against the holdout</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** Coupons per journey and send step: codes issued in the period, how many of those redeemed. */
function couponTable(report: LoyaltyReport): string {
  const journeys = report.campaigns.filter((c) => c.coupons.issued > 0 || c.coupons.redeemed > 0);
  const u = report.unattributedCodes;
  const unattributed = `<p class="muted" data-unattributed>Codes on orders in the period not attributed to any journey: expired ${u.expired}, foreign (not ours, or another customer's) ${u.foreign}, already used ${u.alreadyUsed}.</p>`;
  if (journeys.length === 0) return `<p class="muted">No unique coupon codes issued in this period.</p>${unattributed}`;
  const line = (attrs: string, label: string, r: RedemptionRow) =>
    `<tr ${attrs}><td>${escapeHtml(label)}</td><td>${r.issued}</td><td data-redeemed>${rateOf(r.redeemed, r.issued)}</td><td>${escapeHtml(money(report, r.revenueMilli))}</td></tr>`;
  const rows = journeys
    .map(
      (c) =>
        line(`data-coupons="${escapeHtml(c.campaignId)}"`, c.campaignId, c.coupons) +
        c.coupons.steps
          .map((step) =>
            line(
              `data-coupons="${escapeHtml(c.campaignId)}" data-step="${escapeHtml(step.step ?? '')}"`,
              `↳ step ${step.step ?? '—'}${step.variant ? ` · variant ${step.variant}` : ''}`,
              step,
            ),
          )
          .join(''),
    )
    .join('');
  return `<div class="scroll"><table><thead><tr><th>Journey / step</th><th>Codes issued</th><th>Redeemed (of issued)</th><th>Revenue of redeeming orders</th></tr></thead><tbody>${rows}</tbody></table></div>${unattributed}`;
}

/** Per campaign: the weekly trend and the split by locale, each row with its own groups. */
function breakdownTables(report: LoyaltyReport): string {
  const table = (title: string, rows: BreakdownRow[], attr: string) =>
    `<h3>${escapeHtml(title)}</h3><div class="scroll"><table><thead><tr><th></th><th>Recipients</th><th>Converted</th><th>Revenue</th><th>Per recipient</th><th>Holdout converted</th></tr></thead><tbody>${rows
      .map(
        (row) =>
          `<tr ${attr}="${escapeHtml(row.key)}"><td>${escapeHtml(row.key)}</td><td>${row.recipients}</td><td>${rateOf(row.converted, row.recipients)}</td><td>${escapeHtml(money(report, row.revenueMilli))}</td><td>${escapeHtml(money(report, row.revenuePerRecipientMilli))}</td><td>${rateOf(row.holdoutConverted, row.holdout)}</td></tr>`,
      )
      .join('')}</tbody></table></div>`;
  return report.campaigns
    .map(
      (c) =>
        `<section class="panel" style="margin-bottom:18px" data-breakdown="${escapeHtml(c.campaignId)}"><h2>${escapeHtml(c.campaignId)}: by week and by locale</h2>${table('Trend per week (Monday of the send)', c.weekly, 'data-week')}${table('By locale', c.byLocale, 'data-locale')}</section>`,
    )
    .join('');
}

function segmentBars(title: string, counts: Record<string, number>, id: string, asOf: string): string {
  const entries = Object.entries(counts).map(([label, value]) => ({ label, value }));
  return `<section class="panel"><h2>${escapeHtml(title)} <span class="muted">as of ${escapeHtml(asOf.slice(0, 10))}</span></h2>${barChart(entries, { id, width: 420 })}</section>`;
}

export function renderReportHtml(report: LoyaltyReport): string {
  const m = report.metrics;
  const period = `${m.period.from.slice(0, 10)} → ${m.period.to.slice(0, 10)}`;
  const cards = [
    card(
      'Customers',
      String(m.customers),
      'customers',
      m.cohort ? `cohort ${m.cohort}` : 'signed up by the period end',
    ),
    card(
      'Retention rate',
      percent(m.retentionRate),
      'retentionRate',
      `${m.retained} of ${m.activeAtStart} came back`,
    ),
    card('Churn rate', percent(m.churnRate), 'churnRate', 'did not buy again this period'),
    card(
      'Repeat purchase rate',
      percent(m.repeatPurchaseRate),
      'repeatPurchaseRate',
      `of ${m.purchasers} buyers`,
    ),
    card(
      'Average order value',
      money(report, m.averageOrderValueMilli),
      'averageOrderValue',
      `${m.orders} orders`,
    ),
    card('Purchase frequency', num(m.purchaseFrequency), 'purchaseFrequency', 'orders per buyer'),
    card('Revenue', money(report, m.revenueMilli), 'revenue', 'net of refunds'),
    card(
      'CLV (historical)',
      money(report, m.historicalClvMilli),
      'historicalClv',
      'lifetime spend per buyer',
    ),
    card(
      'CLV (predictive)',
      money(report, m.predictiveClvMilli),
      'predictiveClv',
      `AOV × freq × ${num(m.expectedLifetimePeriods, 1)} periods`,
    ),
    card(
      'NPS',
      m.nps.score === null ? '—' : m.nps.score.toFixed(0),
      'nps',
      `${m.nps.responses} answers: ${m.nps.promoters} promoters, ${m.nps.detractors} detractors`,
    ),
  ].join('');
  const migration = m.tierMigration.length
    ? `<div class="scroll"><table><thead><tr><th>From</th><th>To</th><th>Customers</th></tr></thead><tbody>${m.tierMigration
        .map(
          (r) => `<tr><td>${escapeHtml(r.from)}</td><td>${escapeHtml(r.to)}</td><td>${r.customers}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="muted">No tiers yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loyalty report ${escapeHtml(period)}</title>
<style>
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#0f172a;background:#f1f5f9}
header{background:linear-gradient(120deg,#312e81,#4f46e5);color:#fff;padding:28px 36px}header h1{margin:0 0 4px;font-size:26px}header p{margin:0;opacity:.85}
main{padding:24px 36px;max-width:1280px;margin:0 auto}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:14px;margin-bottom:22px}
.card{background:#fff;border-radius:12px;padding:14px 16px;box-shadow:0 1px 3px rgba(15,23,42,.08)}.label{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#64748b}
.value{font-size:26px;font-weight:700;margin:4px 0}.hint{font-size:12px;color:#94a3b8}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:18px;margin-bottom:18px}
.scroll{overflow-x:auto}@media (max-width:600px){header{padding:20px 16px}main{padding:16px 12px}footer{padding:0 12px 20px}.value{font-size:22px}}
.panel{background:#fff;border-radius:12px;padding:16px 20px;box-shadow:0 1px 3px rgba(15,23,42,.08)}.panel h2{font-size:16px;margin:0 0 12px}.panel h3{font-size:13px;margin:10px 0 4px;color:#334155}
svg text{font-size:12px;fill:#334155}svg .val{font-weight:600}svg .legend{font-weight:600}svg .grid{stroke:#e2e8f0}svg .zero{stroke:#94a3b8;stroke-dasharray:4 3}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px 8px;border-bottom:1px solid #e2e8f0;text-align:right}th:first-child,td:first-child{text-align:left}th{color:#64748b;font-weight:600}
.muted{color:#94a3b8}footer{padding:0 36px 28px;color:#64748b;font-size:12px;max-width:1280px;margin:0 auto}
</style></head>
<body>
<header><h1>Loyalty report</h1><p>Period <strong id="period">${escapeHtml(period)}</strong>${m.cohort ? ` · cohort <strong>${escapeHtml(m.cohort)}</strong>` : ''} · attribution window ${report.attributionDays} days · generated ${escapeHtml(report.generatedAt.slice(0, 16).replace('T', ' '))} UTC</p></header>
<main>
<div class="cards">${cards}</div>
<div class="grid2">
<section class="panel"><h2>Tier distribution (${m.customers} customers at the period end)</h2>${
    report.tierDistribution.length
      ? barChart(
          report.tierDistribution.map((t) => ({ label: t.tier, value: t.customers })),
          { id: 'chart-tiers' },
        )
      : '<p class="muted">No tiers yet.</p>'
  }${report.tierDistribution.some((t) => t.tier === NO_TIER) ? `<p class="muted">${escapeHtml(NO_TIER)}: ${escapeHtml(NO_TIER_MEANS)}.</p>` : ''}<h3>Tier migration (period start → end)</h3>${migration}</section>
<section class="panel"><h2>Cohort retention (share buying each month after the first purchase)</h2>${retentionChart(report)}</section>
</div>
<div class="grid2">
<section class="panel"><h2>Campaign funnel</h2>${report.campaigns.length ? report.campaigns.map(funnelChart).join('') : '<p class="muted">No campaign sends in this period.</p>'}</section>
<section class="panel"><h2>Uplift vs holdout (95% Newcombe interval)</h2>${upliftChart(report)}</section>
</div>
<section class="panel" style="margin-bottom:18px"><h2>Campaign results</h2>${campaignTable(report)}</section>
<section class="panel" style="margin-bottom:18px"><h2>Results per send step</h2>${stepTable(report)}</section>
<section class="panel" style="margin-bottom:18px"><h2>Coupons</h2>${couponTable(report)}</section>
${breakdownTables(report)}
${controlGroupPanelHtml(report.controlGroup, report.currency)}
<div class="grid2">
${segmentBars('Lifecycle stage', report.segments.lifecycle, 'chart-lifecycle', report.segmentsAsOf)}
${segmentBars('RFM segment', report.segments.rfm, 'chart-rfm', report.segmentsAsOf)}
${segmentBars('Loyalty type', report.segments.loyaltyType, 'chart-loyalty-type', report.segmentsAsOf)}
${segmentBars('Relationship level', report.segments.relationshipLevel, 'chart-relationship', report.segmentsAsOf)}
${segmentBars('Value tier (80/20)', report.segments.valueTier, 'chart-value-tier', report.segmentsAsOf)}
</div>
${predictionPanelsHtml(report.predictions, report.currency)}
</main>
<footer>Segments as of ${escapeHtml(report.segmentsAsOf.slice(0, 10))}; thresholds from the ${escapeHtml(report.thresholds.source)} (${escapeHtml(report.thresholds.computedAt.slice(0, 10))})${report.thresholds.valueTierThresholdMilli ? `, high-value from ${escapeHtml(money(report, report.thresholds.valueTierThresholdMilli))} 12-month spend` : ''}. Definitions: docs/segments-and-analytics.md.</footer>
</body></html>
`;
}
