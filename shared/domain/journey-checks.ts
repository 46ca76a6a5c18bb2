// What would never work in a schema-valid journey: names no customer can have (`tiers: [Golld]`),
// a goto to no step, unreachable steps, a loop without a wait, a trigger that cannot fire, a
// condition that contradicts itself, a branch case no customer reaches. Pure: the caller gives
// the parsed journey and the names the running system knows; each problem names its field.
import type { z } from 'zod';
import type { Condition } from './journey-conditions.ts';
import { END, type Journey, type JourneyEvent, type JourneyStep } from './journey.ts';
import { type FieldProblem, journeyGraphProblems, type StepLinks, suggestion } from './journey-graph.ts';
import type { LifecycleThresholds } from './lifecycle.ts';
import { decimalToMilli } from './money.ts';

/** The names and limits a journey is checked against (program.yaml, analytics, lifecycle). */
export interface JourneyVocabulary {
  /** Tier ids in ladder order (lowest first), from program.yaml. */
  tiers: readonly string[];
  lifecycleStages: readonly string[];
  /** Every segment name analytics assigns (RFM, value tier, loyalty type, relationship level). */
  segments: readonly string[];
  lifecycle: LifecycleThresholds;
  /** The detail a journey sees for each event, to check `match` fields and values. */
  eventDetail: (event: JourneyEvent) => z.ZodObject | undefined;
}

/**
 * The longest day count a trigger or wait may use: timers are armed at a purchase, signup or
 * step, and ten years is beyond any purchase, profile or journey history the system keeps.
 */
export const MAX_DAYS = 3650;

export function journeyProblems(journey: Journey, vocabulary: JourneyVocabulary): FieldProblem[] {
  return [
    ...triggerProblems(journey, vocabulary),
    ...journey.steps.flatMap((step, index) => stepProblems(step, `steps.${index}`, vocabulary)),
    ...journeyGraphProblems(stepLinks(journey)),
  ];
}

/** Each step's exits as the engine follows them: goto, else the next step, else end. */
export function stepLinks(journey: Journey): StepLinks[] {
  return journey.steps.map((step, index) => {
    const field = `steps.${index}`;
    const next = journey.steps[index + 1]?.id ?? END;
    const exits =
      'branch' in step
        ? [
            ...step.branch.map((branchCase, k) => ({
              to: branchCase.goto,
              field: `${field}.branch.${k}.goto`,
            })),
            // No default case: a customer matching none goes on to the next step.
            ...(step.branch.some((branchCase) => !branchCase.if)
              ? []
              : [{ to: next, field: `${field}.branch` }]),
          ]
        : 'split' in step
          ? step.split.map((path, k) => ({ to: path.goto, field: `${field}.split.${k}.goto` }))
          : [{ to: step.goto ?? next, field: step.goto ? `${field}.goto` : field }];
    return { id: step.id, field, waits: 'wait' in step, exits };
  });
}

function triggerProblems(journey: Journey, vocabulary: JourneyVocabulary): FieldProblem[] {
  const { trigger } = journey;
  const problems: FieldProblem[] = [];
  if (trigger.where) {
    problems.push(...conditionProblems(trigger.where, 'trigger.where', vocabulary));
    for (const fact of ['purchasedSinceEntry', 'emailedSinceEntry'] as const) {
      if (trigger.where[fact] === true)
        problems.push({
          field: `trigger.where.${fact}`,
          message:
            'can never hold when the customer enters (nothing happened since entry yet): the trigger cannot fire',
        });
    }
  }
  if (trigger.on === 'event') {
    problems.push(...matchProblems(trigger.event, trigger.match ?? {}, vocabulary));
  }
  const days =
    trigger.on === 'inactivity'
      ? trigger.inactivity.days
      : trigger.on === 'signup'
        ? trigger.signup.days
        : undefined;
  if (days !== undefined && days > MAX_DAYS) {
    problems.push({
      field: `trigger.${trigger.on}.days`,
      message: `${days} days is longer than the data can express (at most ${MAX_DAYS}, ten years): the trigger cannot fire`,
    });
  }
  if (trigger.on === 'inactivity' && trigger.where?.lifecycleStages) {
    const stage = stageAfterInactivity(trigger.inactivity.days, vocabulary.lifecycle);
    if (!stage.possible.some((name) => trigger.where?.lifecycleStages?.includes(name))) {
      problems.push({
        field: 'trigger.where.lifecycleStages',
        message: `after ${trigger.inactivity.days} days without a purchase a customer is ${stage.possible.join(' or ')}, never ${trigger.where.lifecycleStages.join(' or ')}: the trigger cannot fire`,
      });
    }
  }
  return problems;
}

/** The lifecycle stages a customer can be in `days` after their last purchase. */
function stageAfterInactivity(days: number, t: LifecycleThresholds): { possible: string[] } {
  if (days >= t.churnedDays) return { possible: ['churned'] };
  if (days >= t.lapsedDays) return { possible: ['lapsed'] };
  if (days >= t.atRiskDays) return { possible: ['at-risk'] };
  return { possible: ['new', 'active', 'reactivated'] };
}

