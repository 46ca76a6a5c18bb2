// Keeps every concurrent sender together under the SES maximum send rate: a token bucket in
// DynamoDB, one item per time slice (200 ms), claimed with conditional updates; permits a slice
// left unused may still be taken in the next one. Slices rotate over 300 fixed items (a minute),
// so the bucket needs no TTL. It runs on real time, not on the simulated clock: the SES quota is
// physical.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIfCondition } from '../store/dynamo.ts';
import { keys } from '../store/keys.ts';

export interface SendRateLimiter {
  /** Resolves when one more email may be sent (with the time slice the permit belongs to). */
  acquire(): Promise<number>;
}

export const SLICE_MS = 200;
const SLICES_PER_SECOND = 1000 / SLICE_MS;

/** Permits of one slice, spreading a rate that does not divide evenly (7/s -> 1,1,2,1,2). */
export function permitsInSlice(slice: number, perSecond: number): number {
  const index = slice % SLICES_PER_SECOND;
  return (
    Math.floor(((index + 1) * perSecond) / SLICES_PER_SECOND) -
    Math.floor((index * perSecond) / SLICES_PER_SECOND)
  );
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

  /** Waiters in one process queue up here, so only one of them talks to DynamoDB at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  acquire(): Promise<number> {
    const turn = this.#queue.then(() => this.#acquireOne());
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #acquireOne(): Promise<number> {
    for (;;) {
      const now = this.nowMs();
      const slice = Math.floor(now / SLICE_MS);
      // The current slice first; then what the previous slice left unused (a sender that stalled
      // across a slice boundary would otherwise lose those permits for good). At most two slices'
      // permits can go out in one slice: a burst well inside SES's one-second allowance.
      for (const candidate of [slice, slice - 1]) {
        if (candidate > this.#fullSlice && (await this.take(candidate))) return candidate;
      }
      this.#fullSlice = slice;
      // Wait for the next slice, with a little jitter so senders in other processes do not stampede.
      await this.sleep((slice + 1) * SLICE_MS - now + Math.random() * 10);
    }
  }

  private async take(slice: number): Promise<boolean> {
    const max = permitsInSlice(slice, this.perSecond);
    if (max === 0) return false;
    const key = keys.sendRateSlot(slice, 60 * SLICES_PER_SECOND);
    // The common case: the slot already belongs to this slice and has room.
    if (
      await this.#try(key, 'ADD used :one', 'slice = :slice AND used < :max', {
        ':one': 1,
        ':slice': slice,
        ':max': max,
      })
    )
      return true;
    // First taker of a new slice resets the rotating slot...
    if (
      await this.#try(
        key,
        'SET slice = :slice, used = :one',
        'attribute_not_exists(slice) OR slice < :slice',
        { ':one': 1, ':slice': slice },
      )
    ) {
      return true;
    }
    // ...and everyone who lost that race counts into the slot the winner just opened.
    return this.#try(key, 'ADD used :one', 'slice = :slice AND used < :max', {
      ':one': 1,
      ':slice': slice,
      ':max': max,
    });
  }

  async #try(
    key: { PK: string; SK: string },
    update: string,
    condition: string,
    values: Record<string, number>,
  ): Promise<boolean> {
    return writeIfCondition(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
