// Journey holdouts: the entries held out to measure uplift (recorded, never sent), one item per
// (customer, journey, entry). The item is the count: the report reads them (no counter beside it).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putOnce } from './dynamo.ts';
import { keys, TTL_ATTRIBUTE } from './keys.ts';

/** Records control-group members: one item per (customer, campaign, period). */
export class HoldoutRecords {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** True the first time; a redelivered request finds the item and writes nothing. */
  async record(input: {
    customerId: string;
    campaignId: string;
    period: string;
    step?: string | undefined;
    at: Date;
    /** When the record may go (epoch seconds): the email history's retention after `at`. */
    expiresAt: number;
  }): Promise<boolean> {
    return putOnce(this.doc, this.tableName, {
      ...keys.holdout(input.customerId, input.campaignId, input.period),
      status: 'held-out',
      customerId: input.customerId,
      campaignId: input.campaignId,
      period: input.period,
      ...(input.step ? { step: input.step } : {}),
      at: input.at.toISOString(),
      [TTL_ATTRIBUTE]: input.expiresAt,
    });
  }

}
