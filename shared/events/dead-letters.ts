// Where rejected events go: the consuming queue's DLQ, with the reasons as message attributes,
// so an operator can list them, fix the producer or the data, and redrive them unchanged.
import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Rejection } from './rejection.ts';

export interface RejectedEvent {
  /** The original message body, byte for byte, so a redrive replays exactly what arrived. */
  body: string;
  rejections: Rejection[];
  rejectedBy: string;
}

export interface DeadLetterSink {
  record(event: RejectedEvent): Promise<void>;
}

export const REJECTION_ATTRIBUTE = 'rejections';
export const REJECTED_BY_ATTRIBUTE = 'rejectedBy';

export class SqsDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async record(event: RejectedEvent): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: event.body,
        MessageAttributes: {
          [REJECTION_ATTRIBUTE]: { DataType: 'String', StringValue: JSON.stringify(event.rejections) },
          [REJECTED_BY_ATTRIBUTE]: { DataType: 'String', StringValue: event.rejectedBy },
        },
      }),
    );
  }
}
