// Predictive CLV and churn risk: the weekly fit (inside the analytics run, from its one scan),
// the per-customer predictions it refreshes, and the refresh on each purchase or refund.
import { expectedPurchases } from '../domain/bgnbd.ts';
import {
  type ChurnRisk,
  type CustomerPrediction,
  fitPredictionModel,
  predictCustomer,
  type PurchaseFact,
  purchaseSummary,
} from '../domain/customer-predictions.ts';
import type { CustomerFacts } from '../domain/metrics.ts';
import { netOrderAmounts, type OrderRecord, type RefundRecord } from '../domain/purchase-history.ts';
import type { PredictionStore, StoredPredictionModel } from '../store/predictions.ts';

/** Profile writes in flight while the fit refreshes every customer. */
const WRITE_CONCURRENCY = 16;

export interface RefitResult {
  model: StoredPredictionModel;
  /** Customers whose profile predictions were refreshed. */
  predicted: number;
  /** Each buyer's churn-risk band as of the fit (the audience counts and samples use it). */
  churnRisk: Map<string, ChurnRisk>;
}

/**
 * Fits the models on every buyer as of `now`, stores the fit with its date (or why there is
 * none), then refreshes each buyer's predictions from it.
 */
export async function refitPredictions(store: PredictionStore, customers: readonly CustomerFacts[], now: Date): Promise<RefitResult> {
  const buyers = customers.flatMap((customer) => {
    const summary = purchaseSummary(customer.orders.map((order) => ({ at: order.at, amountMilli: order.amountMilli })), now);
    return summary ? [{ customerId: customer.customerId, summary }] : [];
  });
  const outcome = fitPredictionModel(buyers.map((buyer) => buyer.summary));
  const at = now.toISOString();
  const model: StoredPredictionModel = outcome.ok ? { status: 'fitted', at, model: outcome.model } : { status: 'not-fitted', at, reason: outcome.reason };
  await store.saveModel(model);
  const churnRisk = new Map<string, ChurnRisk>();
  if (model.status !== 'fitted') return { model, predicted: 0, churnRisk };
  let predicted = 0;
  let next = 0;
  const worker = async () => {
    while (next < buyers.length) {
      const buyer = buyers[next++];
      if (!buyer) break;
      const prediction = predictCustomer(model.model, at, buyer.summary, now);
      churnRisk.set(buyer.customerId, prediction.churnRisk);
      if (await store.savePrediction(buyer.customerId, prediction)) predicted++;
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  return { model, predicted, churnRisk };
}

/** The purchases the models see: every recorded order, at its value net of refunds. */
export function purchaseFacts(orders: readonly OrderRecord[], refunds: readonly RefundRecord[]): PurchaseFact[] {
  const net = netOrderAmounts([...orders], [...refunds]);
  return orders.map((order) => ({ at: order.purchasedAt, amountMilli: net.get(order.orderId) ?? 0 }));
}

/**
 * After a purchase or refund: the customer's predictions from the stored fit (one GetItem, one
 * UpdateItem, closed forms in between). Nothing happens before the first fit.
 */
export async function refreshCustomerPrediction(
  store: PredictionStore,
  customerId: string,
  purchases: readonly PurchaseFact[],
  now: Date,
): Promise<CustomerPrediction | undefined> {
  const stored = await store.model();
  if (stored?.status !== 'fitted') return undefined;
  const summary = purchaseSummary(purchases, now);
  if (!summary) return undefined;
  const prediction = predictCustomer(stored.model, stored.at, summary, now);
  await store.savePrediction(customerId, prediction);
  return prediction;
}

/**
 * Σ over customers of E[repeat purchases in the `horizonDays` after `asOf`] — what the base is
 * expected to buy, for `loyalty predict` and the report's calibration check.
 */
export function expectedRepeatPurchases(
  model: Extract<StoredPredictionModel, { status: 'fitted' }>['model'],
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
