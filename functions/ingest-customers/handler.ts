// Customer Upserted -> the customer's profile (newest event by event time wins), then
// `Customer Profile Updated` announces it: journeys (entries, exits, date triggers) follow from there.
import { customerUpsertedDetail } from '#shared/events/contracts.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { upsertCustomer } from '#shared/flows/customers.ts';
import { profileUpdated } from '#shared/flows/fact-announcements.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const store = new CustomerStore(runtime.doc, runtime.tableName);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  return eventConsumer('ingest-customers', runtime, {
    'Customer Upserted': route(
      customerUpsertedDetail,
      async (customer, envelope) => {
        const outcome = await upsertCustomer(store, runtime.clock, customer, {
          eventId: envelope.id,
          eventAt: envelope.time,
          updatedAt: customer.updatedAt,
        });
        // A stale redelivery still re-announces the stored profile if it was this event's (below).
        const profile = outcome.applied
          ? outcome.after
          : (await store.getProfile(customer.customerId))?.profile;
        if (!profile) return;
        // Announced once stored; a redelivery of the event that set the profile announces it again
        // (the first delivery may have died before), an older event announces nothing.
        if (outcome.applied || profile.profileEventId === envelope.id)
          await publisher.publish([profileUpdated(profile, customer, envelope.id, envelope.time)]);
      },
      // The newest upsert wins by these times: one in the future would win over every real update.
      (customer, envelope) => ({ time: envelope.time, 'detail.updatedAt': customer.updatedAt }),
    ),
  });
}

export const handler = lambdaEntry(createHandler);
