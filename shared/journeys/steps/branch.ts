// `branch`: the first case whose `if` holds (a case without `if` always holds) names the next
// step; the history keeps which case and why, so `explain` can answer "why this path".
import { evaluateCondition } from '../../domain/journey-conditions.ts';
import { type BranchStep, nextStepId } from '../../domain/journey.ts';
import type { StepModule } from './types.ts';

export const branchStep: StepModule<BranchStep> = {
  async run({ version, step, facts, conditionFacts }) {
    const customer = await facts();
    if (!customer)
      return {
        kind: 'exit',
        reason: 'left-audience',
        outcome: 'exited',
        detail: 'the customer is no longer stored',
      };
    const known = conditionFacts(customer);
    for (const [index, option] of step.branch.entries()) {
      if (!option.if)
        return { kind: 'go', to: option.goto, outcome: `case ${index + 1}`, detail: 'default case' };
      const verdict = evaluateCondition(option.if, known);
      if (verdict.holds)
        return { kind: 'go', to: option.goto, outcome: `case ${index + 1}`, detail: verdict.reason };
    }
    return {
      kind: 'go',
      to: nextStepId(version.journey, step.id),
      outcome: 'no case held',
      detail: 'went on to the next step',
    };
  },
};
