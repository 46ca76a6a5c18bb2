import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type JourneyInput, journeySchema } from '#shared/domain/journey.ts';
import { journeyProblems, MAX_DAYS } from '#shared/domain/journey-checks.ts';
import { journeyVocabulary } from '#shared/domain/journey-vocabulary.ts';
import { parseProgramYaml } from '#shared/config/program-file.ts';

const program = parseProgramYaml(readFileSync('campaigns/program.yaml', 'utf8'), 'campaigns/program.yaml');
const vocabulary = journeyVocabulary(program);

/** A valid journey (the gold-nudge), with `changes` merged over it. */
function journey(changes: Partial<JourneyInput> = {}) {
  return journeySchema.parse({
    id: 'gold-nudge',
    name: 'Gold members close to Platinum',
    trigger: { on: 'event', event: 'Purchase Completed', where: { tiers: ['Gold'] } },
    exitOn: ['Purchase Completed'],
    steps: [
      { id: 'wait-3d', wait: { days: 3 } },
      {
        id: 'close-to-platinum',
        branch: [
          { if: { purchasedSinceEntry: true }, goto: 'end' },
          { if: { toNextTier: { maxSpend: '300.00' } }, goto: 'subject-test' },
          { goto: 'end' },
        ],
      },
      {
        id: 'subject-test',
        split: [
          { percent: 50, goto: 'nudge-a' },
          { percent: 50, goto: 'nudge-b' },
        ],
      },
      { id: 'nudge-a', send: { template: 'gold-nudge-a' }, goto: 'end' },
      { id: 'nudge-b', send: { template: 'gold-nudge-b' } },
    ],
    ...changes,
  });
}

const problems = (changes: Partial<JourneyInput>) => journeyProblems(journey(changes), vocabulary);

