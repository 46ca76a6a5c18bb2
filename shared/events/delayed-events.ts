// Our events put straight onto a queue the bus feeds, delivered only after a delay: EventBridge
// has no delivery delay, an SQS message has one (up to 900 s). The body is the envelope the bus's
// rule would have delivered, so the queue's consumer cannot tell the two paths apart.
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../domain/clock.ts';
import { busEnvelope } from './contracts.ts';
import { EMITTED_SOURCE, type EventPublisher, type OutboundEvent } from './publisher.ts';
import { sendQueueMessages } from './queue-messages.ts';

/** SQS's largest DelaySeconds. */
const MAX_DELAY_SECONDS = 900;

export class DelayedEvents implements EventPublisher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: Clock,
    private readonly delaySeconds: number,
  ) {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)
      throw new Error(`delaySeconds ${delaySeconds} is not a whole number of seconds from 0 to ${MAX_DELAY_SECONDS}`);
  }

  async publish(events: OutboundEvent[]): Promise<void> {
    const bodies = events.map((event) =>
      JSON.stringify(busEnvelope(randomUUID(), { ...event, source: EMITTED_SOURCE }, event.time ?? this.clock.now())),
    );
    await sendQueueMessages(this.sqs, this.queueUrl, bodies, this.delaySeconds);
  }
}
