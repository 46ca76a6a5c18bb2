// The shape checks of a journey's step graph that the schema cannot express: a goto to no step,
// a step no path reaches, and a loop a customer would spin in forever because nothing on it
// waits. Pure and schema-agnostic: the caller lists each step's exits; problems name the field.
import { END } from './journey.ts';

export interface StepExit {
  /** A step id, or `end`. */
  to: string;
  /** Dotted field the exit is written at ("steps.2.branch.0.goto"), for file:line reporting. */
  field: string;
}

export interface StepLinks {
  id: string;
  /** Every step (or `end`) the customer can go to from here, falling through included. */
  exits: readonly StepExit[];
  /** True when the step holds the customer until a later time (so a loop through it is paced). */
  waits: boolean;
  /** Dotted field of the step itself ("steps.2"). */
  field: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Problems with gotos, reachability and unpaced loops; steps run in the order given. */
export function journeyGraphProblems(steps: readonly StepLinks[]): FieldProblem[] {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const problems: FieldProblem[] = [];
  const known = steps.map((step) => step.id).join(', ');
  for (const step of steps) {
    for (const exit of step.exits) {
      if (exit.to !== END && !byId.has(exit.to)) {
        problems.push({
          field: exit.field,
          message: `goes to no step ${JSON.stringify(exit.to)}${suggestion(exit.to, [...byId.keys(), END])} (steps: ${known}; or ${END})`,
        });
      }
    }
  }
  const reached = reachableFrom(steps[0], byId);
  for (const step of steps) {
    if (!reached.has(step.id)) {
      problems.push({
        field: step.field,
        message: `step ${step.id} is never reached: no goto leads to it and the step before it always jumps elsewhere`,
      });
    }
  }
  for (const loop of unpacedLoops(steps, byId)) {
    const first = byId.get(loop[0] ?? '');
    const back = first?.exits.find((exit) => loop.includes(exit.to));
    problems.push({
      field: back?.field ?? first?.field ?? '',
      message: `loops ${[...loop, loop[0]].join(' → ')} without a wait: a customer would go round it forever; add a wait step to the loop`,
    });
  }
  return problems;
}

function reachableFrom(start: StepLinks | undefined, byId: ReadonlyMap<string, StepLinks>): Set<string> {
  const reached = new Set<string>();
  const queue = start ? [start] : [];
  for (let step = queue.shift(); step; step = queue.shift()) {
    if (reached.has(step.id)) continue;
    reached.add(step.id);
    for (const exit of step.exits) {
      const next = byId.get(exit.to);
      if (next && !reached.has(next.id)) queue.push(next);
    }
  }
  return reached;
}

/**
 * Cycles among steps that do not wait: the strongly connected components (Tarjan) of the graph
 * restricted to non-waiting steps that contain a cycle, each listed in journey order.
 */
function unpacedLoops(steps: readonly StepLinks[], byId: ReadonlyMap<string, StepLinks>): string[][] {
  const order = new Map(steps.map((step, index) => [step.id, index]));
  const instant = (id: string) => {
    const step = byId.get(id);
    return step && !step.waits ? step : undefined;
  };
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  let counter = 0;
  const visit = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const exit of instant(id)?.exits ?? []) {
      if (!instant(exit.to)) continue;
      if (!index.has(exit.to)) {
        visit(exit.to);
        low.set(id, Math.min(low.get(id) ?? 0, low.get(exit.to) ?? 0));
      } else if (onStack.has(exit.to)) {
        low.set(id, Math.min(low.get(id) ?? 0, index.get(exit.to) ?? 0));
      }
    }
    if (low.get(id) !== index.get(id)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === id) break;
    }
    const selfLoop = instant(id)?.exits.some((exit) => exit.to === id) ?? false;
    if (component.length > 1 || selfLoop)
      loops.push(component.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
  };
  for (const step of steps) if (!step.waits && !index.has(step.id)) visit(step.id);
  return loops.sort((a, b) => (order.get(a[0] ?? '') ?? 0) - (order.get(b[0] ?? '') ?? 0));
}

/** `; did you mean "Gold"?` when a known name is one or two edits away (case-insensitive). */
export function suggestion(value: string, known: readonly string[]): string {
  const lower = value.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= Math.min(2, Math.floor(name.length / 3) || 1) && (!best || distance < best.distance))
      best = { name, distance };
  }
  return best ? `; did you mean ${JSON.stringify(best.name)}?` : '';
}

/** Optimal string alignment distance: a swap of two neighbours ("edn") counts as one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}
