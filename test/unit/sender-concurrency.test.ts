// How many senders a stack runs for its SES quota: as few as keep up, since each one more only
// waits, billed, for the same rate permits.
import { describe, expect, it } from 'vitest';
import { senderConcurrency } from '#infra/aws/constructs/mail-delivery.ts';
import { functions } from '#infra/wiring.ts';

describe('senderConcurrency', () => {
  it("keeps the wiring's two senders up to 100 emails a second, then one more per 50", () => {
    const wired = functions.sender.maxConcurrency;
    expect(wired).toBe(2);
    expect(senderConcurrency(undefined, wired)).toBe(2);
    expect([14, 25, 100, 101, 150, 500, 10_000].map((rate) => senderConcurrency(rate, wired))).toEqual([
      2, 2, 2, 3, 3, 10, 200,
    ]);
  });
});
