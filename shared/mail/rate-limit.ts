// Keeps every concurrent sender together under the SES maximum send rate: a token bucket in
// DynamoDB, one item per time slice (200 ms), claimed with conditional updates. Slices rotate
// over 300 fixed items (a minute), so the bucket needs no TTL. It runs on real time, not on the
// simulated clock: the SES quota is physical.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../store/customers.ts';
import { keys } from '../store/keys.ts';

export interface SendRateLimiter {
  /** Resolves when one more email may be sent. */
  acquire(): Promise<void>;
}

export const SLICE_MS = 200;
const SLICES_PER_SECOND = 1000 / SLICE_MS;

/** Permits of one slice, spreading a rate that does not divide evenly (7/s -> 1,1,2,1,2). */
export function permitsInSlice(slice: number, perSecond: number): number {
  const index = slice % SLICES_PER_SECOND;
  return Math.floor(((index + 1) * perSecond) / SLICES_PER_SECOND) - Math.floor((index * perSecond) / SLICES_PER_SECOND);
}

export class DynamoSendRateLimiter implements SendRateLimiter {
  #fullSlice = -1;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    readonly perSecond: number,
    private readonly nowMs: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(perSecond > 0)) throw new Error('the send rate must be positive');
  }

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.nowMs();
      const slice = Math.floor(now / SLICE_MS);
      if (slice !== this.#fullSlice && (await this.take(slice))) return;
      this.#fullSlice = slice;
      // Wait for the next slice, with a little jitter so waiting senders do not stampede.
      await this.sleep((slice + 1) * SLICE_MS - now + Math.random() * 20);
    }
  }

  private async take(slice: number): Promise<boolean> {
    const max = permitsInSlice(slice, this.perSecond);
    if (max === 0) return false;
    const key = keys.sendRateSlot(slice, 60 * SLICES_PER_SECOND);
    try {
      // The common case: the slot already belongs to this slice and has room.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD used :one',
          ConditionExpression: 'slice = :slice AND used < :max',
          ExpressionAttributeValues: { ':one': 1, ':slice': slice, ':max': max },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    try {
      // First taker of a new slice resets the rotating slot.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET slice = :slice, used = :one',
          ConditionExpression: 'attribute_not_exists(slice) OR slice < :slice',
          ExpressionAttributeValues: { ':one': 1, ':slice': slice },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }
}
