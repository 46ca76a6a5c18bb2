// Purchase Completed -> arm the first-purchase-anniversary timer of every published campaign that
// has one (the earliest purchase wins); Customer Upserted -> arm days-since-signup campaigns once.
import * as z from 'zod';
import { queueUrlEnv } from '#infra/wiring.ts';
import { campaignTimerDeps } from '#shared/campaigns/runtime-deps.ts';
import { armOnPurchase, armOnSignup } from '#shared/campaigns/timers.ts';
import { customerUpsertedDetail, purchaseCompletedDetail } from '#shared/events/contracts.ts';
import { SqsSendQueue } from '#shared/mail/send-request.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

const SEND_QUEUE_ENV = queueUrlEnv('send-requests');

export function createHandler(runtime: Runtime) {
  // Arming never sends; the queue is only there because the deps bundle carries one.
  const deps = campaignTimerDeps(
    runtime,
    new SqsSendQueue(runtime.sqs, z.string().default('unused').parse(runtime.env[SEND_QUEUE_ENV])),
  );
  return eventConsumer('campaign-timers-arm', runtime, {
    // Invalid events are dead-lettered by the ingest functions (the authority); here they are skipped.
    'Customer Upserted': route(z.unknown(), async (detail, envelope) => {
      const customer = customerUpsertedDetail.safeParse(detail);
      if (!customer.success) return;
      await armOnSignup(
        deps,
        { customerId: customer.data.customerId, signedUpAt: envelope.time, timeZone: customer.data.timeZone },
        runtime.clock.now(),
      );
    }),
    'Purchase Completed': route(z.unknown(), async (detail) => {
      const purchase = purchaseCompletedDetail.safeParse(detail);
      if (!purchase.success) return;
      await armOnPurchase(
        deps,
        {
          customerId: purchase.data.customerId,
          purchasedAt: new Date(purchase.data.purchasedAt).toISOString(),
        },
        runtime.clock.now(),
      );
    }),
  });
}

export const handler = lambdaEntry(createHandler);
