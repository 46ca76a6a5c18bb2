// Property through the real write path on dynalite: random purchases and refunds of one customer,
// each delivered once or twice, concurrently and in random order, through recordPurchase /
// recordRefund (conditional writes, optimistic versions). The stored loyalty state must equal
// the from-scratch recomputation and the stored tier changes must form one chain to the tier.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/commons/runtime.ts';
import { type Engine, startDynamoWithTable } from '#infra/local/engines.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import { computeLoyalty } from '#shared/domain/loyalty.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import type { OrderRefunded, PurchaseCompleted } from '#shared/events/contracts.ts';
import { recordPurchase, recordRefund, refreshAggregates } from '#shared/flows/purchases.ts';
import { CustomerStore } from '#shared/store/customers.ts';

const program = parseProgramYaml(
  readFileSync(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8'),
  'program.yaml',
);
const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');

let engine: Engine;
let store: CustomerStore;
beforeAll(async () => {
  const started = await startDynamoWithTable('loyalty-property');
  engine = started.engine;
  store = new CustomerStore(documentClient(started.client), 'loyalty-property');
}, 60_000);
afterAll(() => engine?.close());

type Delivery = { kind: 'order'; event: PurchaseCompleted } | { kind: 'refund'; event: OrderRefunded };

const orderSpecs = fc.array(
  fc.record({
    day: fc.integer({ min: 0, max: 700 }),
    cents: fc.oneof(fc.integer({ min: 100, max: 80_000 }), fc.constantFrom(50_000, 150_000, 200_000)),
    refund: fc.option(
      fc.record({ afterDays: fc.integer({ min: 0, max: 400 }), percent: fc.integer({ min: 1, max: 100 }) }),
      { nil: undefined },
    ),
  }),
  { minLength: 1, maxLength: 8 },
);

let run = 0;

describe('loyalty write path under concurrent, duplicated, reordered delivery (dynalite)', () => {
  it('stores the from-scratch state and one chain of tier changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        orderSpecs,
        fc.infiniteStream(fc.boolean()),
        fc.integer(),
        async (specs, duplicate, seed) => {
          const customerId = `prop-${run++}`;
          const deliveries: Delivery[] = specs.flatMap((spec, i): Delivery[] => {
            const at = START + spec.day * DAY;
            const amount = (spec.cents / 100).toFixed(2);
            const order: Delivery = {
              kind: 'order',
              event: {
                orderId: `${customerId}-o${i}`,
                customerId,
                amount,
                currency: 'USD',
                purchasedAt: new Date(at).toISOString(),
              },
            };
            if (!spec.refund) return [order];
            const refunded = ((spec.cents * spec.refund.percent) / 10_000).toFixed(2);
            return [
              order,
              {
                kind: 'refund',
                event: {
                  orderId: order.event.orderId,
                  customerId,
                  amount: refunded,
                  refundedAt: new Date(at + spec.refund.afterDays * DAY).toISOString(),
                },
              },
            ];
          });
          const withDuplicates = deliveries.flatMap((delivery) =>
            duplicate.next().value ? [delivery, delivery] : [delivery],
          );
          const shuffled = shuffle(withDuplicates, seed);
          const clock = new ManualClock(new Date(START + 1200 * DAY));
          await Promise.all(
            shuffled.map((delivery) =>
              // A handler that loses too many races throws, and SQS delivers the event again.
              redelivered(() =>
                delivery.kind === 'order'
                  ? recordPurchase(store, clock, delivery.event, program)
                  : recordRefund(store, clock, delivery.event, program),
              ),
            ),
          );
          const final = await refreshAggregates(store, clock, program, customerId);
          const scratch = computeLoyalty(program, final.history.orders, final.history.refunds, clock.now());
          const { changeSeq, announcementSeq: _n, recentChanges, asOf: _a, ...stored } = final.loyalty;
          const { asOf: _b, ...expected } = scratch;
          expect(stored).toEqual(expected);
          expect(final.history.orders).toHaveLength(specs.length);
          // Tier changes: numbered 1..n, each from where the last ended, ending at the stored tier.
          expect(recentChanges.map((change) => change.seq)).toEqual(
            Array.from({ length: changeSeq }, (_, i) => i + 1).slice(-8),
          );
          recentChanges.forEach((change, i) => {
            if (i > 0) expect(change.from).toBe(recentChanges[i - 1]?.to);
          });
          expect(recentChanges.at(-1)?.to ?? 'Bronze').toBe(stored.tier);
          // The change that reached the stored tier says when, as stored (revised if a late order moved it).
          if (recentChanges.length > 0) expect(recentChanges.at(-1)?.tierSince).toBe(stored.tierSince);
        },
      ),
      { numRuns: 25 },
    );
  });
});

async function redelivered<T>(deliver: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deliver();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

/** Deterministic Fisher-Yates driven by the generated seed (so failures shrink and replay). */
function shuffle<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
