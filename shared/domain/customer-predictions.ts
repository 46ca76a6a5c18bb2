// Predictions for one customer from the fitted models: P(alive), expected purchases, predicted
// 12-month value, expected next purchase and churn-risk band — closed forms, O(1) per customer,
// so they are refreshed on every purchase and after every weekly fit. Also the fit itself, with
// its minimum-data rule, from the customers' purchase days.
import { DAY_MS } from './clock.ts';
import {
  type BgnbdFit,
  type BgnbdParams,
  daysUntilNextPurchase,
  expectedPurchases,
  fitBgnbd,
  groupSummaries,
  pAlive,
  pAliveCrossingAge,
  type RepeatSummary,
} from './bgnbd.ts';
import { expectedSpendPerTransaction, fitGammaGamma, type GammaGammaFit, type GammaGammaParams } from './gamma-gamma.ts';
import type { Milli } from './money.ts';

/** A purchase as the models see it: when, and its amount net of refunds. */
export interface PurchaseFact {
  at: string;
  amountMilli: Milli;
}

/** What the models need of a customer: the repeat summary plus repeat spend and when it began. */
export interface PurchaseSummary extends RepeatSummary {
  /** UTC day of the first purchase, ISO date. */
  firstPurchaseDay: string;
  /** Mean spend of the repeat purchase days, milli-units (0 without repeat purchases). */
  meanRepeatValueMilli: Milli;
}

const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/**
 * The customer's summary as of `now`. Purchases are counted per distinct UTC day (two orders on
 * one day are one purchase of their summed value), as in the paper; time is in whole days, so
 * T is the number of days from the first purchase day to today. Every order counts as a purchase
 * occasion whatever its value (a free or fully refunded order is still a visit); refunds only lower
 * the value. Undefined before the first purchase.
 */
