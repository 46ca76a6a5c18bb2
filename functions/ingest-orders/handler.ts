// Purchase Completed / Order Refunded -> purchase records, the customer's aggregates and loyalty
// standing (tier, points) in one write; tier changes are then announced on the bus.
import { loadProgram } from '#shared/config/program-file.ts';
import { orderRefundedDetail, purchaseCompletedDetail } from '#shared/events/contracts.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { type AggregatesChange, recordPurchase, recordRefund } from '#shared/flows/purchases.ts';
import { announceTierChanges } from '#shared/flows/tier-announcements.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const store = new CustomerStore(runtime.doc, runtime.tableName);
  const program = loadProgram(runtime.env);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  const announce = (change: AggregatesChange) =>
    announceTierChanges(store, publisher, program, change.customerId, change.unannounced);
  return eventConsumer('ingest-orders', runtime, {
    'Purchase Completed': route(purchaseCompletedDetail, async (purchase) => {
      await announce(await recordPurchase(store, runtime.clock, purchase, program));
    }),
    'Order Refunded': route(orderRefundedDetail, async (refund) => {
      await announce(await recordRefund(store, runtime.clock, refund, program));
    }),
  });
}

export const handler = lambdaEntry(createHandler);
