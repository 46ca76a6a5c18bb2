// The report page's predictions panels: churn-risk bands, predicted CLV percentiles, the
// calibration chart (predicted vs actual purchases per repeat count) and the predicted top 20%.
import { formatMoney, type Milli } from '../domain/money.ts';
import { escapeHtml } from '../mail/escape-html.ts';
import type { PredictionSection } from './prediction-report.ts';

const PREDICTED = '#4f46e5';
const ACTUAL = '#16a34a';

/** Grouped bars per repeat count: model vs what happened, mean purchases per customer. */
function calibrationChart(rows: { repeats: string; predicted: number; actual: number }[]): string {
  const width = 460;
  const height = 200;
  const pad = { left: 36, bottom: 36, top: 20 };
  const max = Math.max(0.01, ...rows.flatMap((r) => [r.predicted, r.actual]));
  const slot = (width - pad.left) / Math.max(1, rows.length);
  const bar = Math.min(18, slot / 2.5);
  const y = (v: number) => height - pad.bottom - ((height - pad.bottom - pad.top) * v) / max;
  const bars = rows
    .map((r, i) => {
      const x = pad.left + i * slot + slot / 2;
      return `<rect x="${(x - bar).toFixed(1)}" y="${y(r.predicted).toFixed(1)}" width="${bar.toFixed(1)}" height="${(height - pad.bottom - y(r.predicted)).toFixed(1)}" fill="${PREDICTED}"/>
<rect x="${x.toFixed(1)}" y="${y(r.actual).toFixed(1)}" width="${bar.toFixed(1)}" height="${(height - pad.bottom - y(r.actual)).toFixed(1)}" fill="${ACTUAL}"/>
<text x="${x.toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle" class="axis">${escapeHtml(r.repeats)}</text>`;
    })
    .join('\n');
  return `<svg id="chart-calibration" viewBox="0 0 ${width} ${height}" width="100%" role="img">
<text x="${pad.left}" y="12" class="legend" fill="${PREDICTED}">■ predicted</text><text x="${pad.left + 90}" y="12" class="legend" fill="${ACTUAL}">■ actual</text>
<text x="${width / 2}" y="${height - 4}" text-anchor="middle" class="axis">repeat purchases before the period</text>
<text x="4" y="${y(max).toFixed(1)}" class="axis">${max.toFixed(1)}</text>
${bars}</svg>`;
}

export function predictionPanelsHtml(section: PredictionSection, currency: string): string {
  if (section.status !== 'fitted') {
    return `<section class="panel" style="margin-bottom:18px"><h2>Predictions</h2><p class="muted">No predictions: ${escapeHtml(section.reason)}</p></section>`;
  }
  const money = (milli: Milli) => escapeHtml(formatMoney(milli, currency, 'en-US'));
  const bandTotal = Math.max(1, Object.values(section.churnRisk).reduce((a, b) => a + b, 0));
  const bands = Object.entries(section.churnRisk)
    .map(
      ([band, n]) =>
        `<tr data-churn-risk="${escapeHtml(band)}"><td>${escapeHtml(band)}</td><td>${n}</td><td style="width:60%"><div style="background:#4f46e5;height:12px;border-radius:3px;width:${((100 * n) / bandTotal).toFixed(1)}%"></div></td></tr>`,
    )
    .join('');
  const clv = section.clv
    ? `<table><tbody>${(
        [
          ['20th percentile', section.clv.p20],
          ['40th percentile', section.clv.p40],
          ['60th percentile', section.clv.p60],
          ['80th percentile', section.clv.p80],
          ['highest', section.clv.max],
          ['mean', section.clv.meanMilli],
          ['total', section.clv.totalMilli],
        ] as const
      )
        .map(([label, value]) => `<tr><td>${label}</td><td>${money(value)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">No spend model: predicted value unavailable.</p>';
  const top = section.topByPredictedValue
    ? `<p>The top ${section.topByPredictedValue.customers} by predicted value hold ${(section.topByPredictedValue.shareOfPredictedValue * 100).toFixed(1)}% of it; ${section.topByPredictedValue.alsoTopByPastSpend} of them are also in the top 20% by past 12-month spend.</p><table><thead><tr><th>Customer</th><th>Predicted 12-month value</th><th>Past 12-month spend</th><th>P(alive)</th></tr></thead><tbody>${section.topByPredictedValue.top
        .map(
          (t) =>
            `<tr><td>${escapeHtml(t.customerId)}</td><td>${money(t.predictedValueMilli)}</td><td>${money(t.pastYearSpendMilli)}</td><td>${t.pAlive.toFixed(2)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const c = section.calibration;
  return `<div class="grid2">
<section class="panel"><h2>Churn risk (P(alive) bands) <span class="muted">as of ${escapeHtml(section.asOf.slice(0, 10))}, model fitted ${escapeHtml(section.fittedAt.slice(0, 10))}</span></h2><table><tbody>${bands}</tbody></table><h3>Predicted 12-month value per customer</h3>${clv}</section>
<section class="panel"><h2>Calibration: purchases in ${c.period.from.slice(0, 10)} → ${c.period.to.slice(0, 10)}, predicted vs actual</h2>${c.rows.length ? calibrationChart(c.rows) : '<p class="muted">No customers had bought before the period.</p>'}</section>
</div>
<section class="panel" style="margin-bottom:18px"><h2>80/20 by predicted value</h2>${top}</section>`;
}
