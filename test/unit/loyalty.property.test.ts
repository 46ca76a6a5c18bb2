// Property: however purchases and refunds are delivered — duplicated, reordered, with the clock
// moving between deliveries — the stored loyalty state ends equal to a from-scratch
// recomputation, the ledger invariants hold, the announced tier changes form one chain, and the
// last announcement of the change that reached the current tier says when it was reached as stored.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DAY_MS } from '#shared/domain/clock.ts';
import { computeLoyalty, type LoyaltyState } from '#shared/domain/loyalty.ts';
import {
  advanceLoyalty,
  lastAnnouncement,
  type StoredLoyalty,
  type TierChangeRecord,
  unannouncedChanges,
} from '#shared/domain/loyalty-changes.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import { parseProgram } from '#shared/domain/loyalty-program.ts';
import { type OrderRecord, type RefundRecord, summarisePurchases } from '#shared/domain/purchase-history.ts';

const yaml = readFileSync(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8');
const shipped = parseProgramYaml(yaml, 'program.yaml');
// A short expiry makes expiry and debt show up within the generated three years.
const shortExpiry = parseProgram(
  { ...(parseYaml(yaml) as object), pointsExpiry: { monthsAfterEarning: 6 } },
  'short.yaml',
);

const START = Date.parse('2026-01-01T00:00:00Z');
const SPAN_DAYS = 3 * 365;

type Fact = { kind: 'order'; record: OrderRecord } | { kind: 'refund'; record: RefundRecord };

const history = fc
  .array(
    fc.record({
      day: fc.integer({ min: 0, max: SPAN_DAYS }),
      minute: fc.integer({ min: 0, max: 1439 }),
      // Cents, biased towards amounts that cross thresholds in a few orders.
      cents: fc.oneof(
        fc.integer({ min: 0, max: 60_000 }),
        fc.constantFrom(50_000, 200_000, 300_000, 150_000),
      ),
      refunds: fc.array(
        fc.record({ afterDays: fc.integer({ min: -3, max: 400 }), share: fc.integer({ min: 1, max: 120 }) }),
        {
          maxLength: 2,
        },
      ),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((orders) =>
    orders.flatMap((spec, index): Fact[] => {
      const at = START + spec.day * DAY_MS + spec.minute * 60_000;
      const order: OrderRecord = {
        orderId: `o-${index}`,
        amountMilli: spec.cents * 10,
        currency: 'USD',
        purchasedAt: new Date(at).toISOString(),
      };
      return [
        { kind: 'order', record: order },
        ...spec.refunds.map((refund, r): Fact => ({
          kind: 'refund',
          record: {
            orderId: order.orderId,
            refundKey: `r-${r}`,
            // Up to 120% of the order: over-refunds must be capped.
            amountMilli: Math.floor((order.amountMilli * refund.share) / 100),
            refundedAt: new Date(at + refund.afterDays * DAY_MS).toISOString(),
          },
        })),
      ];
    }),
  );

/** Deliveries: every fact at least once, some twice, in any order, each at a clock reading. */
const deliveries = history.chain((facts) =>
  fc
    .tuple(
      fc.shuffledSubarray(facts, { minLength: 0, maxLength: facts.length }),
      fc.array(fc.integer({ min: 0, max: 10_000 }), {
        minLength: facts.length * 2,
        maxLength: facts.length * 2,
      }),
    )
    .chain(([duplicates, clocks]) =>
      fc
        .shuffledSubarray([...facts, ...duplicates], { minLength: facts.length + duplicates.length })
        .map((order) => ({
          facts,
          sequence: order.map((fact, i) => ({ fact, clockHours: clocks[i] ?? 0 })),
        })),
    ),
);

/** The write path of shared/flows/purchases.ts without DynamoDB: record once, recompute, announce. */
function deliverAll(program: typeof shipped, sequence: { fact: Fact; clockHours: number }[], finalNow: Date) {
  const orders = new Map<string, OrderRecord>();
  const refunds = new Map<string, RefundRecord>();
  let stored: StoredLoyalty | undefined;
  let announcedSeq = 0;
  const announced: TierChangeRecord[] = [];
  const recompute = (now: Date) => {
    const computed = computeLoyalty(program, [...orders.values()], [...refunds.values()], now);
    stored = advanceLoyalty(program, stored, computed, now);
    for (const change of unannouncedChanges(stored, announcedSeq)) announced.push(change);
    announcedSeq = lastAnnouncement(stored);
  };
  let clock = START;
  for (const { fact, clockHours } of sequence) {
    // The clock only moves forward; deliveries may still carry old event times.
    clock = Math.max(clock, START + clockHours * 3_600_000 * 2.5);
    if (fact.kind === 'order') orders.set(fact.record.orderId, fact.record);
    else refunds.set(`${fact.record.orderId}#${fact.record.refundKey}`, fact.record);
    recompute(new Date(clock));
  }
  recompute(finalNow);
  return {
    stored: stored as StoredLoyalty,
    announced,
    orders: [...orders.values()],
    refunds: [...refunds.values()],
  };
}

/** The computed standing, without the bookkeeping of announcements or the computation time. */
function standing(state: LoyaltyState | StoredLoyalty): Omit<LoyaltyState, 'asOf'> {
  const { asOf: _asOf, ...rest } = state;
  if ('changeSeq' in rest) {
    const { changeSeq: _seq, announcementSeq: _announced, recentChanges: _changes, ...computed } = rest;
    return computed;
  }
  return rest;
}

describe('loyalty under at-least-once, out-of-order delivery', () => {
  for (const [name, program] of [
    ['the shipped program', shipped],
    ['a program with 6-month points expiry', shortExpiry],
  ] as const) {
    it(`ends equal to a from-scratch recomputation, with a consistent ledger (${name})`, () => {
      fc.assert(
        fc.property(deliveries, fc.integer({ min: 0, max: 500 }), ({ facts, sequence }, extraDays) => {
          // After every event's own time: events dated in the future are a different (skew) question.
          const finalNow = new Date(START + (SPAN_DAYS + 401 + extraDays) * DAY_MS);
          const result = deliverAll(program, sequence, finalNow);
          const orders = facts.filter((f) => f.kind === 'order').map((f) => f.record as OrderRecord);
          const refunds = facts.filter((f) => f.kind === 'refund').map((f) => f.record as RefundRecord);
          const scratch = computeLoyalty(program, orders, refunds, finalNow);
          expect(standing(result.stored)).toEqual(standing(scratch));

          // The rolling spend agrees with the independent aggregates computation.
          expect(scratch.rollingSpendMilli).toBe(
            summarisePurchases(orders, refunds, finalNow).rollingSpendMilli,
          );
          // Ledger: never negative, debt only on an empty balance, and every point accounted for.
          expect(scratch.points).toBeGreaterThanOrEqual(0);
          expect(scratch.pointsDebt).toBeGreaterThanOrEqual(0);
          if (scratch.pointsDebt > 0) expect(scratch.points).toBe(0);
          expect(scratch.points - scratch.pointsDebt).toBe(
            scratch.pointsEarned - scratch.pointsReversed - scratch.pointsExpired,
          );
          // The tier never sits below what the rolling spend qualifies for.
          const rank = (id: string) => program.tiers.findIndex((tier) => tier.id === id);
          expect(rank(scratch.tier)).toBeGreaterThanOrEqual(rank(scratch.qualifiedTier));

          // Announcements: numbered 1..n, each starting where the previous ended, ending at the tier;
          // a change announced again (a revision) follows its own earlier announcements.
          const changes = result.announced.filter((change, i) => result.announced[i + 1]?.seq !== change.seq);
          changes.forEach((change, index) => {
            expect(change.seq).toBe(index + 1);
            expect(change.from).toBe(index === 0 ? 'Bronze' : changes[index - 1]?.to);
            expect(change.to).not.toBe(change.from);
            expect(change.direction).toBe(rank(change.to) > rank(change.from) ? 'up' : 'down');
          });
          expect(changes.at(-1)?.to ?? 'Bronze').toBe(scratch.tier);
          // What was announced last says when the current tier was reached, as stored; its hold
          // is the stored one unless an anniversary review has renewed it since.
          const last = changes.at(-1);
          if (last) {
            expect(last.tierSince).toBe(result.stored.tierSince);
            if (last.tierHeldUntil !== result.stored.tierHeldUntil) {
              expect(Date.parse(result.stored.tierHeldUntil ?? '')).toBeGreaterThan(
                Date.parse(last.tierHeldUntil ?? ''),
              );
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('announces each upgrade once when delivered in event order, whatever the duplicates', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 10 }), (facts, dupIndexes) => {
        const inOrder = [...facts].sort((a, b) => factTime(a) - factTime(b));
        const withDuplicates = inOrder.flatMap((fact, i) => (dupIndexes.includes(i) ? [fact, fact] : [fact]));
        const finalNow = new Date(START + SPAN_DAYS * DAY_MS + 500 * DAY_MS);
        const live = deliverLive(withDuplicates, finalNow);
        const once = deliverLive(inOrder, finalNow);
        expect(live).toEqual(once);
        // In event order nothing is ever corrected: every change is a purchase upgrade or an anniversary review.
        expect(live.every((change) => change.reason !== 'correction')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

function factTime(fact: Fact): number {
  return Date.parse(fact.kind === 'order' ? fact.record.purchasedAt : fact.record.refundedAt);
}

/** Deliveries as they happen in real time: the clock reads each event's own time. */
function deliverLive(facts: Fact[], finalNow: Date): Omit<TierChangeRecord, 'recordedAt'>[] {
  const orders = new Map<string, OrderRecord>();
  const refunds = new Map<string, RefundRecord>();
  let stored: StoredLoyalty | undefined;
  let now = START;
  for (const fact of facts) {
    now = Math.max(now, factTime(fact));
    if (fact.kind === 'order') orders.set(fact.record.orderId, fact.record);
    else refunds.set(`${fact.record.orderId}#${fact.record.refundKey}`, fact.record);
    stored = advanceLoyalty(
      shipped,
      stored,
      computeLoyalty(shipped, [...orders.values()], [...refunds.values()], new Date(now)),
      new Date(now),
    );
  }
  const final = advanceLoyalty(
    shipped,
    stored,
    computeLoyalty(shipped, [...orders.values()], [...refunds.values()], finalNow),
    finalNow,
  );
  return final.recentChanges.length === final.changeSeq
    ? final.recentChanges.map(({ recordedAt: _r, ...change }) => change)
    : [{ seq: final.changeSeq } as Omit<TierChangeRecord, 'recordedAt'>];
}
