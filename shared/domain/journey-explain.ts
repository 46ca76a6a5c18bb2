// `campaigns explain`: one customer's story in one journey — where they are, each step taken
// with its time and version, the branch chosen and why, and what became of every send — built
// from the run's state item and its send-outcome items (one Query on the customer's partition).
import type { JourneySendOutcome, JourneyState, JourneyStepRecord } from './journey-state.ts';

export interface JourneyExplanation {
  journeyId: string;
  customerId: string;
  status: 'not-entered' | 'active' | 'exited';
  /** One sentence: where the customer stands now. */
  summary: string;
  /** The journey's current published version, when known (a run may be on an older one). */
  currentVersion?: number | undefined;
  /** When a date trigger will next offer this customer an entry. */
  nextTriggerAt?: string | undefined;
  /** True if the global control group keeps the customer out of this journey (they never enter). */
  globalControlGroup?: boolean | undefined;
  run?:
    | {
        entries: number;
        enteredAt: string;
        entryVersion: number;
        version: number;
        currentStep?: string | undefined;
        nextDueAt?: string | undefined;
        variant?: string | undefined;
        exitReason?: string | undefined;
        exitedAt?: string | undefined;
      }
    | undefined;
  steps: JourneyStepRecord[];
  sends: JourneySendOutcome[];
}

const EXIT_WORDS: Record<string, string> = {
  completed: 'finished the journey',
  'exit-event': 'left on an exit event',
  'step-removed': 'left because their step was removed by a new version',
  disabled: 'left because the journey was disabled',
  'held-out': 'held out at entry (control group)',
  'left-audience': 'left: the entry condition no longer held',
};

export function explainJourney(input: {
  journeyId: string;
  customerId: string;
  state: JourneyState | undefined;
  sends: readonly JourneySendOutcome[];
  currentVersion?: number | undefined;
  nextTriggerAt?: string | undefined;
  globalControlGroup?: boolean | undefined;
}): JourneyExplanation {
  const { state } = input;
  const sends = [...input.sends].sort((a, b) => a.at.localeCompare(b.at) || a.stepId.localeCompare(b.stepId));
  const base = {
    journeyId: input.journeyId,
    customerId: input.customerId,
    currentVersion: input.currentVersion,
    nextTriggerAt: input.nextTriggerAt,
    sends,
  };
  const held = input.globalControlGroup
    ? 'held out by the global control group: enters no marketing journey (program.yaml controlGroup)'
    : undefined;
  if (!state) {
    return {
      ...base,
      ...(held ? { globalControlGroup: true } : {}),
      status: 'not-entered',
      summary: held ?? `has never entered${input.nextTriggerAt ? `; the trigger is next due ${input.nextTriggerAt}` : ''}`,
      steps: [],
    };
  }
  const older =
    input.currentVersion !== undefined && input.currentVersion !== state.version
      ? ` (journey now at v${input.currentVersion}: later steps run on it)`
      : '';
  const summary =
    state.status === 'exited'
      ? `${EXIT_WORDS[state.exitReason ?? ''] ?? `exited (${state.exitReason ?? 'no reason recorded'})`} at ${state.exitedAt ?? '?'}, on v${state.version}`
      : state.nextDueAt
        ? `waiting at ${state.currentStep ?? '?'} until ${state.nextDueAt}, on v${state.version}${older}`
        : `at ${state.currentStep ?? '?'}, on v${state.version}${older}`;
  return {
    ...base,
    status: state.status,
    ...(held ? { globalControlGroup: true } : {}),
    summary: `${summary}${state.variant ? `; variant ${state.variant}` : ''}${held ? `; since then ${held}` : ''}`,
    run: {
      entries: state.entries,
      enteredAt: state.enteredAt,
      entryVersion: state.entryVersion,
      version: state.version,
      currentStep: state.currentStep,
      nextDueAt: state.nextDueAt,
      variant: state.variant,
      exitReason: state.exitReason,
      exitedAt: state.exitedAt,
    },
    steps: state.history,
  };
}

/** The terminal form: a headline, the steps taken, then the sends with their outcome and reason. */
export function renderExplanation(explanation: JourneyExplanation): string {
  const { run } = explanation;
  const lines = [`${explanation.journeyId} · customer ${explanation.customerId}: ${explanation.summary}`];
  if (run)
    lines.push(
      `  entered ${run.enteredAt} on v${run.entryVersion} (entry ${run.entries})${explanation.nextTriggerAt ? ` · trigger next due ${explanation.nextTriggerAt}` : ''}`,
    );
  if (explanation.steps.length) {
    lines.push('', 'Steps');
    for (const step of explanation.steps)
      lines.push(
        `  ${step.at}  v${step.version}  ${step.kind.padEnd(6)} ${step.stepId.padEnd(18)} ${step.outcome}${step.detail ? ` — ${step.detail}` : ''}`,
      );
  }
  if (explanation.sends.length) {
    lines.push('', 'Sends');
    for (const send of explanation.sends)
      lines.push(
        `  ${send.at}  v${send.version}  ${send.stepId.padEnd(18)} ${send.template}${send.variant ? ` [${send.variant}]` : ''}: ${send.outcome}${send.reason ? ` (${send.reason})` : ''}${send.notBefore ? `, retry from ${send.notBefore}` : ''}`,
      );
  }
  return lines.join('\n');
}
