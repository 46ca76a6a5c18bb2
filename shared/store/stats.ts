// Per-campaign daily counters (sent, delivered, opened, clicked, bounced, complained, unsubscribed). Each SES
// event for a message is counted at most once: a marker item (SESMSG#<id> / <type>) is written
// with a condition first, so a redelivered event adds nothing; `sent` needs none (the ledger's
// conditional completion is its marker, see shared/flows/sent-emails.ts). A crash between marker and counter
// under-counts by one; counters are for reporting, never for decisions.
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putOnce } from './dynamo.ts';
import { keys } from './keys.ts';

export const STAT_COUNTERS = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained'] as const;
export type StatCounter = (typeof STAT_COUNTERS)[number];
/** Counted by the unsubscribe endpoint, not by SES events. */
export const UNSUBSCRIBED = 'unsubscribed';
const DAILY_COUNTERS = [...STAT_COUNTERS, UNSUBSCRIBED] as const;
/** Counted by the journey engine's holdout records, beside the delivery counters. */
const HELD_OUT = 'heldOut';
type DailyCounter = (typeof DAILY_COUNTERS)[number];

export class CampaignStats {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Counts the first `counter` event of a message on its campaign's day; false if already counted.
   * Not `sent`: its once-only marker is the ledger's completion (countSent).
   */
  async countOnce(input: {
    messageId: string;
    campaignId: string;
    day: string;
    counter: Exclude<StatCounter, 'sent'>;
  }): Promise<boolean> {
    const applied = await putOnce(this.doc, this.tableName, {
      ...keys.sesEventMarker(input.messageId, input.counter),
      type: 'ses-event',
    });
    if (!applied) return false;
    await this.add(input.campaignId, input.day, input.counter);
    return true;
  }

  /**
   * Counts a customer's unsubscribe on the campaign whose link they used, at most once per
   * (customer, campaign): a marker is put with a condition first, so a replay adds nothing.
   */
  async countUnsubscribe(input: { customerId: string; campaignId: string; day: string }): Promise<boolean> {
    const applied = await putOnce(this.doc, this.tableName, {
      ...keys.unsubscribeCountMarker(input.customerId, input.campaignId),
      type: 'unsubscribe-count',
      day: input.day,
    });
    if (!applied) return false;
    await this.add(input.campaignId, input.day, UNSUBSCRIBED);
    return true;
  }

  /**
   * One email SES accepted, counted by whoever completed its ledger claim (the sender, or SES
   * feedback after a sender crash): the conditional completion is its once-only marker.
   */
  async countSent(campaignId: string, day: string): Promise<void> {
    await this.add(campaignId, day, 'sent');
  }

  /** One journey entry held out on this day (the holdout record was written first, once). */
  async countHeldOut(campaignId: string, day: string): Promise<void> {
    await this.add(campaignId, day, HELD_OUT);
  }

  private async add(campaignId: string, day: string, counter: DailyCounter | typeof HELD_OUT): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.campaignStats(campaignId, day),
        UpdateExpression: 'ADD #c :one SET campaignId = :id, #day = :day',
        ExpressionAttributeNames: { '#c': counter, '#day': 'day' },
        ExpressionAttributeValues: { ':one': 1, ':id': campaignId, ':day': day },
      }),
    );
  }

  /** Counters of a campaign by day, oldest first. */
  async daily(campaignId: string): Promise<{ day: string; counts: Partial<Record<DailyCounter, number>> }[]> {
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
        DAILY_COUNTERS.filter((c) => typeof item[c] === 'number').map((c) => [c, item[c] as number]),
      ),
    }));
  }
}
