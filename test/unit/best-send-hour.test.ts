import { describe, expect, it } from 'vitest';
import { parseJourneyYaml } from '#shared/journeys/parse.ts';
import {
  learnedPurchaseHour,
  MIN_ORDERS_FOR_BEST_HOUR,
  nextLocalHour,
  purchaseHoursOf,
  resolveSendHour,
} from '#shared/domain/best-send-hour.ts';
import { type Journey, journeySchema, occasionHourOf, sendStepHourOf } from '#shared/domain/journey.ts';

const orders = (...instants: string[]) => instants.map((purchasedAt) => ({ purchasedAt }));

describe('send-time optimisation: the learned purchase hour', () => {
  it('counts orders by local hour in the customer zone, across DST', () => {
    // 20:00 in New York is 00:00 UTC in summer and 01:00 UTC in winter: one local hour.
    const hours = purchaseHoursOf(orders('2026-07-02T00:10:00Z', '2026-01-15T01:30:00Z'), 'America/New_York');
    expect(hours.counts[20]).toBe(2);
    expect(hours.counts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it(`needs ${MIN_ORDERS_FOR_BEST_HOUR} orders before it trusts the histogram`, () => {
    const two = purchaseHoursOf(orders('2026-03-01T20:00:00Z', '2026-03-02T20:00:00Z'), 'UTC');
    expect(learnedPurchaseHour(two)).toBeUndefined();
    const three = purchaseHoursOf(orders('2026-03-01T20:00:00Z', '2026-03-02T20:00:00Z', '2026-03-03T07:00:00Z'), 'UTC');
    expect(learnedPurchaseHour(three)).toEqual({ hour: 20, orders: 3 });
  });

  it('picks the peak with its neighbours, so 19:50 and 20:10 buyers peak at one hour', () => {
    const hours = purchaseHoursOf(
      orders('2026-03-01T19:50:00Z', '2026-03-02T20:10:00Z', '2026-03-03T20:20:00Z', '2026-03-04T08:00:00Z', '2026-03-05T08:30:00Z'),
      'UTC',
    );
    expect(learnedPurchaseHour(hours)?.hour).toBe(20);
  });

  it('breaks a tie by the hour with more orders of its own, then the earlier hour', () => {
    expect(learnedPurchaseHour({ timeZone: 'UTC', counts: counts({ 9: 2, 15: 2 }) })?.hour).toBe(9);
    // 22 scores 2·2 + 2 = 6 with its neighbour 23 (2·2 + 2 = 6): 22 and 23 tie, the earlier wins.
    expect(learnedPurchaseHour({ timeZone: 'UTC', counts: counts({ 22: 2, 23: 2 }) })?.hour).toBe(22);
    // Midnight wraps: 23 and 0 are neighbours.
    expect(learnedPurchaseHour({ timeZone: 'UTC', counts: counts({ 23: 1, 0: 3, 1: 1, 12: 2 }) })?.hour).toBe(0);
  });

  it('falls back to the default hour without enough history, and says why', () => {
    const resolved = resolveSendHour('best', undefined, 'UTC', 10, new Date('2026-03-01T00:00:00Z'));
    expect(resolved).toEqual({ hour: 10, why: 'best hour: default 10 (0 of 3 orders needed)' });
    expect(resolveSendHour(14, undefined, 'UTC', 10, new Date()).hour).toBe(14);
  });

  it('moves an hour learned in UTC (a customer without a zone) to the zone the send is timed in', () => {
    const utc = { timeZone: 'UTC', counts: counts({ 1: 4 }) };
    // 01:00 UTC is 20:00 in New York in winter (UTC-5), 21:00 in summer (UTC-4).
    expect(resolveSendHour('best', utc, 'America/New_York', 9, new Date('2026-01-10T12:00:00Z')).hour).toBe(20);
    expect(resolveSendHour('best', utc, 'America/New_York', 9, new Date('2026-07-10T12:00:00Z')).hour).toBe(21);
  });

  it('times a send at the next local hour, or now within it', () => {
    const zone = 'Europe/Berlin';
    expect(nextLocalHour(new Date('2026-03-01T10:00:00Z'), 20, zone).toISOString()).toBe('2026-03-01T19:00:00.000Z');
    expect(nextLocalHour(new Date('2026-03-01T19:40:00Z'), 20, zone).toISOString()).toBe('2026-03-01T19:40:00.000Z');
    expect(nextLocalHour(new Date('2026-03-01T20:00:00Z'), 20, zone).toISOString()).toBe('2026-03-02T19:00:00.000Z');
  });
});

describe('`hour: best` in a journey file', () => {
  const journey = (send: string, step = '') =>
    journeySchema.parse({
      id: 'j',
      name: 'J',
      trigger: { on: 'birthday' },
      send: JSON.parse(send) as unknown,
      steps: [{ id: 's', send: { template: 't', ...(step ? (JSON.parse(step) as object) : {}) } }],
    });
  const buyer = { timeZone: 'UTC', counts: counts({ 20: 5 }) };
  const now = new Date('2026-03-01T00:00:00Z');

  it('is accepted where an hour is, and other words are refused naming field and value', () => {
    expect(journey('{"hour":"best"}').send.hour).toBe('best');
    expect(journey('{"hour":9}', '{"hour":"best"}').steps[0]).toMatchObject({ send: { hour: 'best' } });
    const { problems } = parseJourneyYaml('id: j\nname: J\ntrigger: { on: birthday }\nsend: { hour: bset }\nsteps:\n  - id: s\n    send: { template: t }\n', 'j.yaml');
    expect(problems.map((p) => `${p.field}: ${p.message}`)).toEqual(['send.hour: is not valid (got "bset")']);
    const { problems: late } = parseJourneyYaml('id: j\nname: J\ntrigger: { on: birthday }\nsend: { hour: 24 }\nsteps:\n  - id: s\n    send: { template: t }\n', 'j.yaml');
    expect(late.map((p) => `${p.field}: ${p.message}`)).toEqual(['send.hour: must be at most 23 (got 24)']);
  });

  it('times date triggers at the learned hour, the fallback 9 without one', () => {
    expect(occasionHourOf(journey('{"hour":"best"}'), buyer, 'UTC', now)).toBe(20);
    expect(occasionHourOf(journey('{"hour":"best"}'), undefined, 'UTC', now)).toBe(9);
    expect(occasionHourOf(journey('{"hour":10}'), buyer, 'UTC', now)).toBe(10);
  });

  it("makes a send step wait for its hour; a step of a fixed-hour journey sends when reached", () => {
    const fixed = journey('{"hour":10}');
    expect(sendStepHourOf(fixed, sendOf(fixed), buyer, 'UTC', now)).toBeUndefined();
    const best = journey('{"hour":10}', '{"hour":"best"}');
    // A step's `best` falls back to the journey's own fixed hour.
    expect(sendStepHourOf(best, sendOf(best), buyer, 'UTC', now)?.hour).toBe(20);
    expect(sendStepHourOf(best, sendOf(best), undefined, 'UTC', now)?.hour).toBe(10);
    const journeyBest = journey('{"hour":"best"}');
    expect(sendStepHourOf(journeyBest, sendOf(journeyBest), buyer, 'UTC', now)?.hour).toBe(20);
  });
});

function sendOf(journey: Journey) {
  const step = journey.steps[0];
  if (!step || !('send' in step)) throw new Error('the first step is a send');
  return step.send;
}

function counts(byHour: Record<number, number>): number[] {
  return Array.from({ length: 24 }, (_, hour) => byHour[hour] ?? 0);
}
