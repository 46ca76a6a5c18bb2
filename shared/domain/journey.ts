// A journey as marketers write it (campaigns/<id>.yaml, templates in templates/<name>/<locale>/):
// a trigger, an entry condition, a re-entry policy, exit events, send defaults, a holdout share
// and steps (wait, branch, split, send) run in order unless a step says `goto`. One schema, so the
// CLI, the publisher and the engine agree on what a journey is; the engine knows trigger kinds and
// step kinds, never a journey by name.
import * as z from 'zod';
import { ianaTimeZone } from '../events/contracts.ts';
import { DAY_MS } from './clock.ts';
import { BEST_HOUR_FALLBACK, type PurchaseHours, resolveSendHour, type ResolvedSendHour } from './best-send-hour.ts';
import { conditionSchema, localeName, moneyText } from './journey-conditions.ts';

// Journey and step ids ride in every email's headers (campaign, step, variant): 64 bytes at most.
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' })
  .max(64, { message: 'must be at most 64 characters' });
const templateName = z.string().regex(/^[\w-]+$/, { message: 'must be a folder name under templates/' });
const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time of day such as "21:00"' });

/** A duration as marketers write it: "2d", "36h". */
const delay = z.string().regex(/^[1-9]\d*[dh]$/, { message: 'must be a number of days or hours such as "2d" or "36h"' });

/** A `delay` in milliseconds. */
export function delayMs(text: string): number {
  const amount = Number.parseInt(text, 10);
  return amount * (text.endsWith('d') ? DAY_MS : DAY_MS / 24);
}

/** `end` finishes the journey; every other goto names a step id. */
export const END = 'end';
const stepRef = slug;

/**
 * Events a journey can enter on or exit on, by the name marketers know. Each is consumed AFTER
 * its fact is recorded (shared/events/emitted.ts): `Purchase Completed` means the recorded
 * purchase (`Purchase Recorded`), `Customer Upserted` the stored profile (`Customer Profile
 * Updated`).
 */
export const JOURNEY_EVENTS = [
  'Purchase Completed',
  'Order Refunded',
  'Customer Upserted',
  'Tier Changed',
  'Lifecycle Stage Changed',
] as const;
export type JourneyEvent = (typeof JOURNEY_EVENTS)[number];
const journeyEvent = z.enum(JOURNEY_EVENTS);

const where = conditionSchema.optional();

/** What makes a customer enter: an event after it is recorded, or a per-customer date. */
export const journeyTriggerSchema = z.discriminatedUnion('on', [
  z.strictObject({
    on: z.literal('event'),
    event: journeyEvent,
    /** Event detail fields that must equal these values, e.g. `{ direction: up }` on Tier Changed. */
    match: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    where,
  }),
  z.strictObject({
    on: z.literal('birthday'),
    birthday: z
      .strictObject({
        /** Where Feb 29 birthdays are celebrated in common years. */
        leapDayIn: z.enum(['feb-28', 'mar-01']).default('feb-28'),
      })
      .default({ leapDayIn: 'feb-28' }),
    where,
  }),
  /** Yearly, on the local date of the customer's first purchase (from the first anniversary). */
  z.strictObject({ on: z.literal('first-purchase-anniversary'), where }),
  /** `days` after the customer was first seen (0 = the signup day, at send.hour). */
  z.strictObject({
    on: z.literal('signup'),
    signup: z.strictObject({ days: z.number().int().min(0) }).default({ days: 0 }),
    where,
  }),
  /** `days` after the last purchase with no purchase since; a new purchase re-arms it. */
  z.strictObject({
    on: z.literal('inactivity'),
    inactivity: z.strictObject({ days: z.number().int().positive() }),
    where,
  }),
  /**
   * The day the customer's predicted P(alive) falls below `pAliveBelow` with no purchase since
   * (docs/predictions.md): timed by the customer's own rhythm, not a fixed number of days.
   */
  z.strictObject({
    on: z.literal('churn-risk'),
    churnRisk: z.strictObject({ pAliveBelow: z.number().gt(0).lt(1) }).default({ pAliveBelow: 0.5 }),
    where,
  }),
]);
export type JourneyTrigger = z.output<typeof journeyTriggerSchema>;
export type TriggerKind = JourneyTrigger['on'];
export const DATE_TRIGGER_KINDS = ['birthday', 'first-purchase-anniversary', 'signup', 'inactivity', 'churn-risk'] as const;
export type DateTriggerKind = (typeof DATE_TRIGGER_KINDS)[number];

/** once (default): never again · always: every trigger · { every: "90d" }: at most once per period. */
export const reentrySchema = z.union([
  z.enum(['once', 'always']),
  z.strictObject({
    every: z.string().regex(/^\d+d$/, { message: 'must be a number of days such as "90d"' }),
  }),
]);
export type Reentry = z.output<typeof reentrySchema>;

