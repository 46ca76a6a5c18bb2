// Progress of arming one journey version's date trigger for the customers already stored: which
// page each scan segment has reached and how many customers its pages held. One item per version
// (keys.journeyArming), written once when arming is requested and once per page done, each a
// conditional write, so a redelivered page or request changes nothing; the console reads it.
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { putOnce, writeIfCondition } from './dynamo.ts';
import { keys } from './keys.ts';

const armingItem = z.object({
  journeyId: z.string(),
  version: z.number().int().positive(),
  requestedAt: z.string(),
  requestedBy: z.string(),
  segments: z.number().int().positive(),
  /** Per segment ("0", "1", …): the pages done, so the next page expected. */
  pagesDone: z.record(z.string(), z.number().int().nonnegative()),
  segmentsDone: z.number().int().nonnegative(),
  /** Stored customers the pages done held (each armed, or left unarmed when the trigger has no occasion). */
  customers: z.number().int().nonnegative(),
  updatedAt: z.string(),
});

/** `done` once every segment's last page is counted. */
export type ArmingProgress = z.infer<typeof armingItem> & { done: boolean };

function progressOf(stored: Record<string, unknown>): ArmingProgress {
  const item = armingItem.parse(stored);
  return { ...item, done: item.segmentsDone >= item.segments };
}

export class JourneyArmingStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records the request once; a redelivered request finds it and leaves it as it is. */
  async start(request: { journeyId: string; version: number; requestedAt: string; requestedBy: string; segments: number }): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.journeyArming(request.journeyId, request.version),
      ...request,
      pagesDone: Object.fromEntries(Array.from({ length: request.segments }, (_, segment) => [String(segment), 0])),
      segmentsDone: 0,
      customers: 0,
      updatedAt: request.requestedAt,
    });
  }

  async progress(journeyId: string, version: number): Promise<ArmingProgress | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.journeyArming(journeyId, version), ConsistentRead: true }),
    );
    return Item ? progressOf(Item) : undefined;
  }

  /** The journey's most recent arming (the highest version that made a date trigger live): one Query. */
  async latest(journeyId: string): Promise<ArmingProgress | undefined> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.journeyArmingPk(journeyId) },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    return item ? progressOf(item) : undefined;
  }

  /**
   * Counts page `page` of `segment` as done, once: only while the segment still expects that page.
   * False when it was already counted (a redelivered or duplicated page).
   */
  async pageDone(
    journeyId: string,
    version: number,
    page: { segment: number; number: number; customers: number; last: boolean },
    at: string,
  ): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.journeyArming(journeyId, version),
        UpdateExpression: `SET pagesDone.#segment = :next, updatedAt = :at ADD customers :customers${page.last ? ', segmentsDone :one' : ''}`,
        ConditionExpression: 'pagesDone.#segment = :page',
        ExpressionAttributeNames: { '#segment': String(page.segment) },
        ExpressionAttributeValues: {
          ':page': page.number,
          ':next': page.number + 1,
          ':at': at,
          ':customers': page.customers,
          ...(page.last ? { ':one': 1 } : {}),
        },
      }),
    );
  }
}
