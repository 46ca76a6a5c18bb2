// Tier Changed / Purchase Completed / Customer Upserted -> one SendRequest per published, enabled
// campaign whose event trigger matches, through the campaign gate (audience, holdout).
import * as z from 'zod';
import { queueUrlEnv } from '#infra/wiring.ts';
import { type CampaignEvent, runEventCampaigns } from '#shared/campaigns/event-campaigns.ts';
import { campaignTimerDeps } from '#shared/campaigns/runtime-deps.ts';
import {
  type EventEnvelope,
  customerUpsertedDetail,
  purchaseCompletedDetail,
} from '#shared/events/contracts.ts';
import { tierChangedDetail } from '#shared/events/emitted.ts';
import { SqsSendQueue } from '#shared/mail/send-request.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import type { Runtime } from '../commons/runtime.ts';

const SEND_QUEUE_ENV = queueUrlEnv('send-requests');
const queueUrl = z
  .string()
  .min(1, { message: `${SEND_QUEUE_ENV} must be set (access.sendsTo send-requests)` });

export function createHandler(runtime: Runtime) {
  const sendQueueUrl = queueUrl.parse(runtime.env[SEND_QUEUE_ENV]);
  // Published campaigns listed at most once a minute, profiles, and the gated send queue.
  const deps = campaignTimerDeps(runtime, new SqsSendQueue(runtime.sqs, sendQueueUrl));
  const run = async (event: CampaignEvent) => {
    const requests = await runEventCampaigns(deps, event, runtime.clock.now());
    if (requests.length) {
      runtime.logger.info('event campaigns requested', {
        detailType: event.detailType,
        campaigns: requests.map((request) => request.campaignId),
      });
    }
  };
  // Invalid events are dead-lettered by their owners (ingest functions, tier-upgrade-email);
  // here they are skipped, so one bad event is listed once.
  const skipInvalid =
    <T>(schema: z.ZodType<T>, toEvent: (detail: T, envelope: EventEnvelope) => CampaignEvent) =>
    async (detail: unknown, envelope: EventEnvelope) => {
      const parsed = schema.safeParse(detail);
      if (parsed.success) await run(toEvent(parsed.data, envelope));
    };
  return eventConsumer('event-campaigns', runtime, {
    'Tier Changed': route(
      z.unknown(),
      skipInvalid(tierChangedDetail, (detail, envelope) => ({
        detailType: 'Tier Changed',
        envelopeId: envelope.id,
        detail,
      })),
    ),
    'Purchase Completed': route(
      z.unknown(),
      skipInvalid(purchaseCompletedDetail, (detail, envelope) => ({
        detailType: 'Purchase Completed',
        envelopeId: envelope.id,
        detail,
      })),
    ),
    'Customer Upserted': route(
      z.unknown(),
      skipInvalid(customerUpsertedDetail, (detail, envelope) => ({
        detailType: 'Customer Upserted',
        envelopeId: envelope.id,
        detail,
      })),
    ),
  });
}

export const handler = lambdaEntry(createHandler);
