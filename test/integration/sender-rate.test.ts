import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/commons/runtime.ts';
import { type Engine, startDynamoWithTable } from '#infra/local/engines.ts';
import { DynamoSendRateLimiter, permitsInSlice, SLICE_MS } from '#shared/mail/rate-limit.ts';

describe('send-rate token bucket (DynamoDB)', () => {
  let engine: Engine;
  let doc: ReturnType<typeof documentClient>;
  beforeAll(async () => {
    const started = await startDynamoWithTable('rate-test');
    engine = started.engine;
    doc = documentClient(started.client);
  });
  const extra: Engine[] = [];
  afterAll(async () => {
    await engine?.close();
    for (const started of extra) await started.close();
  });

  it('spreads a rate that does not divide evenly over the slices of a second', () => {
    for (const rate of [1, 7, 14, 25, 333]) {
      const perSecond = Array.from({ length: 5 }, (_, i) => permitsInSlice(i, rate)).reduce(
        (a, b) => a + b,
        0,
      );
      expect(perSecond, String(rate)).toBe(rate);
    }
  });

  it('grants exactly the quota per second to senders in several processes, never more', async () => {
    // Simulated time: sleeping moves the clock, so the test is exact and fast.
    let now = 1_800_000_000_000;
    const sleep = async (ms: number) => {
      now += Math.max(1, Math.ceil(ms));
      await new Promise((resolve) => setImmediate(resolve));
    };
    const processes = [0, 1, 2].map(() => new DynamoSendRateLimiter(doc, 'rate-test', 14, () => now, sleep));
    const grants: number[] = [];
    await Promise.all(
      processes.flatMap((limiter) =>
        Array.from({ length: 10 }, async () => {
          for (let i = 0; i < 3; i++) {
            grants.push(await limiter.acquire());
          }
        }),
      ),
    );
    expect(grants).toHaveLength(90);
    const bySlice = new Map<number, number>();
    for (const slice of grants) bySlice.set(slice, (bySlice.get(slice) ?? 0) + 1);
    for (const [slice, count] of bySlice) expect(count).toBeLessThanOrEqual(permitsInSlice(slice, 14));
    const seconds = ((Math.max(...grants) - Math.min(...grants)) * SLICE_MS) / 1000;
    // 90 emails at 14/s: about 6.4 s of slices, and no idle slice in between.
    expect(seconds).toBeGreaterThan(6);
    expect(seconds).toBeLessThan(7);
  });

  it("takes a sender batch's permits of one slice in one write, not one write per email", async () => {
    let now = 1_900_000_000_000;
    const sleep = async (ms: number) => {
      now += Math.max(1, Math.ceil(ms));
      await new Promise((resolve) => setImmediate(resolve));
    };
    let writes = 0;
    const counted = documentClient(
      await startDynamoWithTable('rate-writes-test').then((started) => {
        extra.push(started.engine);
        return started.client;
      }),
    );
    counted.middlewareStack.add(
      (next) => (args) => {
        writes++;
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    // 25/s is 5 permits a slice: ten records of one batch need two slices, so two writes.
    const limiter = new DynamoSendRateLimiter(counted, 'rate-writes-test', 25, () => now, sleep);
    const grants = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire()));
    const bySlice = new Map<number, number>();
    for (const slice of grants) bySlice.set(slice, (bySlice.get(slice) ?? 0) + 1);
    expect([...bySlice.values()].every((count) => count <= 5)).toBe(true);
    expect(grants).toHaveLength(10);
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(3);
  });
});
