// Two Queries read a range of a customer's partition and trust what sorts inside it: the purchase
// path's PROFILE..PURCHASE$ (profile, orders, refunds) and the journeys' JOURNEY#..PROFILE (run
// states, date triggers, send outcomes, profile). Every key shape of the partition must land in
// the range meant for it, whatever the ids.
import { describe, expect, it } from 'vitest';
import { keys } from '#shared/store/keys.ts';

const ids = ['a', 'Z', 'zz-9', '0', '~~~', '中文', 'PROFILE'];
const at = new Date('2026-06-30T12:00:00Z');

/** Every sort key of one customer's partition, by what it is. */
function partitionKeys(c: string): { profile: string[]; purchase: string[]; journey: string[]; other: string[] } {
  return {
    profile: [keys.profile(c).SK],
    purchase: ids.flatMap((o) => [keys.purchase(c, o).SK, ...ids.map((k) => keys.refund(c, o, k).SK)]),
    journey: [
      keys.journeyTriggers(c).SK,
      ...ids.flatMap((j) => [
        keys.journeyState(c, j).SK,
        keys.legacyJourneyTrigger(c, j).SK,
        ...ids.map((e) => keys.journeySendOutcome(c, j, e, 'step').SK),
      ]),
    ],
    other: [
      ...['tier-review', 'lifecycle'].map((kind) => keys.timer(c, kind).SK),
      ...ids.map((j) => keys.sendLedger(c, j, 'p').SK),
      ...ids.map((j) => keys.holdout(c, j, 'p').SK),
      keys.sendCap(c).SK,
      keys.surveyAnswer(c, at.toISOString()).SK,
      keys.operatorAudit(c, at, 'merge').SK,
    ],
  };
}

const within = (sk: string, range: { from: string; to: string }) => sk >= range.from && sk <= range.to;

describe('customer partition ranges', () => {
  const all = partitionKeys('c-1');

  it('PROFILE..PURCHASE$ holds the profile, every order and refund, and nothing else', () => {
    const range = keys.purchaseHistoryRange;
    expect([...all.profile, ...all.purchase].every((sk) => within(sk, range))).toBe(true);
    expect([...all.journey, ...all.other].filter((sk) => within(sk, range))).toEqual([]);
  });

  it('JOURNEY#..PROFILE holds every journey item and the profile, and nothing else', () => {
    const range = keys.journeyItemsAndProfileRange;
    expect([...all.journey, ...all.profile].every((sk) => within(sk, range))).toBe(true);
    expect([...all.purchase, ...all.other].filter((sk) => within(sk, range))).toEqual([]);
  });
});
