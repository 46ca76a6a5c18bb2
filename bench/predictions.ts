// Predictive CLV: the weekly fit's time at 100k customers (BG/NBD + Gamma-Gamma, then every
// buyer's closed forms), and what keeping one customer's predictions costs per purchase.
import {
  type CustomerPrediction,
  fitPredictionModel,
  predictCustomer,
  predictionAt,
  predictionMoved,
  type PurchaseSummary,
  purchaseSummary,
} from '#shared/domain/customer-predictions.ts';
import { startLocal } from '#infra/local/runtime.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { PREDICTION_MODEL_TTL_MS } from '#shared/flows/predictions.ts';
import { simulateCustomers, simulatePurchases } from '../test/support/bgnbd-simulation.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';

// A CDNOW-like world, per day.
const WORLD = { bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.4 }, gammaGamma: { p: 6, q: 3.7, gamma: 15 } };

const WINDOW_START = Date.parse('2025-01-01T00:00:00Z');

/**
 * The weekly fit at `customers` buyers, and what its refresh writes: the base as of day 730, fitted
 * and predicted (stored), then a week on — the week's buyers re-predicted on the purchase path
 * with the old fit, as ingest-orders does — refitted, and every buyer compared (predictionMoved).
 */
function benchFit(customers: number): BenchSection['rows'][number] {
  const world = simulatePurchases(customers, WORLD, { seed: 1, windowDays: 737, spreadDays: 365 });
  const dayAt = (day: number) => new Date(WINDOW_START + day * DAY_MS);
  const summariesOn = (day: number): PurchaseSummary[] =>
    world.map((customer) => {
      const purchases = [{ t: 0, value: customer.firstValue }, ...customer.repeats]
        .filter((purchase) => customer.start + purchase.t <= day)
        .map((purchase) => ({ at: dayAt(customer.start + purchase.t).toISOString(), amountMilli: Math.round(purchase.value * 1000) }));
      const summary = purchaseSummary(purchases, dayAt(day));
      if (!summary) throw new Error('every simulated customer has bought by day 365');
      return summary;
    });
  const [weekAgo, now] = [dayAt(730), dayAt(737)];
  const [before, after] = [summariesOn(730), summariesOn(737)];
  const lastFit = fitPredictionModel(before);
  if (!lastFit.ok) throw new Error(lastFit.reason);
  const started = performance.now();
  const outcome = fitPredictionModel(after);
  const fitSeconds = (performance.now() - started) / 1000;
  if (!outcome.ok) throw new Error(outcome.reason);
  const predictStarted = performance.now();
  const fresh = after.map((summary) => predictCustomer(outcome.model, now.toISOString(), summary, now));
  const predictSeconds = (performance.now() - predictStarted) / 1000;
  let boughtThisWeek = 0;
  const moved = after.filter((summary, i) => {
    const old = before[i] as PurchaseSummary;
    const bought = summary.x !== old.x;
    if (bought) boughtThisWeek++;
    const stored = bought
      ? predictCustomer(lastFit.model, weekAgo.toISOString(), summary, now)
      : predictionAt(predictCustomer(lastFit.model, weekAgo.toISOString(), old, weekAgo), now);
    return predictionMoved(stored, fresh[i] as CustomerPrediction);
  }).length;
  return {
    customers,
    'repeat buyers': after.filter((s) => s.x > 0).length,
    'fit s': fitSeconds,
    'predictions s': predictSeconds,
    'µs/prediction': (predictSeconds * 1e6) / customers,
    'bought this week': boughtThisWeek,
    'profile writes (moved by the refit)': moved,
    'writes / customers': `${((moved / customers) * 100).toFixed(2)}%`,
  };
}

