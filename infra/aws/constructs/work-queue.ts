// A queue of work for one consumer, with the dead-letter queue where the work ends up when it
// cannot be done: messages that exhausted their deliveries, and events the consumer rejected
// (recorded there with field/value/reason attributes; see shared/events/dead-letters.ts).
import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionWiring, type QueueWiring, visibilityTimeoutSeconds } from '#infra/wiring.ts';
import { DEAD_LETTER_DAYS } from '#shared/domain/email-history.ts';

/** SSE-SQS: EventBridge can deliver into it (it cannot use the aws/sqs KMS key) and it costs nothing. */
const encryptedQueue = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;

/**
 * Long enough for an operator to look at a rejected event on Monday that arrived on Friday; the
 * email history's shortest retention counts on it (a request read again at most this long after).
 */
const DEAD_LETTER_RETENTION = Duration.days(DEAD_LETTER_DAYS);

/** A dead-letter queue on its own: where a scheduler or endpoint records what it could not do. */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', { ...encryptedQueue, retentionPeriod: DEAD_LETTER_RETENTION });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue IS a dead-letter queue (a schedule target's failed runs, a handler's rejected requests); " +
        'nothing consumes it automatically, an operator lists and redrives it, so it needs no DLQ of its own.',
    });
  }
}

export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    readonly wiring: QueueWiring,
    /** The function that consumes it; a queue nothing consumes keeps SQS's default timeout. */
    consumer: FunctionWiring | undefined,
  ) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters').queue;
    this.queue = new Queue(this, 'Queue', {
      ...encryptedQueue,
      visibilityTimeout: consumer && Duration.seconds(visibilityTimeoutSeconds(wiring, consumer)),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: wiring.maxReceiveCount },
    });
  }
}
