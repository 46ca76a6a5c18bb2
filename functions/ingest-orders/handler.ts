// Purchase Completed / Order Refunded -> purchase records, the customer's aggregates, loyalty
// standing (tier, points), lifecycle stage and predictions in one write; tier changes are then
// announced on the bus.
import { deployedProgram } from '#shared/config/deployed-program.ts';
import {
  type EventEnvelope,
  orderRefundedDetail,
  purchaseCompletedDetail,
} from '#shared/events/contracts.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { purchaseRecorded, refundRecorded } from '#shared/flows/fact-announcements.ts';
import { type AggregatesChange, recordPurchase, recordRefund } from '#shared/flows/purchases.ts';
import { announceTierChanges } from '#shared/flows/tier-announcements.ts';
import { followLifecycle, lifecycleThresholdsFromEnv } from '#shared/flows/lifecycle.ts';
import { CurrentPredictionModel } from '#shared/flows/predictions.ts';
import { followTierReview } from '#shared/flows/tier-review.ts';
import { PredictionStore } from '#shared/store/predictions.ts';
import { TimerStore } from '#shared/store/timers.ts';
import { CustomerStore } from '#shared/store/customers.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

export function createHandler(runtime: Runtime) {
  const store = new CustomerStore(runtime.doc, runtime.tableName);
  const program = deployedProgram(runtime.env);
  const publisher = new EventBridgePublisher(runtime.eventBridge, runtime.busName);
  const announce = (change: AggregatesChange, envelope: EventEnvelope) =>
    announceTierChanges(store, publisher, program, {
      customerId: change.customerId,
      unannounced: change.unannounced,
      claimant: envelope.id,
      now: runtime.clock.now(),
    });
  const timers = new TimerStore(runtime.doc, runtime.tableName);
  const lifecycle = {
    store,
    publisher,
    clock: runtime.clock,
    thresholds: lifecycleThresholdsFromEnv(runtime.env),
  };
  // P(alive), expected purchases and predicted value move with every purchase and refund, stored
  // with the aggregates from the weekly fit (read once per warm function, not per purchase).
  const model = new CurrentPredictionModel(new PredictionStore(runtime.doc, runtime.tableName), runtime.clock);
  return eventConsumer('ingest-orders', runtime, {
    'Purchase Completed': route(
      purchaseCompletedDetail,
      async (purchase, envelope) => {
        // One write stores the aggregates, tier, lifecycle stage ('reactivated' after a lapse) and predictions.
        const change = await recordPurchase(store, runtime.clock, purchase, program, {
          lifecycle: lifecycle.thresholds,
          predictionModel: await model.fitted(),
        });
        await announce(change, envelope);
        await followTierReview(timers, change, runtime.clock.now());
        const nextLifecycleChange = await followLifecycle(lifecycle, change);
        // Recorded: now journeys may react (they read the stored purchase, never an older state)
        // and arm the lifecycle's next change with the customer's other timers, in one write.
        await publisher.publish([purchaseRecorded(purchase, change, nextLifecycleChange)]);
      },
      (purchase) => ({ 'detail.purchasedAt': purchase.purchasedAt }),
    ),
    'Order Refunded': route(
      orderRefundedDetail,
      async (refund, envelope) => {
        const change = await recordRefund(store, runtime.clock, refund, program, {
          predictionModel: await model.fitted(),
        });
        await announce(change, envelope);
        await followTierReview(timers, change, runtime.clock.now());
        await publisher.publish([refundRecorded(refund)]);
      },
      (refund) => ({ 'detail.refundedAt': refund.refundedAt }),
    ),
  });
}

export const handler = lambdaEntry(createHandler);
