// Predictive CLV: the weekly fit's time at 100k customers (BG/NBD + Gamma-Gamma, then every
// buyer's closed forms), and what keeping one customer's predictions costs per purchase.
import { fitPredictionModel, predictCustomer, type PurchaseSummary } from '#shared/domain/customer-predictions.ts';
import { startLocal } from '#infra/local/runtime.ts';
import { simulateCustomers } from '../test/support/bgnbd-simulation.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';

// A CDNOW-like world, per day.
const WORLD = { bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.4 }, gammaGamma: { p: 6, q: 3.7, gamma: 15 } };

function benchFit(customers: number): BenchSection['rows'][number] {
  // Whole days, as the product counts them.
  const summaries: PurchaseSummary[] = simulateCustomers(customers, WORLD, { seed: 1, windowDays: 730, spreadDays: 365 }).map((s) => ({
    ...s,
    tx: Math.floor(s.tx),
    T: Math.floor(s.T),
  }));
  const started = performance.now();
  const outcome = fitPredictionModel(summaries);
  const fitSeconds = (performance.now() - started) / 1000;
  if (!outcome.ok) throw new Error(outcome.reason);
  const now = new Date('2026-12-31T00:00:00Z');
  const predictStarted = performance.now();
  for (const summary of summaries) predictCustomer(outcome.model, now.toISOString(), summary, now);
  const predictSeconds = (performance.now() - predictStarted) / 1000;
  return {
    customers,
    'repeat buyers': summaries.filter((s) => s.x > 0).length,
    'fit s': fitSeconds,
    'predictions s': predictSeconds,
    'µs/prediction': (predictSeconds * 1e6) / customers,
    'profile writes': customers,
  };
}

async function benchPerPurchase(purchases: number): Promise<BenchSection> {
  const predictionRequest = (command: string, input: Record<string, unknown>) =>
    (command === 'GetItemCommand' && (input.Key as { PK?: unknown } | undefined)?.PK === 'PREDICTIONS') ||
    (command === 'UpdateItemCommand' && (input.ExpressionAttributeNames as Record<string, string> | undefined)?.['#p'] === 'predictions');
  const meter = new DynamoMeter(predictionRequest);
  const local = await startLocal({
    now: '2026-06-30T00:00:00Z',
    wrapRuntime: (name, runtime, endpoints) => (name === 'ingest-orders' ? meter.meter(runtime, endpoints.dynamo) : runtime),
  });
  try {
    const seeded = simulateCustomers(300, WORLD, { seed: 2, windowDays: 150, spreadDays: 60 });
    const DAY = 86_400_000;
    const start = Date.parse('2026-01-31T00:00:00Z'); // the 150-day window ends at the clock's now
    const purchase = (customerId: string, orderId: string, at: number) => ({
      source: 'shop.orders',
      detailType: 'Purchase Completed',
      detail: { orderId, customerId, amount: '25.00', currency: 'USD', purchasedAt: new Date(at).toISOString() },
    });
    // Seed buyers with a first and (for repeaters) a last purchase, so the fit has repeat data.
    local.putEvents(
      seeded.flatMap((s, i) => [
        purchase(`p-${i}`, `p-${i}-0`, start + (150 - s.T) * DAY),
        ...(s.x > 0 ? [purchase(`p-${i}`, `p-${i}-1`, start + (150 - s.T + s.tx) * DAY)] : []),
      ]),
    );
    await local.drain();
    await local.runScheduled('segment-thresholds');
    meter.reset();
    const now = local.clock.now().getTime();
    local.putEvents(Array.from({ length: purchases }, (_, i) => purchase(`p-${i % 300}`, `bench-${i}`, now - (i % 5) * 3_600_000)));
    await local.drain();
    return {
      title: `Keeping predictions on purchase (${purchases} purchases, local runtime)`,
      rows: [
        {
          'requests/purchase': meter.requests / purchases,
          'read units/purchase': meter.readUnits / purchases,
          'write units/purchase': meter.writeUnits / purchases,
          'requests by kind': [...meter.byCommand].map(([command, count]) => `${command.replace('Command', '')} ${count}`).join(', '),
        },
      ],
      notes: [
        'Counted: only the prediction requests of ingest-orders — GetItem of PREDICTIONS/MODEL (eventually consistent) and the UpdateItem of the profile\'s predictions.',
        'CPU per purchase is the closed forms (see µs/prediction above); no Query or Scan is added.',
      ],
    };
  } finally {
    await local.stop();
  }
}

export async function benchPredictions(): Promise<BenchSection[]> {
  return [
    {
      title: 'Weekly prediction fit (simulated CDNOW-like base, 2 years, in-process)',
      rows: [benchFit(10_000), benchFit(100_000)],
      notes: [
        'fit: BG/NBD (customers grouped by identical x, tx, T) + Gamma-Gamma on repeat buyers, Nelder-Mead with one restart.',
        'predictions: every buyer\'s P(alive), 90-day purchases, 12-month value, next purchase (bisection) and P(alive) crossing.',
        'The run then writes one conditional UpdateItem per buyer (profile writes); the scan is shared with the segment thresholds.',
      ],
    },
    await benchPerPurchase(500),
  ];
}