/** Send defaults for every send step (a step may override any of them). */
export const sendRulesSchema = z.strictObject({
  /**
   * Local hour in the customer's zone that date triggers fire at, or `best`: each customer's most
   * likely purchase hour, learned from their orders (shared/domain/best-send-hour.ts).
   */
  hour: z.union([z.number().int().min(0).max(23), z.literal('best')]).default(9),
  /** Zone for customers whose profile has none. */
  defaultTimeZone: ianaTimeZone.default('America/New_York'),
  quietHours: z.strictObject({ from: hhmm, to: hhmm }).optional(),
  /** The frequency cap counts `marketing`; `tier-upgrade` may be exempt (sender config). */
  capClass: z.enum(['marketing', 'tier-upgrade']).default('marketing'),
  /** 1 (highest) .. 9; when the cap allows one more email, the higher priority goes first. */
  priority: z.number().int().min(1).max(9).default(5),
  /**
   * Event triggers: a send this long after it was due (the trigger event, or the end of the wait
   * before it) is skipped, explained: an upgrade from months ago is not congratulated today.
   */
  maxDelay: delay.default('2d'),
});
export type SendRules = z.output<typeof sendRulesSchema>;
const SEND_DEFAULTS: SendRules = {
  hour: 9,
  defaultTimeZone: 'America/New_York',
  capClass: 'marketing',
  priority: 5,
  maxDelay: '2d',
};

export const offerSchema = z
  .strictObject({
    kind: z.enum(['amount-off', 'percent-off', 'free-shipping', 'none']),
    /** A unique code per customer and entry with this prefix ... */
    codePrefix: z
      .string()
      .regex(/^[A-Z0-9]{1,8}$/, { message: 'must be 1-8 upper-case letters or digits' })
      .optional(),
    /** ... or one shared code. */
    code: z.string().min(1).optional(),
    /** amount-off: value (program currency) by loyalty tier; customers without a tier get defaultTier. */
    valueByTier: z.record(z.string().min(1), moneyText).optional(),
    defaultTier: z.string().min(1).default('Bronze'),
    percentOff: z.number().int().min(1).max(100).optional(),
    freeShipping: z.boolean().default(false),
    expiresAfterDays: z.number().int().positive().default(30),
  })
  .superRefine((offer, ctx) => {
    if (offer.kind === 'amount-off' && !offer.valueByTier)
      ctx.addIssue({ code: 'custom', path: ['valueByTier'], message: 'is required when kind is amount-off' });
    if (offer.kind === 'amount-off' && offer.valueByTier && !(offer.defaultTier in offer.valueByTier)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultTier'],
        message: `must be one of valueByTier's tiers (${Object.keys(offer.valueByTier).join(', ')})`,
      });
    }
    if (offer.kind === 'percent-off' && offer.percentOff === undefined)
      ctx.addIssue({ code: 'custom', path: ['percentOff'], message: 'is required when kind is percent-off' });
    if (offer.code && offer.codePrefix)
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'give either code or codePrefix, not both' });
  });
export type Offer = z.output<typeof offerSchema>;

export const waitSchema = z.union([
  z.strictObject({ days: z.number().int().positive() }),
  z.strictObject({ hours: z.number().int().positive() }),
  /** The next local time of day (in the customer's zone), at least a minute ahead. */
  z.strictObject({ until: z.strictObject({ hour: z.number().int().min(0).max(23) }) }),
]);
export type Wait = z.output<typeof waitSchema>;

export const branchCaseSchema = z.strictObject({
  /** No `if`: the default case (always holds). */
  if: conditionSchema.optional(),
  goto: stepRef,
});
export const splitPathSchema = z.strictObject({
  percent: z.number().int().min(1).max(100),
  goto: stepRef,
});

/** A step's overrides carry no defaults of their own: an absent field inherits the journey's. */
export const sendStepSchema = z.strictObject({
  template: templateName,
  offer: offerSchema.optional(),
  hour: sendRulesSchema.shape.hour.unwrap().optional(),
  quietHours: sendRulesSchema.shape.quietHours,
  capClass: sendRulesSchema.shape.capClass.unwrap().optional(),
  priority: sendRulesSchema.shape.priority.unwrap().optional(),
  maxDelay: delay.optional(),
});
export type SendStep = z.output<typeof sendStepSchema>;