describe('journey validation: what would never work', () => {
  it('finds nothing wrong with the issue example journey', () => {
    expect(journeyProblems(journey(), vocabulary)).toEqual([]);
  });

  it('names an unknown tier, stage and segment at its list entry, with the closest known name', () => {
    const found = problems({
      trigger: {
        on: 'event',
        event: 'Purchase Completed',
        where: { tiers: ['Gold', 'Golld'], lifecycleStages: ['lapsd'], segments: ['champion', 'vip'] },
      },
    });
    expect(found).toEqual([
      {
        field: 'trigger.where.tiers.1',
        message: 'unknown tier "Golld"; did you mean "Gold"? (known: Bronze, Silver, Gold, Platinum)',
      },
      expect.objectContaining({
        field: 'trigger.where.lifecycleStages.0',
        message: expect.stringMatching(/^unknown lifecycle stage "lapsd"; did you mean "lapsed"\?/),
      }),
      expect.objectContaining({
        field: 'trigger.where.segments.0',
        message: expect.stringMatching(/^unknown segment "champion"; did you mean "champions"\?/),
      }),
      expect.objectContaining({
        field: 'trigger.where.segments.1',
        message: expect.stringMatching(/^unknown segment "vip" \(known: champions, /),
      }),
    ]);
  });

  it('checks branch conditions and offer tiers as well as the entry condition', () => {
    const found = problems({
      steps: [
        { id: 'check', branch: [{ if: { tiers: ['Platnum'] }, goto: 'gift' }, { goto: 'end' }] },
        {
          id: 'gift',
          send: {
            template: 'gift',
            offer: { kind: 'amount-off', valueByTier: { Bronze: '5', Gould: '20' }, defaultTier: 'Bronze' },
          },
        },
      ],
    });
    expect(found.map((p) => p.field)).toEqual([
      'steps.0.branch.0.if.tiers.0',
      'steps.1.send.offer.valueByTier.Gould',
    ]);
  });

  it('reports a goto to no step, an unreachable step and a loop without a wait', () => {
    const found = problems({
      steps: [
        { id: 'first', send: { template: 't' }, goto: 'nudge' },
        { id: 'orphan', send: { template: 't' } },
        { id: 'nudge', branch: [{ if: { minOrders: 1 }, goto: 'nudge-again' }, { goto: 'nuge' }] },
        { id: 'nudge-again', send: { template: 't' }, goto: 'nudge' },
      ],
    });
    expect(found.map((p) => [p.field, p.message.split(':')[0]])).toEqual([
      ['steps.2.branch.1.goto', 'goes to no step "nuge"; did you mean "nudge"? (steps'],
      ['steps.1', 'step orphan is never reached'],
      ['steps.2.branch.0.goto', 'loops nudge → nudge-again → nudge without a wait'],
    ]);
  });

  it('accepts the same loop once it waits', () => {
    expect(
      problems({
        steps: [
          { id: 'nudge', branch: [{ if: { purchasedSinceEntry: false }, goto: 'remind' }, { goto: 'end' }] },
          { id: 'remind', send: { template: 't' } },
          { id: 'pause', wait: { days: 7 }, goto: 'nudge' },
        ],
      }),
    ).toEqual([]);
  });

  it('reports branch cases after the default case as never considered', () => {
    expect(
      problems({
        steps: [
          { id: 'check', branch: [{ goto: 'a' }, { if: { tiers: ['Gold'] }, goto: 'end' }] },
          { id: 'a', send: { template: 't' } },
        ],
      }),
    ).toEqual([
      {
        field: 'steps.0.branch.1',
        message: 'is never considered: case 1 before it always holds (put the default case last)',
      },
    ]);
  });

  it('reports an entry condition that can never hold on entry', () => {
    expect(
      problems({ trigger: { on: 'event', event: 'Tier Changed', where: { purchasedSinceEntry: true } } }),
    ).toEqual([
      {
        field: 'trigger.where.purchasedSinceEntry',
        message:
          'can never hold when the customer enters (nothing happened since entry yet): the trigger cannot fire',
      },
    ]);
  });

  it('reports conditions that contradict themselves', () => {
    const found = problems({
      trigger: {
        on: 'event',
        event: 'Purchase Completed',
        where: {
          minSpend: '500',
          maxSpend: '100.00',
          minOrders: 3,
          maxOrders: 1,
          points: { min: 10, max: 5 },
        },
      },
      steps: [
        {
          id: 'check',
          branch: [
            { if: { maxOrders: 0, minSpend: '1' }, goto: 'end' },
            { if: { tiers: ['Platinum'], toNextTier: { maxSpend: '100' } }, goto: 'end' },
          ],
        },
      ],
    });
    expect(found.map((p) => p.field)).toEqual([
      'trigger.where.maxSpend',
      'trigger.where.maxOrders',
      'trigger.where.points.max',
      'steps.0.branch.0.if.minSpend',
      'steps.0.branch.1.if.toNextTier',
    ]);
    expect(found[0]?.message).toBe('is below minSpend (100.00 < 500): no customer can match');
    expect(found[4]?.message).toBe(
      'asks for a next tier, but Platinum is the top tier: no customer can match',
    );
  });

  it('reports a trigger that cannot fire: a match field the event lacks or a value it never has', () => {
    const found = problems({
      trigger: {
        on: 'event',
        event: 'Tier Changed',
        match: { direction: 'sideways', too: 'Gold', from: 'Silvr' },
      },
    });
    expect(found).toEqual([
      {
        field: 'trigger.match.direction',
        message: 'Tier Changed\'s direction is never "sideways": the trigger cannot fire',
      },
      expect.objectContaining({
        field: 'trigger.match.too',
        message: expect.stringMatching(/^Tier Changed has no field too; did you mean "to"\?/),
      }),
      expect.objectContaining({
        field: 'trigger.match.from',
        message: expect.stringMatching(/^unknown tier "Silvr"; did you mean "Silver"\?/),
      }),
    ]);
    expect(
      problems({ trigger: { on: 'event', event: 'Tier Changed', match: { direction: 'up', to: 'Gold' } } }),
    ).toEqual([]);
  });

  it('reports an inactivity window whose lifecycle stage contradicts the entry condition', () => {
    expect(
      problems({
        trigger: { on: 'inactivity', inactivity: { days: 90 }, where: { lifecycleStages: ['active'] } },
      }),
    ).toEqual([
      {
        field: 'trigger.where.lifecycleStages',
        message:
          'after 90 days without a purchase a customer is at-risk, never active: the trigger cannot fire',
      },
    ]);
    expect(
      problems({
        trigger: {
          on: 'inactivity',
          inactivity: { days: 90 },
          where: { lifecycleStages: ['at-risk', 'lapsed'] },
        },
      }),
    ).toEqual([]);
  });

  it('reports day counts longer than the data can express', () => {
    expect(
      problems({ trigger: { on: 'inactivity', inactivity: { days: MAX_DAYS + 1 } } }).map((p) => p.field),
    ).toEqual(['trigger.inactivity.days']);
    expect(problems({ trigger: { on: 'signup', signup: { days: 40_000 } } })[0]?.message).toMatch(
      /^40000 days is longer than the data can express/,
    );
    expect(
      problems({
        steps: [
          { id: 'forever', wait: { days: 99_999 } },
          { id: 'send', send: { template: 't' } },
        ],
      }).map((p) => p.field),
    ).toEqual(['steps.0.wait.days']);
  });
});