async function benchPerPurchase(purchases: number): Promise<BenchSection> {
  // The predictions ride on the purchase's one aggregates write (#pr), so their own requests are
  // the reads of the fit; the writes that carry them are shown apart.
  const predictionRequest = (command: string, input: Record<string, unknown>) =>
    (command === 'GetItemCommand' && (input.Key as { PK?: unknown } | undefined)?.PK === 'PREDICTIONS') ||
    (command === 'UpdateItemCommand' && (input.ExpressionAttributeNames as Record<string, string> | undefined)?.['#pr'] === 'predictions');
  const meter = new DynamoMeter(predictionRequest);
  const local = await startLocal({
    now: '2026-06-30T00:00:00Z',
    wrapRuntime: (name, runtime, endpoints) => (name === 'ingest-orders' ? meter.meter(runtime, endpoints.dynamo) : runtime),
  });
  try {
    const seeded = simulateCustomers(300, WORLD, { seed: 2, windowDays: 150, spreadDays: 60 });
    const start = Date.parse('2026-01-31T00:00:00Z'); // the 150-day window ends at the clock's now
    const purchase = (customerId: string, orderId: string, at: number) => ({
      source: 'shop.orders',
      detailType: 'Purchase Completed',
      detail: { orderId, customerId, amount: '25.00', currency: 'USD', purchasedAt: new Date(at).toISOString() },
    });
    // Seed buyers with a first and (for repeaters) a last purchase, so the fit has repeat data.
    local.putEvents(
      seeded.flatMap((s, i) => [
        purchase(`p-${i}`, `p-${i}-0`, start + (150 - s.T) * DAY_MS),
        ...(s.x > 0 ? [purchase(`p-${i}`, `p-${i}-1`, start + (150 - s.T + s.tx) * DAY_MS)] : []),
      ]),
    );
    await local.drain();
    await local.runScheduled('segment-thresholds');
    // ingest-orders read "no fit yet" while the seed loaded and keeps that for the TTL.
    await local.advanceTo(new Date(local.clock.now().getTime() + PREDICTION_MODEL_TTL_MS));
    meter.reset();
    const now = local.clock.now().getTime();
    local.putEvents(Array.from({ length: purchases }, (_, i) => purchase(`p-${i % 300}`, `bench-${i}`, now - (i % 5) * 3_600_000)));
    await local.drain();
    return {
      title: `Keeping predictions on purchase (${purchases} purchases, local runtime)`,
      rows: [
        {
          'fit reads/purchase': (meter.byCommand.get('GetItemCommand') ?? 0) / purchases,
          'aggregates writes carrying predictions/purchase': (meter.byCommand.get('UpdateItemCommand') ?? 0) / purchases,
          'write units of those/purchase': meter.writeUnits / purchases,
        },
      ],
      notes: [
        'The predictions add no request of their own: they ride on the purchase\'s one aggregates UpdateItem (its `#pr` attribute), whose units the purchase path pays anyway (docs/benchmarks.md, "Purchase path").',
        `The fit (PREDICTIONS / MODEL) is read once per warm function per ${PREDICTION_MODEL_TTL_MS / 60_000} minutes, not per purchase; CPU per purchase is the closed forms (µs/prediction above).`,
      ],
    };
  } finally {
    await local.stop();
  }
}

export async function benchPredictions(): Promise<BenchSection[]> {
  return [
    {
      title: 'Weekly prediction fit and the profile writes of its refresh (simulated CDNOW-like base, 2 years, in-process)',
      rows: [benchFit(10_000), benchFit(100_000)],
      notes: [
        'fit: BG/NBD (customers grouped by identical x, tx, T) + Gamma-Gamma on repeat buyers, Nelder-Mead with one restart.',
        'predictions: every buyer\'s P(alive), 90-day purchases, 12-month value, next purchase (bisection) and P(alive) crossing.',
        'The run then writes one conditional UpdateItem per buyer whose predictions the refit moved (predictionMoved: a point of P(alive), 2% of a figure, a day of a date, another band or summary); the others keep theirs. The scan is shared with the segment thresholds.',
        'Measured a week after the last fit: the week\'s buyers were re-predicted by their purchase (with the old fit), as ingest-orders does.',
      ],
    },
    await benchPerPurchase(500),
  ];
}
