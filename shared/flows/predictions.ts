// Predictive CLV and churn risk: the weekly fit (inside the analytics run, from its one scan),
// the per-customer predictions it refreshes, and the fit each purchase or refund predicts with
// (shared/flows/purchases.ts stores its predictions with the aggregates).
import { expectedPurchases } from '../domain/bgnbd.ts';
import type { Clock } from '../domain/clock.ts';
import {
  type ChurnRisk,
  fitPredictionModel,
  predictCustomer,
  predictionAt,
  predictionMoved,
  type PurchaseFact,
  purchaseSummary,
} from '../domain/customer-predictions.ts';
import type { CustomerFacts } from '../domain/metrics.ts';
import { netOrderAmounts, type OrderRecord, type RefundRecord } from '../domain/purchase-history.ts';
import type { FittedPredictionModel, PredictionStore, StoredPredictionModel } from '../store/predictions.ts';

/** Profile writes in flight while the fit refreshes every customer. */
const WRITE_CONCURRENCY = 16;

export interface RefitResult {
  model: StoredPredictionModel;
  /** Customers whose profile predictions were rewritten: new, or moved by this fit (predictionMoved). */
  predicted: number;
  /** Customers whose stored predictions this fit did not move: not written. */
  unchanged: number;
  /** Each buyer's churn-risk band as of the fit (the audience counts and samples use it). */
  churnRisk: Map<string, ChurnRisk>;
}

/**
 * Fits the models on every buyer as of `now`, stores the fit with its date (or why there is
 * none), then refreshes each buyer's predictions from it: written only where they are new or this
 * fit moved them materially, so the weekly cost follows the customers whose outlook changed, not
 * the size of the base (readers move stored predictions to their own day, predictionAt).
 */
export async function refitPredictions(store: PredictionStore, customers: readonly CustomerFacts[], now: Date): Promise<RefitResult> {
  const buyers = customers.flatMap((customer) => {
    const summary = purchaseSummary(customer.orders.map((order) => ({ at: order.at, amountMilli: order.amountMilli })), now);
    return summary ? [{ customerId: customer.customerId, summary, stored: customer.predictions }] : [];
  });
  const outcome = fitPredictionModel(buyers.map((buyer) => buyer.summary));
  const at = now.toISOString();
  const model: StoredPredictionModel = outcome.ok ? { status: 'fitted', at, model: outcome.model } : { status: 'not-fitted', at, reason: outcome.reason };
  await store.saveModel(model);
  const churnRisk = new Map<string, ChurnRisk>();
  if (model.status !== 'fitted') return { model, predicted: 0, unchanged: 0, churnRisk };
  let predicted = 0;
  let unchanged = 0;
  let next = 0;
  const worker = async () => {
    while (next < buyers.length) {
      const buyer = buyers[next++];
      if (!buyer) break;
      const prediction = predictCustomer(model.model, at, buyer.summary, now);
      churnRisk.set(buyer.customerId, prediction.churnRisk);
      if (buyer.stored && !predictionMoved(predictionAt(buyer.stored, now), prediction)) unchanged++;
      else if (await store.savePrediction(buyer.customerId, prediction)) predicted++;
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  return { model, predicted, unchanged, churnRisk };
}

/** The purchases the models see: every recorded order, at its value net of refunds. */
export function purchaseFacts(orders: readonly OrderRecord[], refunds: readonly RefundRecord[]): PurchaseFact[] {
  const net = netOrderAmounts([...orders], [...refunds]);
  return orders.map((order) => ({ at: order.purchasedAt, amountMilli: net.get(order.orderId) ?? 0 }));
}

/** A weekly fit reaches the purchase path within this long (the fit is read at most this often). */
export const PREDICTION_MODEL_TTL_MS = 15 * 60_000;

/**
 * The stored fit as a purchase sees it: read once per warm function and kept for
 * PREDICTION_MODEL_TTL_MS of the clock, so predictions ride on the aggregates write without a read
 * per purchase. The fit changes once a week; a purchase in its first minutes may use the last one.
 */
export class CurrentPredictionModel {
  #read: { model: FittedPredictionModel | undefined; at: number } | undefined;

  constructor(
    private readonly store: Pick<PredictionStore, 'model'>,
    private readonly clock: Clock,
    private readonly ttlMs = PREDICTION_MODEL_TTL_MS,
  ) {}

  /** The fitted model, or undefined before the first fit (or after a fit that found none). */
  async fitted(): Promise<FittedPredictionModel | undefined> {
    const now = this.clock.now().getTime();
    const read = this.#read;
    if (read && now >= read.at && now - read.at < this.ttlMs) return read.model;
    const stored = await this.store.model();
    this.#read = { model: stored?.status === 'fitted' ? stored : undefined, at: now };
    return this.#read.model;
  }
}

/**
 * Σ over customers of E[repeat purchases in the `horizonDays` after `asOf`] — what the base is
 * expected to buy, for `loyalty predict` and the report's calibration check.
 */
export function expectedRepeatPurchases(
  model: FittedPredictionModel['model'],
  customers: readonly CustomerFacts[],
  asOf: Date,
  horizonDays: number,
): number {
  let total = 0;
  for (const customer of customers) {
    const summary = purchaseSummary(customer.orders, asOf);
    if (summary) total += expectedPurchases(model.bgnbd, summary, horizonDays);
  }
  return total;
}
