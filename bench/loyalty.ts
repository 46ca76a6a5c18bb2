// The loyalty engine's cost per purchase through the local runtime: DynamoDB requests and
// capacity units of ingest-orders WITH tier and points evaluation (quiet purchases, purchases
// that cross a tier, purchases on a long history), the tier-upgrade-email function's share, and
// the CPU time of the pure recomputation.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startLocal } from '#infra/local/runtime.ts';
import { computeLoyalty } from '#shared/domain/loyalty.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import type { OrderRecord, RefundRecord } from '#shared/domain/purchase-history.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');

function purchase(customerId: string, orderId: string, amount: string, at: number) {
  return {
    source: 'shop.orders',
    detailType: 'Purchase Completed',
    detail: { orderId, customerId, amount, currency: 'USD', purchasedAt: new Date(at).toISOString() },
  };
}

export async function benchLoyalty({ customers = 200, history = 50 } = {}): Promise<BenchSection> {
  const orders = new DynamoMeter();
  const email = new DynamoMeter();
  const local = await startLocal({
    now: '2026-11-01T00:00:00Z',
    wrapRuntime: (name, runtime, endpoints) =>
      name === 'ingest-orders'
        ? orders.meter(runtime, endpoints.dynamo)
        : name === 'journeys'
          ? email.meter(runtime, endpoints.dynamo)
          : runtime,
  });
  const rows: BenchSection['rows'] = [];
  const measure = async (label: string, events: ReturnType<typeof purchase>[]) => {
    orders.reset();
    email.reset();
    for (let i = 0; i < events.length; i += 100) local.putEvents(events.slice(i, i + 100));
    await local.drain();
    const per = events.length;
    rows.push({
      purchase: label,
      'requests/purchase': orders.requests / per,
      'read units/purchase': orders.readUnits / per,
      'write units/purchase': orders.writeUnits / per,
      'requests by kind': [...orders.byCommand]
        .map(([command, count]) => `${command.replace('Command', '')} ${count}`)
        .join(', '),
      'journeys fn requests/purchase': email.requests / per,
    });
  };
  try {
    const ids = Array.from({ length: customers }, (_, i) => `loyal-${i}`);
    await measure(
      'first, stays Bronze',
      ids.map((id) => purchase(id, `${id}-a`, '100.00', START + DAY)),
    );
    await measure(
      'crosses Silver (Tier Changed + email request)',
      ids.map((id) => purchase(id, `${id}-b`, '450.00', START + 2 * DAY)),
    );
    await measure(
      'redelivered (no change)',
      ids.map((id) => purchase(id, `${id}-b`, '450.00', START + 2 * DAY)),
    );
    // Grow a long history, then measure one more purchase on top of it.
    const longIds = ids.slice(0, Math.max(1, customers / 4));
    const grow = longIds.flatMap((id) =>
      Array.from({ length: history }, (_, n) => purchase(id, `${id}-h${n}`, '3.00', START + (3 + n) * DAY)),
    );
    for (let i = 0; i < grow.length; i += 100) local.putEvents(grow.slice(i, i + 100));
    await local.drain();
    await measure(
      `with ${history + 2} orders on record`,
      longIds.map((id) => purchase(id, `${id}-z`, '5.00', START + 300 * DAY)),
    );
  } finally {
    await local.stop();
  }
  return {
    title: `Loyalty: DynamoDB cost per purchase with tier and points evaluation (${customers} customers, local runtime)`,
    rows,
    notes: [
      'Every purchase: PutItem (order) + Query (profile + all orders/refunds, one partition) + UpdateItem (aggregates, loyalty, lifecycle stage and predictions: one versioned write).',
      'A tier change adds UpdateItem (announcement claim) + UpdateItem (announced marker) + GetItem/PutItem (tier-review timer to the new anniversary) and one PutEvents; the email function then reads the profile once.',
      'A redelivery re-checks the tier-review and lifecycle timers (GetItem each) in case a crash came between the write and the arm.',
      'A first order also arms the lifecycle timer (PutItem, no read); later ones move it only when the next stage transition moved.',
      'Write units per UpdateItem grow with the profile item size (aggregates + loyalty state + recent tier changes, ~1-3 KB).',
      'Read units grow with the history read by the Query (~1 RCU per 4 KB, strongly consistent).',
      recomputeNote(),
    ],
  };
}

/** CPU time of the pure recomputation for a long history (what each purchase pays in Lambda). */
function recomputeNote(): string {
  const program = parseProgramYaml(
    readFileSync(path.join(REPO_ROOT, 'campaigns/program.yaml'), 'utf8'),
    'program.yaml',
  );
  const orderCount = 1000;
  const records: OrderRecord[] = Array.from({ length: orderCount }, (_, i) => ({
    orderId: `o-${i}`,
    amountMilli: 20_000 + (i % 50) * 3_000,
    currency: 'USD',
    purchasedAt: new Date(START + i * (DAY / 2)).toISOString(),
  }));
  const refunds: RefundRecord[] = records
    .filter((_, i) => i % 10 === 0)
    .map((order) => ({
      orderId: order.orderId,
      refundKey: 'r',
      amountMilli: 5_000,
      refundedAt: new Date(Date.parse(order.purchasedAt) + 7 * DAY).toISOString(),
    }));
  const now = new Date(START + orderCount * DAY);
  const rounds = 200;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) computeLoyalty(program, records, refunds, now);
  const ms = (performance.now() - started) / rounds;
  return `Pure recomputation (computeLoyalty) of ${orderCount} orders + ${refunds.length} refunds: ${ms.toFixed(2)} ms.`;
}
