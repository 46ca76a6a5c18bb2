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
  /** Per slot, the slice this process last saw it opened for (by itself or by a winner of the race). */
  readonly #openedFor = new Map<string, number>();
  /** Callers waiting for a permit; one loop serves them, several permits per DynamoDB write. */
  readonly #waiting: { grant(slice: number): void; fail(error: unknown): void }[] = [];
  #serving = false;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    readonly perSecond: number,
    private readonly nowMs: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(perSecond > 0)) throw new Error('the send rate must be positive');
  }

  acquire(): Promise<number> {
    return new Promise<number>((grant, fail) => {
      this.#waiting.push({ grant, fail });
      if (!this.#serving) void this.#serve();
    });
  }

  /**
   * Serves the waiters in order: every permit a slice still has for them is taken in one
   * conditional write (a sender batch's records share it), not one write per email.
   */
  async #serve(): Promise<void> {
    this.#serving = true;
    try {
      while (this.#waiting.length > 0) {
        const now = this.nowMs();
        const slice = Math.floor(now / SLICE_MS);
        // The current slice first; then what the previous slice left unused (a sender that stalled
        // across a slice boundary would otherwise lose those permits for good). At most two slices'
        // permits can go out in one slice: a burst well inside SES's one-second allowance.
        for (const candidate of [slice, slice - 1]) {
          if (candidate <= this.#fullSlice || this.#waiting.length === 0) continue;
          const granted = await this.take(candidate, this.#waiting.length);
          for (const waiter of this.#waiting.splice(0, granted)) waiter.grant(candidate);
        }
        if (this.#waiting.length === 0) break;
        this.#fullSlice = slice;
        // Wait for the next slice, with a little jitter so senders in other processes do not stampede.
        await this.sleep((slice + 1) * SLICE_MS - now + Math.random() * 10);
      }
    } catch (error) {
      for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
    } finally {
      this.#serving = false;
    }
  }

  /** Takes up to `wanted` permits of `slice`; how many it got (0 when the slice is full). */
  private async take(slice: number, wanted: number): Promise<number> {
    const max = permitsInSlice(slice, this.perSecond);
    const n = Math.min(wanted, max);
    if (n === 0) return 0;
    const key = keys.sendRateSlot(slice, 60 * SLICES_PER_SECOND);
    // The first taker of a new slice resets the rotating slot, with its permits already counted.
    if ((this.#openedFor.get(key.SK) ?? -1) < slice) {
      const opened = await this.#try(
        key,
        'SET slice = :slice, used = :n',
        'attribute_not_exists(slice) OR slice < :slice',
        {
          ':n': n,
          ':slice': slice,
        },
      );
      this.#openedFor.set(key.SK, slice);
      if (opened) return n;
    }
    // The slot belongs to this slice: count in if there is room for all, else for one.
    for (const count of n > 1 ? [n, 1] : [n]) {
      if (
        await this.#try(key, 'ADD used :n', 'slice = :slice AND used <= :room', {
          ':n': count,
          ':slice': slice,
          ':room': max - count,
        })
      )
        return count;
    }
    return 0;
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
