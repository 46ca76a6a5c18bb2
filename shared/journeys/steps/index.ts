// The step registry: step kind -> module. Adding a kind is adding a module here.
import { type JourneyStep, stepKind } from '../../domain/journey.ts';
import { branchStep } from './branch.ts';
import { sendStep } from './send.ts';
import { splitStep } from './split.ts';
import type { StepResult, StepRun } from './types.ts';
import { waitStep } from './wait.ts';

export type { StepDeps, StepResult, StepRun } from './types.ts';

/** Runs a step through the module of its kind. */
export function runStep(input: StepRun): Promise<StepResult> {
  const step: JourneyStep = input.step;
  if ('wait' in step) return waitStep.run({ ...input, step });
  if ('branch' in step) return branchStep.run({ ...input, step });
  if ('split' in step) return splitStep.run({ ...input, step });
  return sendStep.run({ ...input, step });
}

export { stepKind };
