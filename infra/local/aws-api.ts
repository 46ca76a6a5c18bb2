// Just enough of the EventBridge (PutEvents) and SQS (SendMessage, SendMessageBatch) JSON
// protocols for the ordinary AWS SDK clients to talk to the local runtime with an endpoint
// override and any credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SQSMessageAttributes } from 'aws-lambda';
import { md5 } from './queues.ts';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface AwsApiTargets {
  putEvents(entries: PutEventsEntry[]): PutEventsResultEntry[];
  sendMessage(queueUrl: string, body: string, attributes: SQSMessageAttributes, delaySeconds: number): string;
}

interface SqsAttributeValue {
  DataType: string;
  StringValue?: string;
}

function toLambdaAttributes(attributes: Record<string, SqsAttributeValue> | undefined): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType,
        stringValue: value.StringValue,
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
}

export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Dispatches one AWS JSON-protocol request by its X-Amz-Target header. */
export function handleAwsJson(target: string, input: Record<string, unknown>, api: AwsApiTargets): unknown {
  switch (target) {
    case 'AWSEvents.PutEvents': {
      const entries = (input.Entries as PutEventsEntry[] | undefined) ?? [];
      if (entries.length === 0 || entries.length > 10) {
        throw new AwsApiError('ValidationException', 'Entries must hold 1 to 10 events');
      }
      const results = api.putEvents(entries);
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    }
    case 'AmazonSQS.SendMessage':
      return sendOne(api, String(input.QueueUrl), input);
    case 'AmazonSQS.SendMessageBatch': {
      const entries = (input.Entries as Record<string, unknown>[] | undefined) ?? [];
      const successful = entries.map((entry) => ({
        Id: entry.Id,
        ...sendOne(api, String(input.QueueUrl), entry),
      }));
      return { Successful: successful, Failed: [] };
    }
    default:
      throw new AwsApiError('UnknownOperationException', `the local runtime does not implement ${target}`);
  }
}

/** One SendMessage (or one entry of a batch): the same fields in both shapes. */
function sendOne(api: AwsApiTargets, queueUrl: string, message: Record<string, unknown>) {
  const body = String(message.MessageBody ?? '');
  const id = api.sendMessage(
    queueUrl,
    body,
    toLambdaAttributes(message.MessageAttributes as Record<string, SqsAttributeValue>),
    Number(message.DelaySeconds ?? 0),
  );
  return { MessageId: id, MD5OfMessageBody: md5(body) };
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendAwsJson(
  response: ServerResponse,
  status: number,
  payload: unknown,
  contentType: string,
): void {
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': crypto.randomUUID() });
  response.end(JSON.stringify(payload));
}
