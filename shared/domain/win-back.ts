// The win-back (reactivation) series: after a customer's last purchase, a step is due N days
// later at a local hour; a newer purchase starts a new lapse, so each lapse gets one series.
import { z } from 'zod';
import { addDays, localDateTimeAt, zonedTimeToUtc } from './local-time.ts';
import { ianaZone } from './birthday.ts';

const stepSchema = z.strictObject({
  /** Stable step name, used in the ledger period and reporting ("day-60"). */
  id: z.string().regex(/^[a-z0-9-]+$/, { message: 'must be lower-case letters, digits and dashes' }),
  afterDays: z.number().int().positive(),
  template: z.string().min(1),
  /** What this step offers; passed to the template as `offer`. */
  offer: z
    .strictObject({
      percentOff: z.number().int().min(0).max(100).default(0),
      code: z.string().min(1).optional(),
      freeShipping: z.boolean().default(false),
    })
    .default({ percentOff: 0, freeShipping: false }),
});

export const winBackConfigSchema = z.strictObject({
  campaign: z.string().min(1).default('win-back'),
  enabled: z.boolean().default(true),
  /** Local hour the step is due on its day, so it lands in business hours, not at purchase time. */
  sendHour: z.number().int().min(0).max(23).default(10),
  defaultTimeZone: ianaZone.default('UTC'),
  steps: z
    .array(stepSchema)
    .min(1)
    .refine((steps) => steps.every((step, i) => i === 0 || step.afterDays > (steps[i - 1]?.afterDays ?? 0)), {
      message: 'steps must be in increasing afterDays order',
    })
    .refine((steps) => new Set(steps.map((step) => step.id)).size === steps.length, {
      message: 'step ids must be unique',
    }),
});
export type WinBackConfig = z.output<typeof winBackConfigSchema>;
export type WinBackStep = WinBackConfig['steps'][number];

/** When step `index` of the lapse that began at `lapseStart` is due. */
export function winBackStepDueAt(
  lapseStart: Date,
  index: number,
  timeZone: string,
  config: Pick<WinBackConfig, 'steps' | 'sendHour'>,
): Date | undefined {
  const step = config.steps[index];
  if (!step) return undefined;
  const purchaseDay = localDateTimeAt(lapseStart, timeZone);
  const day = addDays(purchaseDay, step.afterDays);
  return zonedTimeToUtc({ ...day, hour: config.sendHour, minute: 0 }, timeZone);
}

export interface WinBackDue {
  lapseStart: string;
  stepIndex: number;
  dueAt: Date;
}

/**
 * The step to arm when a (new) last purchase is known: the first step still in the future. A
 * lapse discovered late (a history import) does not fire a burst of overdue steps; a customer
 * past the final step is out of the series until they buy again.
 */
export function firstWinBackDue(
  lastPurchaseAt: string,
  timeZone: string,
  now: Date,
  config: Pick<WinBackConfig, 'steps' | 'sendHour'>,
): WinBackDue | undefined {
  const lapseStart = new Date(lastPurchaseAt);
  for (let index = 0; index < config.steps.length; index++) {
    const dueAt = winBackStepDueAt(lapseStart, index, timeZone, config);
    if (dueAt && dueAt.getTime() > now.getTime()) return { lapseStart: lapseStart.toISOString(), stepIndex: index, dueAt };
  }
  return undefined;
}

/** Ledger period of one step of one lapse: one email per (customer, lapse, step), ever. */
export function winBackPeriod(lapseStart: string, step: WinBackStep): string {
  return `${lapseStart}#${step.id}`;
}
