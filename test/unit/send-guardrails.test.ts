import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { heldOutOfJourney, inGlobalControlGroup, withheldForControlGroup } from '#shared/domain/global-control-group.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';
import { ProgramConfigError } from '#shared/domain/loyalty-program.ts';
import {
  accountHours,
  type GuardrailLimits,
  guardrailVerdict,
  type HourCounts,
  hourOf,
  REPUTATION_LINES,
  windowFigures,
} from '#shared/domain/send-guardrails.ts';

const shippedProgram = readFileSync(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8');
const program = (extra = '') => parseProgramYaml(`${shippedProgram}\n${extra}`, 'program.yaml');
const limits: GuardrailLimits = program().guardrails.journey;
const now = new Date('2026-03-10T12:30:00Z');
const hour = hourOf(now);
const slot = (hoursAgo: number, sends: number, hardBounces = 0, complaints = 0): HourCounts => ({
  hour: hour - hoursAgo,
  sends,
  hardBounces,
  complaints,
});

describe('guardrail defaults', () => {
  it('pause a journey at 4% hard bounces / 0.08% complaints over the last 500 sends or 24 hours, from 100 sends', () => {
    expect(limits).toEqual({
      hardBouncePercent: 4,
      complaintPercent: 0.08,
      windowSends: 500,
      windowHours: 24,
      minSends: 100,
    });
  });

  it('sit below the lines SES reviews an account at, and the account brake closer to them', () => {
    const { account } = program().guardrails;
    expect(limits.hardBouncePercent / 100).toBeLessThan(REPUTATION_LINES.sesReview.hardBounceRate);
    expect(limits.complaintPercent / 100).toBeLessThan(REPUTATION_LINES.sesReview.complaintRate);
    expect(account.hardBouncePercent).toBeGreaterThan(limits.hardBouncePercent);
    expect(account.hardBouncePercent / 100).toBeLessThan(REPUTATION_LINES.sesReview.hardBounceRate);
    expect(account.complaintPercent / 100).toBeLessThan(REPUTATION_LINES.sesReview.complaintRate);
    expect(account.continueCapClasses).toEqual([]);
  });

  it('are configurable in program.yaml, and a bad value names the field and value', () => {
    const custom = program('guardrails:\n  journey: { hardBouncePercent: 2, minSends: 50 }\n  account: { continueCapClasses: [tier-upgrade] }');
    expect(custom.guardrails.journey).toMatchObject({ hardBouncePercent: 2, minSends: 50, complaintPercent: 0.08 });
    expect(custom.guardrails.account.continueCapClasses).toEqual(['tier-upgrade']);
    expect(() => program('guardrails:\n  journey: { windowHours: 48 }')).toThrow(ProgramConfigError);
    expect(() => program('guardrails:\n  journey: { windowHours: 48 }')).toThrow(/guardrails\.journey\.windowHours.*48/);
  });
});

describe('rolling window', () => {
  it('covers the last `windowSends` sends when they came within the hours', () => {
    const figures = windowFigures([slot(0, 300, 3), slot(1, 300, 30), slot(2, 300, 0)], now, limits);
    // The last two hours hold 600 >= 500 sends: the third hour is left out.
    expect(figures).toMatchObject({ sends: 600, hardBounces: 33, from: '2026-03-10T11:00:00.000Z' });
    expect(figures.hardBounceRate).toBeCloseTo(0.055);
  });

  it('covers at most `windowHours` hours when sends are few', () => {
    const figures = windowFigures([slot(0, 10), slot(23, 10, 1), slot(24, 400, 400)], now, limits);
    expect(figures).toMatchObject({ sends: 20, hardBounces: 1, from: '2026-03-09T13:00:00.000Z' });
  });

  it('ignores slots of a later hour (clock skew) and counts nothing before a resume', () => {
    const slots = [slot(-1, 999, 999), slot(0, 150, 12), slot(1, 200, 50)];
    const baseline = { ...slot(0, 100, 10), complaints: 0 };
    expect(windowFigures(slots, now, limits, baseline)).toMatchObject({ sends: 50, hardBounces: 2 });
  });

  it('is empty with no slots: rates 0, not NaN', () => {
    expect(windowFigures([], now, limits)).toMatchObject({ sends: 0, hardBounceRate: 0, complaintRate: 0 });
  });
});

describe("account's window", () => {
  const { account } = program().guardrails;

  it("adds every journey's counts of the same hour, whichever hours each journey used", () => {
    const birthday = [slot(0, 300, 10, 1), slot(2, 100, 5)];
    const winBack = [slot(0, 200, 20), slot(1, 50, 0, 2)];
    expect(accountHours([birthday, winBack, []]).sort((a, b) => b.hour - a.hour)).toEqual([
      slot(0, 500, 30, 1),
      slot(1, 50, 0, 2),
      slot(2, 100, 5),
    ]);
  });

  it("judges journeys each under the account's minimum sample on their sum", () => {
    // 600 sends each with 6% hard bounces: too few for the account alone, over its 4.5% together.
    const journeys = [[slot(0, 300, 18), slot(1, 300, 18)], [slot(0, 600, 36)]];
    for (const one of journeys) {
      expect(guardrailVerdict(windowFigures(one, now, account), account)).toMatchObject({ pause: false });
    }
    expect(guardrailVerdict(windowFigures(accountHours(journeys), now, account), account)).toMatchObject({
      pause: true,
      reasons: ['hard-bounce-rate'],
      why: expect.stringContaining('1200 sends'),
    });
  });
});

describe('guardrail verdict', () => {
  const judge = (sends: number, hardBounces: number, complaints = 0) =>
    guardrailVerdict(windowFigures([slot(0, sends, hardBounces, complaints)], now, limits), limits);

  it('does not pause below the minimum sample, whatever the rates', () => {
    expect(judge(99, 50)).toMatchObject({ pause: false, why: expect.stringContaining('below the minimum sample of 100') });
  });

  it('pauses strictly above the hard-bounce limit: 21 of 500 (4.2%) pauses, 20 of 500 (4%) does not', () => {
    expect(judge(500, 20).pause).toBe(false);
    expect(judge(500, 21)).toEqual({
      pause: true,
      reasons: ['hard-bounce-rate'],
      why: 'hard bounces 4.2% > 4% over 500 sends since 2026-03-10T12:00:00.000Z',
    });
  });

  it('pauses on complaints above 0.08%, naming both reasons when both are crossed', () => {
    expect(judge(1500, 0, 1).pause).toBe(false); // 0.067%
    expect(judge(400, 0, 1)).toMatchObject({ pause: true, reasons: ['complaint-rate'] });
    expect(judge(400, 40, 1)).toMatchObject({ pause: true, reasons: ['hard-bounce-rate', 'complaint-rate'] });
  });
});

describe('global control group', () => {
  const customers = Array.from({ length: 20_000 }, (_, i) => `customer-${i}`);
  const settings = (percent: number) => program(`controlGroup: { percent: ${percent} }`).controlGroup;
  const [off, five, ten] = [program().controlGroup, settings(5), settings(10)];

  it('is off by default (0%)', () => {
    expect(off).toEqual({ percent: 0, stillReceive: ['tier-upgrade'] });
    expect(customers.some((id) => inGlobalControlGroup(id, off))).toBe(false);
  });

  it('holds 5% of customers within ±0.5 points, the same ones every time, growing without swapping', () => {
    const at5 = customers.filter((id) => inGlobalControlGroup(id, five));
    expect(at5.length / customers.length).toBeGreaterThan(0.045);
    expect(at5.length / customers.length).toBeLessThan(0.055);
    expect(customers.filter((id) => inGlobalControlGroup(id, five))).toEqual(at5);
    expect(at5.every((id) => inGlobalControlGroup(id, ten))).toBe(true);
  });

  it('withholds marketing from members but lets configured service mail through', () => {
    const member = customers.find((id) => inGlobalControlGroup(id, five))!;
    const other = customers.find((id) => !inGlobalControlGroup(id, five))!;
    expect(withheldForControlGroup(member, 'marketing', five)).toBe(true);
    expect(withheldForControlGroup(member, 'tier-upgrade', five)).toBe(false);
    expect(withheldForControlGroup(other, 'marketing', five)).toBe(false);
    const strict = program('controlGroup: { percent: 5, stillReceive: [] }').controlGroup;
    expect(withheldForControlGroup(member, 'tier-upgrade', strict)).toBe(true);
  });

  it('keeps members out of a journey only when every class it sends under is withheld from them', () => {
    const member = customers.find((id) => inGlobalControlGroup(id, five))!;
    const other = customers.find((id) => !inGlobalControlGroup(id, five))!;
    expect(heldOutOfJourney(member, ['marketing'], five)).toBe(true);
    expect(heldOutOfJourney(member, ['tier-upgrade'], five)).toBe(false);
    // A journey with a service step is entered; its marketing sends are withheld at send time.
    expect(heldOutOfJourney(member, ['marketing', 'tier-upgrade'], five)).toBe(false);
    expect(heldOutOfJourney(other, ['marketing'], five)).toBe(false);
  });

  it('refuses marketing as a class the group still receives', () => {
    expect(() => program('controlGroup: { percent: 5, stillReceive: [marketing] }')).toThrow(/controlGroup\.stillReceive/);
  });
});
