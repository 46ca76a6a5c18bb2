// Customer Upserted -> the customer's profile (newest event by event time wins).
import { customerUpsertedDetail } from '#shared/events/contracts.ts';
import { upsertCustomer } from '#shared/flows/customers.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const store = new CustomerStore(runtime.doc, runtime.tableName);
  return eventConsumer('ingest-customers', runtime, {
    'Customer Upserted': route(customerUpsertedDetail, async (customer, envelope) => {
      await upsertCustomer(store, runtime.clock, customer, { eventId: envelope.id, eventAt: envelope.time });
    }),
  });
}

export const handler = lambdaEntry(createHandler);
