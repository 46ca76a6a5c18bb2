import { describe, expect, it } from 'vitest';
import { parseJourneyYaml } from '#shared/journeys/parse.ts';
import { evaluateCondition, type ConditionFacts } from '#shared/domain/journey-conditions.ts';
import { nextStepId, sendRulesOf, stepKind } from '#shared/domain/journey.ts';

const GOLD_NUDGE = `
id: gold-nudge
name: Gold members close to Platinum
enabled: true
trigger:
  on: event
  event: Purchase Completed
  where: { tiers: [Gold] }
reentry: once
exitOn: [Purchase Completed]
send: { hour: 10, capClass: marketing, priority: 5 }
holdoutPercent: 10
steps:
  - id: wait-3d
    wait: { days: 3 }
  - id: close-to-platinum
    branch:
      - if: { purchasedSinceEntry: true }
        goto: end
      - if: { toNextTier: { maxSpend: "300.00" } }
        goto: subject-test
      - goto: end
  - id: subject-test
    split:
      - { percent: 50, goto: nudge-a }
      - { percent: 50, goto: nudge-b }
  - id: nudge-a
    send: { template: gold-nudge-a, offer: { kind: percent-off, percentOff: 10, codePrefix: PLAT } }
    goto: end
  - id: nudge-b
    send: { template: gold-nudge-b }
`;

const facts = (overrides: Partial<ConditionFacts> = {}): ConditionFacts => ({
  tier: 'Gold',
  spendMilli: 2_100_000,
  orderCount: 4,
  pointsBalance: 3150,
  spendToNextTierMilli: 250_000,
  ...overrides,
});

describe('journey file', () => {
  it('parses the issue example with every step kind and default re-entry', () => {
    const { journey, problems } = parseJourneyYaml(GOLD_NUDGE, 'campaigns/gold-nudge.yaml');
    expect(problems).toEqual([]);
    expect(journey?.steps.map(stepKind)).toEqual(['wait', 'branch', 'split', 'send', 'send']);
    expect(journey?.reentry).toBe('once');
    expect(journey && nextStepId(journey, 'wait-3d')).toBe('close-to-platinum');
    expect(journey && nextStepId(journey, 'nudge-a')).toBe('end');
    expect(journey && nextStepId(journey, 'nudge-b')).toBe('end');
  });

  it('names the field and line of a split that does not sum to 100', () => {
    const { problems } = parseJourneyYaml(
      GOLD_NUDGE.replace('{ percent: 50, goto: nudge-b }', '{ percent: 40, goto: nudge-b }'),
      'campaigns/gold-nudge.yaml',
    );
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'steps.2.split',
        message: expect.stringContaining('sum to 100 (got 90)'),
      }),
    ]);
  });

  it('refuses a step id longer than the 64 characters an email header carries, naming the step', () => {
    const long = 'n'.repeat(65);
    const { problems } = parseJourneyYaml(GOLD_NUDGE.replace('- id: nudge-b', `- id: ${long}`).replace('goto: nudge-b', `goto: ${long}`), 'campaigns/gold-nudge.yaml');
    expect(problems).toContainEqual(expect.objectContaining({ field: 'steps.4.id', message: expect.stringContaining('at most 64') }));
    expect(parseJourneyYaml(GOLD_NUDGE.replace('- id: nudge-b', `- id: ${long.slice(1)}`).replace('goto: nudge-b', `goto: ${long.slice(1)}`), 'campaigns/gold-nudge.yaml').problems).toEqual([]);
  });

  it('rejects an unknown trigger event by name', () => {
    const { problems } = parseJourneyYaml(
      GOLD_NUDGE.replace('event: Purchase Completed', 'event: Purchase Done'),
      'campaigns/gold-nudge.yaml',
    );
    expect(problems[0]).toEqual(
      expect.objectContaining({
        field: 'trigger.event',
        message: expect.stringContaining('"Purchase Done"'),
      }),
    );
  });
});

describe('send rules of a step', () => {
  it("inherit the journey's capClass, priority and hour where the step names none", () => {
    const { journey } = parseJourneyYaml(
      GOLD_NUDGE.replace('send: { hour: 10, capClass: marketing, priority: 5 }', 'send: { hour: 10, capClass: tier-upgrade, priority: 2 }'),
      'campaigns/gold-nudge.yaml',
    );
    const step = journey?.steps.find((s) => s.id === 'nudge-a');
    if (!journey || !step || !('send' in step)) throw new Error('nudge-a is a send step');
    expect(sendRulesOf(journey, step.send)).toMatchObject({ capClass: 'tier-upgrade', priority: 2, hour: 10 });
  });
});

