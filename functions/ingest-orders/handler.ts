// Purchase Completed / Order Refunded -> purchase records and the customer's aggregates.
import { orderRefundedDetail, purchaseCompletedDetail } from '#shared/events/contracts.ts';
import { recordPurchase, recordRefund } from '#shared/flows/purchases.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const store = new CustomerStore(runtime.doc, runtime.tableName);
  return eventConsumer('ingest-orders', runtime, {
    'Purchase Completed': route(purchaseCompletedDetail, async (purchase) => {
      await recordPurchase(store, runtime.clock, purchase);
    }),
    'Order Refunded': route(orderRefundedDetail, async (refund) => {
      await recordRefund(store, runtime.clock, refund);
    }),
  });
}

export const handler = lambdaEntry(createHandler);