export function purchaseSummary(purchases: readonly PurchaseFact[], now: Date): PurchaseSummary | undefined {
  const byDay = new Map<number, Milli>();
  for (const purchase of purchases) {
    const at = Date.parse(purchase.at);
    if (at > now.getTime()) continue;
    byDay.set(utcDay(at), (byDay.get(utcDay(at)) ?? 0) + purchase.amountMilli);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const repeats = days.slice(1).map((day) => byDay.get(day) ?? 0);
  return {
    x: repeats.length,
    tx: last - first,
    T: utcDay(now.getTime()) - first,
    firstPurchaseDay: new Date(first * DAY_MS).toISOString().slice(0, 10),
    meanRepeatValueMilli: repeats.length ? Math.round(repeats.reduce((s, v) => s + v, 0) / repeats.length) : 0,
  };
}

export interface PredictionModel {
  /** `atBound`: parameters stopped at the search bound (the data cannot tell them apart from ∞ or 0). */
  bgnbd: BgnbdParams & { logLikelihood: number; customers: number; atBound?: string[] };
  /** Absent when too few customers have a repeat purchase with a positive value, or q <= 1. */
  gammaGamma?: GammaGammaParams & { customers: number };
}

/** The minimum-data rule: below it the fit is refused and no predictions are made. */
export const MINIMUM_DATA = { customers: 100, repeatCustomers: 30 } as const;

export type FitOutcome = { ok: true; model: PredictionModel } | { ok: false; reason: string };

/**
 * Fits BG/NBD on every buyer and Gamma-Gamma on those with a repeat purchase; refuses below the
 * minimum data or when either likelihood has no converged maximum.
 */
export function fitPredictionModel(summaries: readonly PurchaseSummary[], minimum: { customers: number; repeatCustomers: number } = MINIMUM_DATA): FitOutcome {
  const repeaters = summaries.filter((s) => s.x > 0 && s.meanRepeatValueMilli > 0);
  if (summaries.length < minimum.customers || repeaters.length < minimum.repeatCustomers) {
    return {
      ok: false,
      reason:
        `not enough purchase history to fit the models: ${summaries.length} customer(s) with a purchase (need ${minimum.customers}), ` +
        `${repeaters.length} with a repeat purchase (need ${minimum.repeatCustomers})`,
    };
  }
  let bgnbd: BgnbdFit;
  let spend: GammaGammaFit;
  try {
    bgnbd = fitBgnbd(groupSummaries(summaries));
    // Spend in currency units (not milli) so γ reads like the paper's dollars.
    spend = fitGammaGamma(repeaters.map((s) => ({ x: s.x, meanValue: s.meanRepeatValueMilli / 1000 })));
  } catch (error) {
    // No maximum inside the parameter space (e.g. no heterogeneity left to model): no predictions.
    return { ok: false, reason: (error as Error).message };
  }
  return {
    ok: true,
    model: {
      bgnbd: {
        ...bgnbd.params,
        logLikelihood: bgnbd.logLikelihood,
        customers: summaries.length,
        ...(bgnbd.atBound.length ? { atBound: bgnbd.atBound } : {}),
      },
      ...(spend.params.q > 1 ? { gammaGamma: { ...spend.params, customers: repeaters.length } } : {}),
    },
  };
}

export const CHURN_RISK_BANDS = ['low', 'medium', 'high'] as const;
export type ChurnRisk = (typeof CHURN_RISK_BANDS)[number];

/** high below P(alive) 0.5 (the default win-back threshold), medium below 0.8, else low. */
export function churnRiskBand(probabilityAlive: number): ChurnRisk {
  if (probabilityAlive < 0.5) return 'high';
  if (probabilityAlive < 0.8) return 'medium';
  return 'low';
}

export const PREDICTION_HORIZON_DAYS = 90;
const VALUE_HORIZON_DAYS = 365;
/** Beyond this the "next purchase" is reported as not expected. */
const NEXT_PURCHASE_WITHIN_DAYS = 730;

export interface CustomerPrediction {
  asOf: string;
  /** When the model used was fitted. */
  fittedAt: string;
  pAlive: number;
  churnRisk: ChurnRisk;
  /** Expected purchases (distinct days) in the next 90 days. */
  expectedPurchases90d: number;
  /** Expected net spend in the next 12 months, milli-units; absent without a spend model. */
  predictedValue12mMilli?: Milli;
  /** When one more purchase is expected; absent if not within two years. */
  expectedNextPurchaseAt?: string;
  /** When P(alive) falls below 0.5 without a new purchase; absent if it never does. */
  atRiskFrom?: string;
  /** The inputs, so a reader can tell why (and recompute as of a later day). */
  summary: PurchaseSummary;
  /** The fitted parameters used, so the predictions can be moved to a later day from the profile alone. */
  model: { bgnbd: BgnbdParams; gammaGamma?: GammaGammaParams };
}

/** One customer's predictions at `now` from a fitted model. */
export function predictCustomer(model: PredictionModel, fittedAt: string, summary: PurchaseSummary, now: Date): CustomerPrediction {
  const alive = pAlive(model.bgnbd, summary);
  const perValue = model.gammaGamma
    ? expectedSpendPerTransaction(model.gammaGamma, { x: summary.x, meanValue: summary.meanRepeatValueMilli / 1000 })
    : undefined;
  const nextInDays = daysUntilNextPurchase(model.bgnbd, summary, NEXT_PURCHASE_WITHIN_DAYS);
  const crossingAge = pAliveCrossingAge(model.bgnbd, summary, 0.5);
  const firstDayMs = Date.parse(`${summary.firstPurchaseDay}T00:00:00Z`);
  return {
    asOf: now.toISOString(),
    fittedAt,
    pAlive: alive,
    churnRisk: churnRiskBand(alive),
    expectedPurchases90d: expectedPurchases(model.bgnbd, summary, PREDICTION_HORIZON_DAYS),
    ...(perValue === undefined
      ? {}
      : { predictedValue12mMilli: Math.round(expectedPurchases(model.bgnbd, summary, VALUE_HORIZON_DAYS) * perValue * 1000) }),
    ...(nextInDays === undefined ? {} : { expectedNextPurchaseAt: new Date(now.getTime() + nextInDays * DAY_MS).toISOString() }),
    ...(crossingAge === undefined ? {} : { atRiskFrom: new Date(firstDayMs + Math.ceil(crossingAge) * DAY_MS).toISOString() }),
    summary,
    model: {
      bgnbd: { r: model.bgnbd.r, alpha: model.bgnbd.alpha, a: model.bgnbd.a, b: model.bgnbd.b },
      ...(model.gammaGamma ? { gammaGamma: { p: model.gammaGamma.p, q: model.gammaGamma.q, gamma: model.gammaGamma.gamma } } : {}),
    },
  };
}

/**
 * How far a refit must move a customer's predictions before the weekly run rewrites them: a
 * point of P(alive), 2% of the expected purchases or 12-month value, a day of a predicted date.
 */
export const MATERIAL_CHANGE = { pAlive: 0.01, relative: 0.02, days: 1 } as const;

/**
 * Whether `fresh` (this week's fit) says something `current` (the stored predictions moved to the
 * same instant, predictionAt) does not: another purchase summary or churn band, or a figure moved
 * by more than MATERIAL_CHANGE. A refit over an unchanged base barely moves the parameters, so most
 * customers keep their stored predictions and the weekly run writes only those that moved.
 */
export function predictionMoved(current: CustomerPrediction, fresh: CustomerPrediction): boolean {
  const relative = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? a !== b : Math.abs(a - b) > MATERIAL_CHANGE.relative * Math.max(Math.abs(a), Math.abs(b), 1e-9);
  const days = (a: string | undefined, b: string | undefined) =>
    a === undefined || b === undefined ? a !== b : Math.abs(Date.parse(a) - Date.parse(b)) > MATERIAL_CHANGE.days * DAY_MS;
  const { summary: was } = current;
  const { summary: now } = fresh;
  return (
    was.x !== now.x ||
    was.tx !== now.tx ||
    was.T !== now.T ||
    was.firstPurchaseDay !== now.firstPurchaseDay ||
    was.meanRepeatValueMilli !== now.meanRepeatValueMilli ||
    current.churnRisk !== fresh.churnRisk ||
    Math.abs(current.pAlive - fresh.pAlive) > MATERIAL_CHANGE.pAlive ||
    relative(current.expectedPurchases90d, fresh.expectedPurchases90d) ||
    relative(current.predictedValue12mMilli, fresh.predictedValue12mMilli) ||
    days(current.expectedNextPurchaseAt, fresh.expectedNextPurchaseAt) ||
    days(current.atRiskFrom, fresh.atRiskFrom)
  );
}

/**
 * Stored predictions moved to `now`: with no purchase since (a purchase refreshes them), only
 * the customer's age T grows, so P(alive), the band and the expectations are recomputed from the
 * stored summary and parameters — what a journey condition should judge, not last week's value.
 */
export function predictionAt(stored: CustomerPrediction, now: Date): CustomerPrediction {
  if (now.getTime() <= Date.parse(stored.asOf)) return stored;
  const firstDay = utcDay(Date.parse(`${stored.summary.firstPurchaseDay}T00:00:00Z`));
  const summary = { ...stored.summary, T: Math.max(stored.summary.T, utcDay(now.getTime()) - firstDay) };
  const model: PredictionModel = {
    bgnbd: { ...stored.model.bgnbd, logLikelihood: 0, customers: 0 },
    ...(stored.model.gammaGamma ? { gammaGamma: { ...stored.model.gammaGamma, customers: 0 } } : {}),
  };
  return predictCustomer(model, stored.fittedAt, summary, now);
}
