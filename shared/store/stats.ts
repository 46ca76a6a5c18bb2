// Per-campaign daily counters (sent, delivered, opened, clicked, bounced, complained). Each SES
// event for a message is counted at most once: a marker item (SESMSG#<id> / <type>) is written
// with a condition first, so a redelivered event adds nothing. A crash between marker and counter
// under-counts by one; counters are for reporting, never for decisions.
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './customers.ts';
import { keys } from './keys.ts';

export const STAT_COUNTERS = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained'] as const;
export type StatCounter = (typeof STAT_COUNTERS)[number];

export class CampaignStats {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Counts the first `counter` event of a message on its campaign's day; false if already counted. */
  async countOnce(input: {
    messageId: string;
    campaignId: string;
    day: string;
    counter: StatCounter;
  }): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.sesEventMarker(input.messageId, input.counter), type: 'ses-event' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.campaignStats(input.campaignId, input.day),
        UpdateExpression: 'ADD #c :one SET campaignId = :id, #day = :day',
        ExpressionAttributeNames: { '#c': input.counter, '#day': 'day' },
        ExpressionAttributeValues: { ':one': 1, ':id': input.campaignId, ':day': input.day },
      }),
    );
    return true;
  }

  /** Counters of a campaign by day, oldest first. */
  async daily(campaignId: string): Promise<{ day: string; counts: Partial<Record<StatCounter, number>> }[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.campaignStats(campaignId, '').PK },
      }),
    );
    return Items.map((item) => ({
      day: String(item.day),
      counts: Object.fromEntries(
        STAT_COUNTERS.filter((c) => typeof item[c] === 'number').map((c) => [c, item[c] as number]),
      ),
    }));
  }
}
