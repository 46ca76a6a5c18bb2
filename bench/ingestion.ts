// Purchase ingestion through the local runtime: throughput, and the DynamoDB requests and
// capacity units each purchase costs (first delivery and redelivery).
import { startLocal } from '#infra/local/runtime.ts';
import { DynamoMeter } from './meter.ts';
import type { BenchSection } from './report.ts';

export async function benchIngestion({ purchases = 3000, customers = 600 } = {}): Promise<BenchSection> {
  const meter = new DynamoMeter();
  const local = await startLocal({
    now: '2026-11-01T00:00:00Z',
    wrapRuntime: (name, runtime, endpoints) => (name === 'ingest-orders' ? meter.meter(runtime, endpoints.dynamo) : runtime),
  });
  try {
    const events = Array.from({ length: purchases }, (_, i) => ({
      source: 'shop.orders',
      detailType: 'Purchase Completed',
      detail: {
        orderId: `bench-${i}`,
        customerId: `bench-customer-${i % customers}`,
        amount: ((i % 97) + 3.5).toFixed(2),
        currency: 'USD',
        purchasedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      },
    }));
    const started = performance.now();
    for (let i = 0; i < events.length; i += 100) local.putEvents(events.slice(i, i + 100));
    await local.drain();
    const seconds = (performance.now() - started) / 1000;
    const first = { requests: meter.requests, read: meter.readUnits, write: meter.writeUnits, commands: new Map(meter.byCommand) };

    meter.reset();
    const redelivered = events.slice(0, 500);
    local.putEvents(redelivered);
    await local.drain();

    return {
      title: `Purchase ingestion (${purchases} purchases, ${customers} customers, local runtime)`,
      rows: [
        {
          delivery: 'first',
          'purchases/s': Math.round(purchases / seconds),
          'requests/purchase': first.requests / purchases,
          'read units/purchase': first.read / purchases,
          'write units/purchase': first.write / purchases,
          'requests by kind': [...first.commands].map(([command, count]) => `${command.replace('Command', '')} ${count}`).join(', '),
        },
        {
          delivery: 'redelivered',
          'purchases/s': '',
          'requests/purchase': meter.requests / redelivered.length,
          'read units/purchase': meter.readUnits / redelivered.length,
          'write units/purchase': meter.writeUnits / redelivered.length,
          'requests by kind': [...meter.byCommand].map(([command, count]) => `${command.replace('Command', '')} ${count}`).join(', '),
        },
      ],
      notes: [
        'Recording: PutItem (order, conditional) + Query (profile and purchases, one partition) + UpdateItem (aggregates, loyalty, lifecycle stage and predictions, versioned).',
        'The lifecycle timer (GetItem + PutItem, + a due-directory PutItem) only when the purchase moved the next transition; a first order writes it without the GetItem.',
        'A redelivery: the conditional PutItem fails (DynamoDB still charges 1 WCU); unchanged aggregates are not rewritten; the tier-review and lifecycle timers are re-checked (GetItem each).',
      ],
    };
  } finally {
    await local.stop();
  }
}
