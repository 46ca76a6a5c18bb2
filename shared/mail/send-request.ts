// The contract between journeys and the send pipeline: a journey's send step decides WHO gets WHAT
// and enqueues a SendRequest naming the published version it was prepared on; the sender
// (functions/sender) checks consent, suppression, quiet hours and frequency caps at send time,
// claims the send ledger, renders from that version's templates and sends.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { conditionSchema } from '../domain/journey-conditions.ts';
import { boundedBytes, ianaTimeZone, ID_MAX_BYTES, isoInstant } from '../events/contracts.ts';
import { sendQueueMessages } from '../events/queue-messages.ts';
import { CAMPAIGN_ID_MAX_BYTES, PERIOD_MAX_BYTES, STEP_ID_MAX_BYTES } from './send-headers.ts';

// Customer, campaign, step, variant and period ride in the email's headers, one per line: bounded
// here and free of control characters, so those fit SES's limit and no line feed can shift a field.
const headerId = (maxBytes: number) =>
  z
    .string()
    .min(1)
    .refine((text) => !/\p{Cc}/u.test(text), { message: 'must not contain control characters' })
    .superRefine(boundedBytes(maxBytes));

export const sendRequestSchema = z.object({
  customerId: headerId(ID_MAX_BYTES),
  /** The campaign: the journey id, e.g. "tier-upgrade", "birthday", "win-back". */
  campaignId: headerId(CAMPAIGN_ID_MAX_BYTES),
  /** The journey's send step: tags, headers, the journey story and the step counters. */
  step: headerId(STEP_ID_MAX_BYTES),
  /**
   * The ledger period: at most ONE email per (customer, campaign, period), ever. A journey send
   * derives it from the entry, the step and the visit (shared/journeys/steps/send.ts).
   */
  period: headerId(PERIOD_MAX_BYTES),
  /** The template, by name, in the journey version's stored templates. */
  template: z.string().min(1),
  /** Frequency-cap class: transactional-like sends may be exempt from the marketing cap. */
  capClass: z.enum(['marketing', 'tier-upgrade']).default('marketing'),
  /** Campaign-specific values the template needs (tier, benefits, coupon, offer ...). */
  variables: z.record(z.string(), z.unknown()).default({}),
  requestedAt: isoInstant,
  /** The customer's tier, for the SES `tier` tag (attribution); `variables.tier` also works. */
  tier: z.string().min(1).optional(),
  /** The campaign's zone for customers without one (else the sender's DEFAULT_TIME_ZONE). */
  defaultTimeZone: ianaTimeZone.optional(),
  /** The campaign's quiet hours in the customer's zone (else the sender's QUIET_HOURS). */
  quietHours: z
    .strictObject({ from: z.string().regex(/^\d{2}:\d{2}$/), to: z.string().regex(/^\d{2}:\d{2}$/) })
    .optional(),
  /**
   * The campaign's priority, 1 (highest) .. 9 (default 5): among one customer's requests in a
   * sender batch the higher priority is handled first, so it gets the last frequency-cap slot.
   */
  priority: z.number().int().min(1).max(9).optional(),
  /**
   * A journey send step's request (campaignId is the journey id, step the step id): rendered from
   * this stored version's templates, re-checked against `where` at actual send time (a deferral may
   * have made it stale), and its outcome recorded on the customer's journey story. Required: the
   * stored version is the only place a send's templates come from.
   */
  journey: z.strictObject(
    {
      version: z.number().int().positive(),
      entryId: z.string().min(1),
      enteredAt: isoInstant,
      variant: headerId(STEP_ID_MAX_BYTES).optional(),
      /** The journey's entry condition and what the trigger requires to still hold: all must hold. */
      conditions: z.array(conditionSchema).default([]),
    },
    {
      error: (issue) =>
        issue.input === undefined
          ? 'is required: a send comes from a journey send step and renders from that version'
          : undefined,
    },
  ),
  /** Set by the sender when it defers (quiet hours, frequency cap): not to be sent before this. */
  notBefore: isoInstant.optional(),
});
export type SendRequest = z.input<typeof sendRequestSchema>;
export type ParsedSendRequest = z.output<typeof sendRequestSchema>;

export interface SendQueue {
  enqueue(requests: SendRequest[]): Promise<void>;
}

/** Enqueues send requests on SQS, ten per call; a partial failure throws so the caller retries. */
export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  enqueue(requests: SendRequest[]): Promise<void> {
    return sendQueueMessages(this.client, this.queueUrl, requests.map((request) => JSON.stringify(request)));
  }
}

/** Puts one request back on the queue with a delay (at most 900 s, the SQS maximum). */
export async function enqueueDelayed(
  client: SQSClient,
  queueUrl: string,
  request: SendRequest,
  delaySeconds: number,
): Promise<void> {
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(request),
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
    }),
  );
}
