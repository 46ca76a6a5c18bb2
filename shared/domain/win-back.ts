// The win-back (reactivation) series: after a customer's last purchase, a step is due N days
// later at a local hour; a newer purchase starts a new lapse, so each lapse gets one series.
import { addDays, localDateTimeAt, zonedTimeToUtc } from './local-time.ts';

export interface WinBackStep {
  /** Stable step name, used in the ledger period and reporting ("day-60"). */
  id: string;
  afterDays: number;
  template: string;
  /** What this step offers; handed to the template as `offer`. */
  offer: Record<string, unknown>;
}

export interface WinBackConfig {
  /** Campaign id: the send ledger's campaign ("win-back"). */
  campaign: string;
  enabled: boolean;
  /** Local hour the step is due on its day, so it lands in business hours, not at purchase time. */
  sendHour: number;
  defaultTimeZone: string;
  /** In increasing afterDays order. */
  steps: WinBackStep[];
}

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
    if (dueAt && dueAt.getTime() > now.getTime())
      return { lapseStart: lapseStart.toISOString(), stepIndex: index, dueAt };
  }
  return undefined;
}

/** Ledger period of one step of one lapse: one email per (customer, lapse, step), ever. */
export function winBackPeriod(lapseStart: string, step: WinBackStep): string {
  return `${lapseStart}#${step.id}`;
}
