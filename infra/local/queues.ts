// In-process stand-in for SQS + the Lambda event source mapping: messages wait until their
// delay (in simulated time) is over, are delivered in batches to the consuming handler, failed
// ones are retried with a short real-time backoff and, after maxReceiveCount deliveries, moved
// to the queue's dead-letter queue, exactly as a redrive policy would. With a journal (a data
// dir), every put and ack is also written down, so queued work survives a crash.
import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes } from 'aws-lambda';
import type { Clock } from '#shared/domain/clock.ts';
import type { QueueLog } from './queue-journal.ts';

export interface LocalMessage {
  messageId: string;
  body: string;
  attributes: SQSMessageAttributes;
  receiveCount: number;
  sentAt: number;
  /** Simulated epoch ms from which the message may be delivered (DelaySeconds). */
  visibleAtSim: number;
  /** Real epoch ms before which a failed message is not retried (backoff). */
  retryAtReal: number;
}

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined | void>;

export class LocalQueue {
  readonly messages: LocalMessage[] = [];
  inFlight = 0;

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly clock: Clock,
    readonly options: {
      maxReceiveCount: number;
      batchSize: number;
      deadLetterQueue?: LocalQueue;
      journal?: QueueLog;
    },
  ) {}

  send(body: string, attributes: SQSMessageAttributes = {}, delaySeconds = 0): LocalMessage {
    const message: LocalMessage = {
      messageId: randomUUID(),
      body,
      attributes,
      receiveCount: 0,
      sentAt: this.clock.now().getTime(),
      visibleAtSim: this.clock.now().getTime() + delaySeconds * 1000,
      retryAtReal: 0,
    };
    this.#keep(message);
    return message;
  }

  /** Puts back what the journal still held after a restart (delivered again, like an unacked SQS message). */
  restore(messages: LocalMessage[]): void {
    this.messages.push(...messages.map((message) => ({ ...message, retryAtReal: 0 })));
  }

  /** A delivery succeeded: the message is gone for good (SQS DeleteMessage). */
  ack(message: LocalMessage): void {
    this.options.journal?.ack(this.name, message.messageId);
  }

  /** Takes every message off the queue (a redrive moving them elsewhere). */
  takeAll(): LocalMessage[] {
    const all = this.messages.splice(0);
    for (const message of all) this.ack(message);
    return all;
  }

  #keep(message: LocalMessage): void {
    this.messages.push(message);
    this.options.journal?.put(this.name, message);
  }

  /** Takes up to batchSize messages that are due now. */
  take(): LocalMessage[] {
    const nowSim = this.clock.now().getTime();
    const nowReal = Date.now();
    const batch: LocalMessage[] = [];
    for (let i = 0; i < this.messages.length && batch.length < this.options.batchSize;) {
      const message = this.messages[i] as LocalMessage;
      if (message.visibleAtSim <= nowSim && message.retryAtReal <= nowReal) {
        batch.push(message);
        this.messages.splice(i, 1);
      } else i++;
    }
    return batch;
  }

  /** A delivery failed: retry later, or dead-letter it once the receive budget is spent. */
  fail(message: LocalMessage): void {
    if (message.receiveCount >= this.options.maxReceiveCount && this.options.deadLetterQueue) {
      // On the dead-letter queue (and in the journal) before it leaves this one: a crash between
      // the two leaves a duplicate, never a loss.
      this.options.deadLetterQueue.#keep({ ...message, retryAtReal: 0 });
      this.ack(message);
      return;
    }
    message.retryAtReal = Date.now() + Math.min(1000, 10 * 2 ** message.receiveCount);
    this.#keep(message);
  }

  /** Messages deliverable without moving the clock (delayed ones wait for simulated time). */
  hasDueWork(): boolean {
    const nowSim = this.clock.now().getTime();
    return this.inFlight > 0 || this.messages.some((message) => message.visibleAtSim <= nowSim);
  }

  /** The earliest real instant a message due in simulated time may be retried after a failure. */
  nextRetryAt(): number {
    const nowSim = this.clock.now().getTime();
    return Math.min(
      ...this.messages.filter((m) => m.visibleAtSim <= nowSim).map((m) => m.retryAtReal),
      Number.POSITIVE_INFINITY,
    );
  }

  /** The earliest simulated instant a delayed message becomes deliverable. */
  nextVisibleAt(): number | undefined {
    const delayed = this.messages.map((m) => m.visibleAtSim).filter((at) => at > this.clock.now().getTime());
    return delayed.length ? Math.min(...delayed) : undefined;
  }

  toSqsEvent(batch: LocalMessage[], arn: string): SQSEvent {
    return {
      Records: batch.map((message) => ({
        messageId: message.messageId,
        receiptHandle: message.messageId,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(message.sentAt),
        },
        messageAttributes: message.attributes,
        md5OfBody: md5(message.body),
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: 'us-east-1',
      })),
    };
  }
}

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Delivers a queue's messages to its handler, one batch at a time, as Lambda's poller would. */
export async function deliverBatch(queue: LocalQueue, handler: BatchHandler, arn: string): Promise<number> {
  const batch = queue.take();
  if (batch.length === 0) return 0;
  queue.inFlight += batch.length;
  for (const message of batch) message.receiveCount++;
  let failedIds: Set<string>;
  try {
    const response = await handler(queue.toSqsEvent(batch, arn));
    failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch {
    // A thrown handler fails the whole batch, as in Lambda.
    failedIds = new Set(batch.map((message) => message.messageId));
  } finally {
    queue.inFlight -= batch.length;
  }
  for (const message of batch) {
    if (failedIds.has(message.messageId)) queue.fail(message);
    else queue.ack(message);
  }
  return batch.length;
}
