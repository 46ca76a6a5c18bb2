// Per-customer timers of file-defined timer campaigns (first-purchase anniversary): one item per
// (customer, campaign) on the sparse due index under CDUE# hour buckets, so the runner reads only
// the buckets that are due. Separate from the birthday/win-back timers (DUE# buckets).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CampaignDue } from '../domain/campaign-timers.ts';
import { queryAll, versionCondition, writeIfCondition } from './dynamo.ts';
import { dueShard, INDEXES, keys } from './keys.ts';

export interface CampaignTimer {
  customerId: string;
  campaignId: string;
  /** The first purchase (or signup) the timer counts from. */
  anchor: string;
  dueAt: string;
  period: string;
  years: number;
}

export class CampaignTimerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private item(timer: CampaignTimer) {
    const dueAt = new Date(timer.dueAt);
    return {
      ...keys.campaignTimer(timer.customerId, timer.campaignId),
      type: 'campaign-timer',
      ...timer,
      [INDEXES.due.partitionKey]: keys.campaignDueBucket(dueAt, dueShard(timer.customerId)),
      [INDEXES.due.sortKey]: keys.dueSort(dueAt, timer.customerId, timer.campaignId),
    };
  }

  /** Arms from `anchor` unless an earlier anchor is already armed (the first purchase wins). */
  async arm(customerId: string, campaignId: string, anchor: string, due: CampaignDue): Promise<boolean> {
    return this.putAndAnnounce({ customerId, campaignId, anchor }, due, {
      ConditionExpression: 'attribute_not_exists(PK) OR anchor > :anchor',
      ExpressionAttributeValues: { ':anchor': anchor },
    });
  }

  /** Arms a one-off timer once per (customer, campaign): a later signup event changes nothing. */
  async armOnce(customerId: string, campaignId: string, anchor: string, due: CampaignDue): Promise<boolean> {
    return this.putAndAnnounce({ customerId, campaignId, anchor }, due, {
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  }

  /** Takes a fired one-off timer off the due index (kept as a record that it fired). */
  async disarm(timer: CampaignTimer): Promise<void> {
    await writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.campaignTimer(timer.customerId, timer.campaignId),
          type: 'campaign-timer',
          ...timer,
          firedAt: timer.dueAt,
        },
        ConditionExpression: 'dueAt = :dueAt',
        ExpressionAttributeValues: { ':dueAt': timer.dueAt },
      }),
    );
  }

  /** Moves a fired timer to its next due-time, if nobody moved it first. */
  async rearm(timer: CampaignTimer, next: CampaignDue): Promise<boolean> {
    return this.putAndAnnounce(timer, next, {
      ConditionExpression: 'dueAt = :dueAt',
      ExpressionAttributeValues: { ':dueAt': timer.dueAt },
    });
  }

  /** Puts the timer armed for `due` if `condition` holds, then announces it; false if it did not. */
  private async putAndAnnounce(
    timer: Pick<CampaignTimer, 'customerId' | 'campaignId' | 'anchor'>,
    due: CampaignDue,
    condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ): Promise<boolean> {
    const applied = await writeIfCondition(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: this.item({
          ...timer,
          dueAt: due.dueAt.toISOString(),
          period: due.period,
          years: due.years,
        }),
        ...condition,
      }),
    );
    if (!applied) return false;
    await this.announce(timer.customerId, due.dueAt);
    return true;
  }

  /** Marks the timer's bucket, then pulls the runner's next check forward to `dueAt` if later. */
  private async announce(customerId: string, dueAt: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.campaignDueMark(dueAt, dueShard(customerId)), type: 'campaign-due-mark' },
      }),
    );
    await this.lowerNextCheck(dueAt.toISOString());
  }

  /** nextCheckAt = min(nextCheckAt, at); every change bumps the version the runner writes against. */
  async lowerNextCheck(at: string): Promise<void> {
    await writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.campaignTimersState(),
        UpdateExpression: 'SET nextCheckAt = :at ADD version :one',
        ConditionExpression: 'attribute_not_exists(nextCheckAt) OR nextCheckAt > :at',
        ExpressionAttributeValues: { ':at': at, ':one': 1 },
      }),
    );
  }

  async state(): Promise<{ nextCheckAt: string | undefined; version: number }> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.campaignTimersState(), ConsistentRead: true }),
    );
    return {
      nextCheckAt: typeof result.Item?.nextCheckAt === 'string' ? result.Item.nextCheckAt : undefined,
      version: Number(result.Item?.version ?? 0),
    };
  }

  /** Sets the next check if nobody announced a timer since `version` was read. */
  async setNextCheck(nextCheckAt: string, version: number): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.campaignTimersState(),
        UpdateExpression: 'SET nextCheckAt = :at, version = :next',
        ConditionExpression: versionCondition('version', version).ConditionExpression,
        ExpressionAttributeValues: {
          ':at': nextCheckAt,
          ':next': version + 1,
          ...versionCondition('version', version).ExpressionAttributeValues,
        },
      }),
    );
  }

  /** Marked buckets up to and including `toHour` (ISO, hour precision), oldest first. */
  async markedBuckets(
    toHour: string,
    limit?: number,
    after?: string,
  ): Promise<{ hour: string; shard: number; key: string }[]> {
    const marks: { hour: string; shard: number; key: string }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.campaignTimersState().PK,
            ':from': after ? `CDUE#${after}#~` : 'CDUE#',
            ':to': `CDUE#${toHour}#~`,
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(limit ? { Limit: limit } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const [, hour = '', shard = '0'] = String(item.SK).split('#');
        marks.push({ hour, shard: Number(shard), key: String(item.SK) });
      }
      startKey = limit && marks.length >= limit ? undefined : page.LastEvaluatedKey;
    } while (startKey);
    return marks;
  }

  async unmark(key: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: keys.campaignTimersState().PK, SK: key } }),
    );
  }

  async bucket(bucket: string): Promise<CampaignTimer[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: INDEXES.due.name,
      KeyConditionExpression: '#pk = :bucket',
      ExpressionAttributeNames: { '#pk': INDEXES.due.partitionKey },
      ExpressionAttributeValues: { ':bucket': bucket },
    });
    return items.map((item) => ({
      customerId: String(item.customerId),
      campaignId: String(item.campaignId),
      anchor: String(item.anchor),
      dueAt: String(item.dueAt),
      period: String(item.period),
      years: Number(item.years),
    }));
  }
}
