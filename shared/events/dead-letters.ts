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

/**
 * A rejected value longer than this (as JSON) is recorded as a preview: the body beside it holds
 * the value whole, and a message (body + attributes) must stay within SQS's 256 KiB.
 */
export const REJECTED_VALUE_PREVIEW_CHARS = 200;

function withValuePreview(rejection: Rejection): Rejection {
  const json = JSON.stringify(rejection.value);
  if (json === undefined || json.length <= REJECTED_VALUE_PREVIEW_CHARS) return rejection;
  return {
    ...rejection,
    value: `${json.slice(0, REJECTED_VALUE_PREVIEW_CHARS)}… (${json.length} characters)`,
  };
}
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
          [REJECTION_ATTRIBUTE]: {
            DataType: 'String',
            StringValue: JSON.stringify(event.rejections.map(withValuePreview)),
          },
          [REJECTED_BY_ATTRIBUTE]: { DataType: 'String', StringValue: event.rejectedBy },
        },
      }),
    );
  }
}
