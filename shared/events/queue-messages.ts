// Messages put straight on an SQS queue (send requests, delayed events), ten per
// SendMessageBatch call, SQS's limit. A partial failure throws, so the caller's own retry (its
// event's redelivery) puts the batch again: consumers take every message at least once anyway.
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export async function sendQueueMessages(
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
  delaySeconds?: number,
): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const batch = bodies.slice(i, i + 10);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((body, n) => ({
          Id: String(n),
          MessageBody: body,
          ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
        })),
      }),
    );
    if (result.Failed?.length) throw new Error(`SendMessageBatch failed for ${result.Failed.length} of ${batch.length} messages`);
  }
}
