import { describe, expect, it } from 'vitest';
import { journeyGraphProblems, type StepLinks, suggestion } from '#shared/domain/journey-graph.ts';

/** A step from a compact spec: `exits` are targets; a step index gives the field. */
function steps(spec: { id: string; to: string[]; waits?: boolean }[]): StepLinks[] {
  return spec.map((step, index) => ({
    id: step.id,
    field: `steps.${index}`,
    waits: step.waits ?? false,
    exits: step.to.map((to, exit) => ({ to, field: `steps.${index}.goto.${exit}` })),
  }));
}

describe('journey step graph', () => {
  it('accepts a straight journey, a branch to end and a loop paced by a wait', () => {
    expect(
      journeyGraphProblems(
        steps([
          { id: 'wait', to: ['check'], waits: true },
          { id: 'check', to: ['nudge', 'end'] },
          { id: 'nudge', to: ['wait'] },
        ]),
      ),
    ).toEqual([]);
  });

  it('reports a goto to no step at its field, with the closest name', () => {
    expect(
      journeyGraphProblems(
        steps([
          { id: 'nudge-a', to: ['nudge-b'] },
          { id: 'nudge-b', to: ['nudge-c', 'edn'] },
        ]),
      ),
    ).toEqual([
      {
        field: 'steps.1.goto.0',
        message: 'goes to no step "nudge-c"; did you mean "nudge-a"? (steps: nudge-a, nudge-b; or end)',
      },
      {
        field: 'steps.1.goto.1',
        message: 'goes to no step "edn"; did you mean "end"? (steps: nudge-a, nudge-b; or end)',
      },
    ]);
  });

  it('reports every step no path reaches, including ones reached only from unreachable steps', () => {
    const problems = journeyGraphProblems(
      steps([
        { id: 'first', to: ['end'] },
        { id: 'orphan', to: ['orphan-child'] },
        { id: 'orphan-child', to: ['end'] },
      ]),
    );
    expect(problems.map((p) => p.field)).toEqual(['steps.1', 'steps.2']);
    expect(problems[0]?.message).toMatch(/step orphan is never reached/);
  });

  it('reports a loop with no wait on it, once, at the goto that closes it', () => {
    const problems = journeyGraphProblems(
      steps([
        { id: 'start', to: ['check'], waits: true },
        { id: 'check', to: ['send', 'end'] },
        { id: 'send', to: ['check'] },
      ]),
    );
    expect(problems).toEqual([
      {
        field: 'steps.1.goto.0',
        message:
          'loops check → send → check without a wait: a customer would go round it forever; add a wait step to the loop',
      },
    ]);
  });

  it('reports a step that goes to itself', () => {
    const problems = journeyGraphProblems(steps([{ id: 'again', to: ['again', 'end'] }]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'steps.0.goto.0' });
    expect(problems[0]?.message).toMatch(/loops again → again without a wait/);
  });

  it('does not call a loop unpaced when one step on it waits', () => {
    expect(
      journeyGraphProblems(
        steps([
          { id: 'a', to: ['b'] },
          { id: 'b', to: ['c'] },
          { id: 'c', to: ['a', 'end'], waits: true },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('name suggestions', () => {
  it('suggests a known name one or two edits away, case-insensitively, and nothing for a stranger', () => {
    expect(suggestion('Golld', ['Bronze', 'Silver', 'Gold', 'Platinum'])).toBe('; did you mean "Gold"?');
    expect(suggestion('platnum', ['Gold', 'Platinum'])).toBe('; did you mean "Platinum"?');
    expect(suggestion('Diamond', ['Bronze', 'Silver', 'Gold', 'Platinum'])).toBe('');
  });
});
