// Facts recorded by the other functions (Purchase Recorded, Refund Recorded, Customer Profile
// Updated, Tier Changed, Lifecycle Stage Changed) -> journey exits, entries and the customer's
// timer (date triggers; a purchase's next lifecycle change). It never reads state older than the
// fact: each event is emitted after its write.
import * as z from 'zod';
import { queueUrlEnv } from '#infra/wiring.ts';
import { deployedProgram } from '#shared/config/deployed-program.ts';
import { emailHistoryEnv, historyExpiry } from '#shared/domain/email-history.ts';
import {
  CUSTOMER_PROFILE_UPDATED,
  customerProfileUpdatedDetail,
  LIFECYCLE_STAGE_CHANGED,
  lifecycleStageChangedDetail,
  PURCHASE_RECORDED,
  purchaseRecordedDetail,
  REFUND_RECORDED,
  refundRecordedDetail,
  TIER_CHANGED,
  tierChangedDetail,
} from '#shared/events/emitted.ts';
import {
  lifecycleChangeEvent,
  profileEvent,
  purchaseEvent,
  refundEvent,
  tierChangeEvent,
} from '#shared/journeys/events.ts';
import { journeyRuntime } from '#shared/journeys/runtime.ts';
import type { CustomerJourneys } from '#shared/store/customer-journeys.ts';
import type { JourneyEventInput } from '#shared/journeys/triggers/index.ts';
import { SqsSendQueue } from '#shared/mail/send-request.ts';
import { eventConsumer, route } from '../commons/event-consumer.ts';
import { lambdaEntry } from '../commons/lambda.ts';
import { functionSettings, type Runtime } from '../commons/runtime.ts';

const SEND_QUEUE_ENV = queueUrlEnv('send-requests');

export function createHandler(runtime: Runtime) {
  const sendQueueUrl = z
    .string()
    .min(1, { message: `${SEND_QUEUE_ENV} must be set (access.sendsTo send-requests)` })
    .parse(runtime.env[SEND_QUEUE_ENV]);
  const { EMAIL_HISTORY_DAYS } = functionSettings('journeys', emailHistoryEnv, runtime.env);
  const { reactions, recordCouponUse, attributeToSends, customerJourneys } = journeyRuntime(
    runtime,
    deployedProgram(runtime.env),
    new SqsSendQueue(runtime.sqs, sendQueueUrl),
    historyExpiry(EMAIL_HISTORY_DAYS),
  );
  const react = async (event: JourneyEventInput, known?: CustomerJourneys, lifecycleChangeAt?: string | null) => {
    const outcome = await reactions.onEvent(event, runtime.clock.now(), known, lifecycleChangeAt);
    if (outcome.entered.length || outcome.exited.length)
      runtime.logger.info('journeys moved', { event: event.name, ...outcome });
  };
  return eventConsumer('journeys', runtime, {
    [PURCHASE_RECORDED]: route(purchaseRecordedDetail, async (detail) => {
      const coupon = await recordCouponUse(detail);
      if (coupon && coupon.outcome !== 'redeemed')
        runtime.logger.info('coupon not attributed', { outcome: coupon.outcome, reason: coupon.reason });
      // One Query: the emails to credit, the runs it may end, the date triggers it moves, the profile.
      const journeys = await customerJourneys.load(detail.customerId);
      await attributeToSends(detail, journeys.sends);
      await react(purchaseEvent(detail), journeys, detail.nextLifecycleChangeAt);
    }),
    [REFUND_RECORDED]: route(refundRecordedDetail, (detail) => react(refundEvent(detail))),
    [CUSTOMER_PROFILE_UPDATED]: route(customerProfileUpdatedDetail, (detail) => react(profileEvent(detail))),
    [TIER_CHANGED]: route(tierChangedDetail, (detail) => react(tierChangeEvent(detail))),
    [LIFECYCLE_STAGE_CHANGED]: route(lifecycleStageChangedDetail, (detail) =>
      react(lifecycleChangeEvent(detail)),
    ),
  });
}

export const handler = lambdaEntry(createHandler);
