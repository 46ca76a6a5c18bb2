// Purchase Completed -> arm the first-purchase-anniversary timer of every published campaign
// that has one (the earliest purchase wins, so a later order never moves the anniversary).
import { z } from 'zod';
import { queueUrlEnv } from '#infra/wiring.ts';
import { campaignTimerDeps } from '#shared/campaigns/runtime-deps.ts';
import { armOnPurchase } from '#shared/campaigns/timers.ts';
import { purchaseCompletedDetail } from '#shared/events/contracts.ts';
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
    // An invalid purchase is dead-lettered by ingest-orders (the authority); here it is only skipped.
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