const stepBase = { id: slug, goto: stepRef.optional() };
/** Exactly one of wait, branch, split, send; `goto` (after wait/send) overrides "next in order". */
export const journeyStepSchema = z.union([
  z.strictObject({ ...stepBase, wait: waitSchema }),
  z.strictObject({ id: slug, branch: z.array(branchCaseSchema).min(1) }),
  z.strictObject({ id: slug, split: z.array(splitPathSchema).min(2) }),
  z.strictObject({ ...stepBase, send: sendStepSchema }),
]);
export type JourneyStep = z.output<typeof journeyStepSchema>;
export type WaitStep = Extract<JourneyStep, { wait: unknown }>;
export type BranchStep = Extract<JourneyStep, { branch: unknown }>;
export type SplitStep = Extract<JourneyStep, { split: unknown }>;
export type SendJourneyStep = Extract<JourneyStep, { send: unknown }>;
export const STEP_KINDS = ['wait', 'branch', 'split', 'send'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The kind of a parsed step (exactly one kind key is present). */
export function stepKind(step: JourneyStep): StepKind {
  if ('wait' in step) return 'wait';
  if ('branch' in step) return 'branch';
  if ('split' in step) return 'split';
  return 'send';
}

export const journeySchema = z
  .strictObject({
    id: slug,
    name: z.string().min(1),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    trigger: journeyTriggerSchema,
    reentry: reentrySchema.default('once'),
    /** Events that take the customer out wherever they are. */
    exitOn: z.array(journeyEvent).default([]),
    send: sendRulesSchema.default(SEND_DEFAULTS),
    /** Percent of entrants held out (recorded, never sent) to measure uplift. */
    holdoutPercent: z.number().min(0).max(50).default(0),
    templates: z
      .strictObject({
        /** Locales every template must exist in; others fall back to en-US. */
        locales: z.array(localeName).min(1).default(['en-US']),
        /** Representative trigger-event detail for previews and publish-time rendering. */
        sample: z.record(z.string(), z.unknown()).default({}),
      })
      .default({ locales: ['en-US'], sample: {} }),
    steps: z.array(journeyStepSchema).min(1),
  })
  .superRefine((journey, ctx) => {
    // Structural only; semantic checks (names, reachability, loops) live in the validator.
    const ids = new Set<string>();
    for (const [index, step] of journey.steps.entries()) {
      if (step.id === END)
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `"${END}" is reserved` });
      if (ids.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `duplicates step ${step.id}` });
      ids.add(step.id);
      if ('split' in step) {
        const total = step.split.reduce((sum, path) => sum + path.percent, 0);
        if (total !== 100)
          ctx.addIssue({
            code: 'custom',
            path: ['steps', index, 'split'],
            message: `percents must sum to 100 (got ${total})`,
          });
      }
    }
    if (!journey.templates.locales.includes('en-US')) {
      ctx.addIssue({
        code: 'custom',
        path: ['templates', 'locales'],
        message: 'must include en-US, the fallback locale',
      });
    }
  });
export type Journey = z.output<typeof journeySchema>;
export type JourneyInput = z.input<typeof journeySchema>;

/** Every template folder the journey's send steps render. */
export function journeyTemplates(journey: Journey): string[] {
  return [...new Set(journey.steps.flatMap((step) => ('send' in step ? [step.send.template] : [])))];
}

/** The hour a journey's `hour: best` falls back to: its own fixed hour, else BEST_HOUR_FALLBACK. */
export function fallbackHourOf(journey: Journey): number {
  return journey.send.hour === 'best' ? BEST_HOUR_FALLBACK : journey.send.hour;
}

/** The local hour (in `timeZone`) the journey's date triggers fire at for this customer. */
export function occasionHourOf(
  journey: Journey,
  purchaseHours: PurchaseHours | undefined,
  timeZone: string,
  now: Date,
): number {
  return resolveSendHour(journey.send.hour, purchaseHours, timeZone, fallbackHourOf(journey), now).hour;
}

/**
 * The hour a send step waits for, or undefined to send as soon as the step is reached: a step
 * that names an hour waits for it, and so does every step of a journey whose default is `best`
 * (a fixed journey hour only times its date triggers, so event-triggered sends stay immediate).
 */
export function sendStepHourOf(
  journey: Journey,
  step: SendStep,
  purchaseHours: PurchaseHours | undefined,
  timeZone: string,
  now: Date,
): ResolvedSendHour | undefined {
  const spec = step.hour ?? (journey.send.hour === 'best' ? 'best' : undefined);
  return spec === undefined ? undefined : resolveSendHour(spec, purchaseHours, timeZone, fallbackHourOf(journey), now);
}

/** The cap classes the journey's send steps go out under. */
export function journeyCapClasses(journey: Journey): string[] {
  return [...new Set(journey.steps.flatMap((step) => ('send' in step ? [sendRulesOf(journey, step.send).capClass] : [])))];
}

/** A step's send rules: the journey's defaults with the step's overrides. */
export function sendRulesOf(journey: Journey, step: SendStep): SendRules {
  return {
    hour: step.hour ?? journey.send.hour,
    defaultTimeZone: journey.send.defaultTimeZone,
    capClass: step.capClass ?? journey.send.capClass,
    priority: step.priority ?? journey.send.priority,
    maxDelay: step.maxDelay ?? journey.send.maxDelay,
    ...((step.quietHours ?? journey.send.quietHours)
      ? { quietHours: step.quietHours ?? journey.send.quietHours }
      : {}),
  };
}

/** Where a step goes next when it does not choose: its goto, else the next step, else end. */
export function nextStepId(journey: Journey, stepId: string): string {
  const index = journey.steps.findIndex((step) => step.id === stepId);
  const step = journey.steps[index];
  if (step && 'goto' in step && step.goto) return step.goto;
  return journey.steps[index + 1]?.id ?? END;
}