/** `match` fields must exist on the event's detail and accept the value; tier names must exist. */
function matchProblems(
  event: JourneyEvent,
  match: Record<string, string | number | boolean>,
  vocabulary: JourneyVocabulary,
): FieldProblem[] {
  const detail = vocabulary.eventDetail(event);
  if (!detail) return [];
  const fields = Object.keys(detail.shape);
  return Object.entries(match).flatMap(([name, value]): FieldProblem[] => {
    const field = `trigger.match.${name}`;
    const schema = detail.shape[name];
    if (!schema)
      return [
        {
          field,
          message: `${event} has no field ${name}${suggestion(name, fields)} (fields: ${fields.join(', ')})`,
        },
      ];
    if (event === 'Tier Changed' && (name === 'from' || name === 'to'))
      return nameProblems([String(value)], () => field, 'tier', vocabulary.tiers);
    if (!schema.safeParse(value).success)
      return [
        { field, message: `${event}'s ${name} is never ${JSON.stringify(value)}: the trigger cannot fire` },
      ];
    return [];
  });
}

function stepProblems(step: JourneyStep, field: string, vocabulary: JourneyVocabulary): FieldProblem[] {
  if ('branch' in step) {
    const problems = step.branch.flatMap((branchCase, k) =>
      branchCase.if ? conditionProblems(branchCase.if, `${field}.branch.${k}.if`, vocabulary) : [],
    );
    const always = step.branch.findIndex(
      (branchCase) => !branchCase.if || Object.keys(branchCase.if).length === 0,
    );
    if (always >= 0) {
      for (let k = always + 1; k < step.branch.length; k++)
        problems.push({
          field: `${field}.branch.${k}`,
          message: `is never considered: case ${always + 1} before it always holds (put the default case last)`,
        });
    }
    return problems;
  }
  if ('wait' in step && 'days' in step.wait && step.wait.days > MAX_DAYS)
    return [
      {
        field: `${field}.wait.days`,
        message: `${step.wait.days} days is longer than the data can express (at most ${MAX_DAYS})`,
      },
    ];
  if ('send' in step && step.send.offer?.valueByTier)
    return nameProblems(
      Object.keys(step.send.offer.valueByTier),
      (tier) => `${field}.send.offer.valueByTier.${tier}`,
      'tier',
      vocabulary.tiers,
    );
  return [];
}

/** Unknown names and parts that contradict each other (no customer could ever satisfy them). */
export function conditionProblems(
  condition: Condition,
  field: string,
  vocabulary: JourneyVocabulary,
): FieldProblem[] {
  const problems = [
    ...nameProblems(condition.tiers ?? [], (_, i) => `${field}.tiers.${i}`, 'tier', vocabulary.tiers),
    ...nameProblems(
      condition.lifecycleStages ?? [],
      (_, i) => `${field}.lifecycleStages.${i}`,
      'lifecycle stage',
      vocabulary.lifecycleStages,
    ),
    ...nameProblems(
      condition.segments ?? [],
      (_, i) => `${field}.segments.${i}`,
      'segment',
      vocabulary.segments,
    ),
  ];
  const never = (at: string, message: string) =>
    problems.push({ field: `${field}.${at}`, message: `${message}: no customer can match` });
  const milli = (amount: string | undefined) => (amount === undefined ? undefined : decimalToMilli(amount));
  const minSpend = milli(condition.minSpend);
  const maxSpend = milli(condition.maxSpend);
  if (minSpend !== undefined && maxSpend !== undefined && minSpend > maxSpend)
    never('maxSpend', `is below minSpend (${condition.maxSpend} < ${condition.minSpend})`);
  const { minOrders, maxOrders } = condition;
  if (minOrders !== undefined && maxOrders !== undefined && minOrders > maxOrders)
    never('maxOrders', `is below minOrders (${maxOrders} < ${minOrders})`);
  if (maxOrders === 0 && minSpend !== undefined && minSpend > 0)
    never('minSpend', `needs spend of ${condition.minSpend} with maxOrders 0 (no orders, no spend)`);
  if (maxOrders === 0 && condition.purchasedSinceEntry === true)
    never('purchasedSinceEntry', 'needs a purchase with maxOrders 0');
  const { points } = condition;
  if (points?.min !== undefined && points.max !== undefined && points.min > points.max)
    never('points.max', `is below points.min (${points.max} < ${points.min})`);
  const top = vocabulary.tiers.at(-1);
  if (
    condition.toNextTier &&
    top !== undefined &&
    condition.tiers?.length &&
    condition.tiers.every((tier) => tier === top)
  )
    never('toNextTier', `asks for a next tier, but ${top} is the top tier`);
  return problems;
}

/** One problem per value not in `known`, at `fieldOf(value, index)`. */
function nameProblems(
  values: readonly string[],
  fieldOf: (value: string, index: number) => string,
  what: string,
  known: readonly string[],
): FieldProblem[] {
  return values.flatMap((value, index) =>
    known.includes(value)
      ? []
      : [
          {
            field: fieldOf(value, index),
            message: `unknown ${what} ${JSON.stringify(value)}${suggestion(value, known)} (known: ${known.join(', ')})`,
          },
        ],
  );
}