describe('journey conditions', () => {
  it('holds with the reasons of every part', () => {
    expect(evaluateCondition({ tiers: ['Gold'], toNextTier: { maxSpend: '300.00' } }, facts())).toEqual({
      holds: true,
      reason: 'tier Gold in Gold; 250.00 to the next tier ≤ 300.00',
    });
  });

  it('fails on the first part that does not hold, saying why', () => {
    expect(evaluateCondition({ tiers: ['Silver', 'Gold'], points: { min: 5000 } }, facts())).toEqual({
      holds: false,
      reason: '3150 points outside 5000..∞',
    });
    expect(
      evaluateCondition({ toNextTier: { maxSpend: '300.00' } }, facts({ spendToNextTierMilli: undefined })),
    ).toEqual({
      holds: false,
      reason: 'already at the top tier',
    });
  });

  it('knows a purchase after entry from one before it', () => {
    const entered = { enteredAt: '2027-03-01T10:00:00.000Z' };
    expect(
      evaluateCondition(
        { purchasedSinceEntry: true },
        facts({ ...entered, lastPurchaseAt: '2027-03-02T10:00:00.000Z' }),
      ).holds,
    ).toBe(true);
    expect(
      evaluateCondition(
        { purchasedSinceEntry: true },
        facts({ ...entered, lastPurchaseAt: '2027-02-28T10:00:00.000Z' }),
      ).holds,
    ).toBe(false);
    expect(evaluateCondition({ purchasedSinceEntry: false }, facts(entered)).holds).toBe(true);
    expect(
      evaluateCondition(
        { emailedSinceEntry: false },
        facts({ ...entered, lastEmailedAt: '2027-03-01T11:00:00.000Z' }),
      ),
    ).toEqual({
      holds: false,
      reason: 'emailed since entry (2027-03-01T11:00:00.000Z)',
    });
  });

  it('matches a locale exactly or by its language, and a customer with no locale matches neither', () => {
    expect(evaluateCondition({ locales: ['zh'] }, facts({ locale: 'zh-TW' })).holds).toBe(true);
    expect(evaluateCondition({ locales: ['zh-CN'] }, facts({ locale: 'zh-TW' }))).toEqual({
      holds: false,
      reason: 'locale zh-TW not in zh-CN',
    });
    expect(evaluateCondition({ locales: ['en'] }, facts({ locale: undefined })).holds).toBe(false);
  });

  it('holds for everyone when empty', () => {
    expect(evaluateCondition({}, facts())).toEqual({ holds: true, reason: 'no condition' });
  });
});

describe('the bucket condition', () => {
  const ids = Array.from({ length: 4000 }, (_, i) => `c-${i}`);
  const lower = { bucket: { of: 'win-back-timing', from: 0, to: 49 } };
  const upper = { bucket: { of: 'win-back-timing', from: 50, to: 99 } };
  const holds = (condition: typeof lower, customerId: string) =>
    evaluateCondition(condition, facts({ customerId })).holds;

  it('puts every customer in exactly one of two complementary ranges, about half each, the same every time', () => {
    const inLower = ids.filter((id) => holds(lower, id));
    const inUpper = ids.filter((id) => holds(upper, id));
    expect(inLower.length + inUpper.length).toBe(ids.length);
    expect(inLower.filter((id) => inUpper.includes(id))).toEqual([]);
    expect(inLower.length / ids.length).toBeGreaterThan(0.46);
    expect(inLower.length / ids.length).toBeLessThan(0.54);
    expect(ids.filter((id) => holds(lower, id))).toEqual(inLower);
  });

  it('draws independently per name, explains the bucket, and fails without a customer id', () => {
    const other = { bucket: { of: 'subject-test', from: 0, to: 49 } };
    const both = ids.filter((id) => holds(lower, id) && holds(other, id)).length / ids.length;
    expect(both).toBeGreaterThan(0.2);
    expect(both).toBeLessThan(0.3);
    expect(evaluateCondition(lower, facts({ customerId: 'c-1' })).reason).toMatch(
      /^bucket \d+ of win-back-timing (within|outside) 0\.\.49$/,
    );
    expect(evaluateCondition(lower, facts()).holds).toBe(false);
  });

  it('rejects a range whose from is above its to, naming the field', () => {
    const { problems } = parseJourneyYaml(
      GOLD_NUDGE.replace('where: { tiers: [Gold] }', 'where: { bucket: { of: test, from: 60, to: 40 } }'),
      'campaigns/gold-nudge.yaml',
    );
    expect(problems).toEqual([
      expect.objectContaining({ field: 'trigger.where.bucket.from', message: expect.stringContaining('from must not be above to') }),
    ]);
  });
});
