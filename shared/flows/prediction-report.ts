// The report's predictions section: predicted 12-month value (CLV) distribution, customers by
// churn-risk band, predicted vs actual purchases over the report period (calibration by repeat
// count, as in the paper's conditional-expectation plot), and the top of the 80/20 split by
// predicted rather than past value. Pure: recomputed from the snapshot as of one instant.
import { DAY_MS } from '../domain/clock.ts';
import { expectedPurchases } from '../domain/bgnbd.ts';
import { CHURN_RISK_BANDS, predictCustomer, purchaseSummary } from '../domain/customer-predictions.ts';
import type { CustomerFacts } from '../domain/metrics.ts';
import type { Milli } from '../domain/money.ts';
import { quintileCuts } from '../domain/rfm.ts';
import type { StoredPredictionModel } from '../store/predictions.ts';
import { rollingSpendMilli } from './segments.ts';

/** Repeat counts up to this get their own calibration row; higher ones share "N+". */
const CALIBRATION_MAX_X = 7;
const TOP_LISTED = 10;

export interface PredictionReport {
  status: 'fitted';
  fittedAt: string;
  asOf: string;
  customers: number;
  /** Predicted 12-month value: percentiles, mean and total; absent without a spend model. */
  clv?: { p20: Milli; p40: Milli; p60: Milli; p80: Milli; max: Milli; meanMilli: Milli; totalMilli: Milli };
  churnRisk: Record<string, number>;
  /**
   * Customers as they stood at the period start, grouped by repeat purchases then: predicted
   * (model) vs actual mean purchase days within the period. The model is the stored one, which
   * may have seen part of the period.
   */
  calibration: { period: { from: string; to: string; days: number }; rows: { repeats: string; customers: number; predicted: number; actual: number }[] };
  /** Top 20% by predicted 12-month value: their share of it and how many are top 20% by past spend too. */
  topByPredictedValue?: {
    customers: number;
    shareOfPredictedValue: number;
    alsoTopByPastSpend: number;
    top: { customerId: string; predictedValueMilli: Milli; pastYearSpendMilli: Milli; pAlive: number }[];
  };
}

export type PredictionSection = PredictionReport | { status: 'not-fitted'; reason: string };

export function predictionSection(
  stored: StoredPredictionModel | undefined,
  customers: readonly CustomerFacts[],
  period: { from: Date; to: Date },
  asOf: Date,
): PredictionSection {
  if (!stored) return { status: 'not-fitted', reason: 'no fit yet: the weekly analytics run (or `loyalty predict fit`) has not run' };
  if (stored.status !== 'fitted') return { status: 'not-fitted', reason: stored.reason };
  const { model } = stored;
  const predicted = customers.flatMap((customer) => {
    const summary = purchaseSummary(customer.orders, asOf);
    return summary ? [{ customer, prediction: predictCustomer(model, stored.at, summary, asOf) }] : [];
  });
  const churnRisk = Object.fromEntries(CHURN_RISK_BANDS.map((band) => [band, 0]));
  for (const { prediction } of predicted) churnRisk[prediction.churnRisk] = (churnRisk[prediction.churnRisk] ?? 0) + 1;

  const valued = predicted
    .filter((p) => p.prediction.predictedValue12mMilli !== undefined)
    .map((p) => ({ ...p, value: p.prediction.predictedValue12mMilli ?? 0 }))
    .sort((a, b) => b.value - a.value);
  const total = valued.reduce((sum, p) => sum + p.value, 0);
  const cuts = quintileCuts(valued.map((p) => p.value));
  const topCount = Math.ceil(valued.length / 5);
  const top = valued.slice(0, topCount);
  const pastSpend = (customer: CustomerFacts) => rollingSpendMilli(customer, asOf);
  const pastTop = new Set(
    [...predicted]
      .sort((a, b) => pastSpend(b.customer) - pastSpend(a.customer))
      .slice(0, topCount)
      .map((p) => p.customer.customerId),
  );
  return {
    status: 'fitted',
    fittedAt: stored.at,
    asOf: asOf.toISOString(),
    customers: predicted.length,
    ...(cuts && valued.length
      ? {
          clv: {
            p20: cuts[0],
            p40: cuts[1],
            p60: cuts[2],
            p80: cuts[3],
            max: valued[0]?.value ?? 0,
            meanMilli: Math.round(total / valued.length),
            totalMilli: total,
          },
          topByPredictedValue: {
            customers: top.length,
            shareOfPredictedValue: total === 0 ? 0 : top.reduce((sum, p) => sum + p.value, 0) / total,
            alsoTopByPastSpend: top.filter((p) => pastTop.has(p.customer.customerId)).length,
            top: top.slice(0, TOP_LISTED).map((p) => ({
              customerId: p.customer.customerId,
              predictedValueMilli: p.value,
              pastYearSpendMilli: pastSpend(p.customer),
              pAlive: p.prediction.pAlive,
            })),
          },
        }
      : {}),
    churnRisk,
    calibration: calibration(model.bgnbd, customers, period),
  };
}

function calibration(
  bgnbd: Extract<StoredPredictionModel, { status: 'fitted' }>['model']['bgnbd'],
  customers: readonly CustomerFacts[],
  period: { from: Date; to: Date },
): PredictionReport['calibration'] {
  const days = (period.to.getTime() - period.from.getTime()) / DAY_MS;
  // "As of the period start": everything bought before it (purchaseSummary counts up to and including the instant).
  const start = new Date(period.from.getTime() - 1);
  const groups = new Map<number, { customers: number; predicted: number; actual: number }>();
  for (const customer of customers) {
    const summary = purchaseSummary(customer.orders, start);
    if (!summary) continue;
    const actualDays = new Set(
      customer.orders
        .filter((order) => Date.parse(order.at) >= period.from.getTime() && Date.parse(order.at) < period.to.getTime())
        .map((order) => Math.floor(Date.parse(order.at) / DAY_MS)),
    ).size;
    const key = Math.min(summary.x, CALIBRATION_MAX_X);
    const group = groups.get(key) ?? { customers: 0, predicted: 0, actual: 0 };
    group.customers++;
    group.predicted += expectedPurchases(bgnbd, summary, days);
    group.actual += actualDays;
    groups.set(key, group);
  }
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString(), days },
    rows: [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([x, g]) => ({
        repeats: x === CALIBRATION_MAX_X ? `${x}+` : String(x),
        customers: g.customers,
        predicted: g.predicted / g.customers,
        actual: g.actual / g.customers,
      })),
  };
}
