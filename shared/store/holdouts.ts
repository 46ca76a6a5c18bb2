// Journey holdouts: the entries held out to measure uplift (recorded, never sent), one item per
// (customer, journey, entry), counted once in the journey's daily counters.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { putOnce } from './dynamo.ts';
import { keys } from './keys.ts';
import { CampaignStats } from './stats.ts';

/** Records control-group members: one item per (customer, campaign, period), counted once per day. */
export class HoldoutRecords {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** True the first time; a redelivered request finds the item and counts nothing. */
  async record(input: {
    customerId: string;
    campaignId: string;
    period: string;
    step?: string | undefined;
    at: Date;
  }): Promise<boolean> {
    const applied = await putOnce(this.doc, this.tableName, {
      ...keys.holdout(input.customerId, input.campaignId, input.period),
      status: 'held-out',
      customerId: input.customerId,
      campaignId: input.campaignId,
      period: input.period,
      ...(input.step ? { step: input.step } : {}),
      at: input.at.toISOString(),
    });
    if (!applied) return false;
    // Same daily counters item as the delivery stats (sent, opened, ...): `heldOut` beside them.
    await new CampaignStats(this.doc, this.tableName).countHeldOut(
      input.campaignId,
      input.at.toISOString().slice(0, 10),
    );
    return true;
  }

  async isHeldOut(customerId: string, campaignId: string, period: string): Promise<boolean> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.holdout(customerId, campaignId, period) }),
    );
    return Boolean(result.Item);
  }
}
