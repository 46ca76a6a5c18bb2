// `split`: a deterministic draw per (journey, step, customer) picks a path by its percent; the
// path taken is the run's variant, carried on every later send so A/B results can be counted.
import { holdoutDraw } from '../../domain/holdout.ts';
import type { SplitStep } from '../../domain/journey.ts';
import type { StepModule } from './types.ts';

export const splitStep: StepModule<SplitStep> = {
  async run({ version, step, state }) {
    const draw = holdoutDraw(`${version.journeyId}#split#${step.id}`, state.customerId) * 100;
    let upTo = 0;
    for (const path of step.split) {
      upTo += path.percent;
      if (draw < upTo)
        return {
          kind: 'go',
          to: path.goto,
          variant: path.goto,
          outcome: `variant ${path.goto}`,
          detail: `${path.percent}% path`,
        };
    }
    const last = step.split.at(-1);
    if (!last) throw new Error(`split ${step.id} has no paths`);
    return {
      kind: 'go',
      to: last.goto,
      variant: last.goto,
      outcome: `variant ${last.goto}`,
      detail: `${last.percent}% path`,
    };
  },
};
