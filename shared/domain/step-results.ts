// Per send step (and split variant) of a journey, what its emails achieved in the period, from the
// step counters (shared/store/journey-step-results.ts) of the days the emails were sent: sent,
// delivered, bounced, complained, opened, clicked, unsubscribed, converted (a purchase within the attribution
// window after the email) and revenue, with revenue per recipient — every rate over this row's sent.
import type { Milli } from './money.ts';

/** A purchase this many days after a journey send counts for that send step: the report's default window (the CLI, the console, the weekly stored reports). */
export const ATTRIBUTION_DAYS = 7;

/** The counters kept per journey, day, send step and variant (shared/store/journey-step-results.ts). */
export const STEP_COUNTERS = [
  'sent',
  'delivered',
  'bounced',
  'complained',
  'opened',
  'clicked',
  'unsubscribed',
  'converted',
  'revenueMilli',
] as const;
export type StepCounter = (typeof STEP_COUNTERS)[number];

export interface StepDayCounts {
  journeyId: string;
  stepId: string;
  variant: string | undefined;
  day: string;
  counts: Partial<Record<StepCounter, number>>;
}

/** What a journey's line in the report (and the console's journey list) counts of its emails. */
export const JOURNEY_COUNTERS = ['sent', 'delivered', 'bounced', 'complained', 'opened', 'clicked', 'unsubscribed'] as const;
export type JourneyCounter = (typeof JOURNEY_COUNTERS)[number];

const noCounts = () => Object.fromEntries(JOURNEY_COUNTERS.map((c) => [c, 0])) as Record<JourneyCounter, number>;

export interface JourneyDay {
  day: string;
  counts: Record<JourneyCounter, number>;
}

/**
 * A journey's counters per send day, its steps and variants added up, oldest first: the step
 * results are the one set of counters. `older` are the daily counters (`STATS#<journey> /
 * DAY#<day>`) tables kept before step results existed; a day of them counts only where the
 * journey has no step results that day, so an email counted in both is counted once.
 */
export function journeyDays(
  steps: readonly StepDayCounts[],
  older: readonly { day: string; counts: Readonly<Record<string, number>> }[] = [],
): JourneyDay[] {
  const days = new Map<string, JourneyDay>();
  const add = (day: string, counts: Readonly<Partial<Record<string, number>>>) => {
    const row = days.get(day) ?? { day, counts: noCounts() };
    for (const name of JOURNEY_COUNTERS) row.counts[name] += counts[name] ?? 0;
    days.set(day, row);
  };
  for (const row of steps) add(row.day, row.counts);
  const stepped = new Set(days.keys());
  for (const row of older) if (!stepped.has(row.day)) add(row.day, row.counts);
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** A journey's counters over all the days given (journeyDays added up). */
export function journeyTotals(...args: Parameters<typeof journeyDays>): Record<JourneyCounter, number> {
  const totals = noCounts();
  for (const day of journeyDays(...args)) for (const name of JOURNEY_COUNTERS) totals[name] += day.counts[name];
  return totals;
}

/**
 * What a step row is compared with. The holdout is drawn when a customer enters the journey, so
 * there is no holdout per step:
 * - `entry-step`: the journey's first step, which every entry not held out gets — the journey's
 *   holdout is this step's comparison, and the journey's uplift is its uplift;
 * - `later-step`: reached only by entries still in the journey after earlier steps (a wait, a
 *   branch, an exit on purchase), a group the entry holdout has no counterpart for — a difference
 *   with the holdout would credit or blame the step for who was left, so the journey's uplift,
 *   the whole series against no email, is the figure that holds;
 * - `no-holdout`: the journey held nobody out in the period.
 */
export const STEP_HOLDOUTS = ['entry-step', 'later-step', 'no-holdout'] as const;
export type StepHoldout = (typeof STEP_HOLDOUTS)[number];

export const STEP_HOLDOUT_MEANS: Record<StepHoldout, string> = {
  'entry-step': 'every entry not held out gets this step: the journey’s holdout and uplift are its own',
  'later-step':
    'reached only by entries still in the journey after earlier steps, which the entry holdout does not mirror: read the journey’s uplift',
  'no-holdout': 'no holdout in this period: no uplift to measure',
};

export interface StepResult {
  step: string;
  variant: string | undefined;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  /** Opt-outs through this email's unsubscribe link (counted once per customer and journey). */
  unsubscribed: number;
  converted: number;
  /** converted / sent; null without sends. */
  conversionRate: number | null;
  revenueMilli: Milli;
  /** revenueMilli / sent; null without sends. */
  revenuePerRecipientMilli: Milli | null;
  /** What this row is compared with (never its own uplift: the holdout is drawn at entry). */
  holdout: StepHoldout;
}

/** Rows per (step, variant) of one journey, for send days in [from, to), in the journey's step order then variant. */
export function stepResults(
  days: readonly StepDayCounts[],
  journey: {
    journeyId: string;
    /** The current version's first send step (if it comes first) and step order, when known. */
    shape: { entryStep: string | undefined; steps: readonly string[] } | undefined;
    /** Entries held out in the period. */
    heldOut: number;
  },
  from: Date,
  to: Date,
): StepResult[] {
  const { journeyId } = journey;
  const holdoutOf = (step: string): StepHoldout =>
    journey.heldOut === 0 ? 'no-holdout' : step === journey.shape?.entryStep ? 'entry-step' : 'later-step';
  // In the journey's order; a step no longer in it after the known ones, by name.
  const order = journey.shape?.steps ?? [];
  const rank = (step: string) => (order.includes(step) ? order.indexOf(step) : order.length);
  // A day counts when it starts inside the period (the same rule as the journey's line).
  const inPeriod = (day: string) => {
    const start = Date.parse(`${day}T00:00:00.000Z`);
    return start >= from.getTime() && start < to.getTime();
  };
  const rows = new Map<string, StepResult>();
  for (const day of days) {
    if (day.journeyId !== journeyId || !inPeriod(day.day)) continue;
    const key = `${day.stepId}#${day.variant ?? ''}`;
    const row = rows.get(key) ?? {
      step: day.stepId,
      variant: day.variant,
      sent: 0,
      delivered: 0,
      bounced: 0,
      complained: 0,
      opened: 0,
      clicked: 0,
      unsubscribed: 0,
      converted: 0,
      conversionRate: null,
      revenueMilli: 0,
      revenuePerRecipientMilli: null,
      holdout: holdoutOf(day.stepId),
    };
    for (const name of STEP_COUNTERS) row[name] += day.counts[name] ?? 0;
    rows.set(key, row);
  }
  return [...rows.values()]
    .map((row) => ({
      ...row,
      conversionRate: row.sent === 0 ? null : row.converted / row.sent,
      revenuePerRecipientMilli: row.sent === 0 ? null : Math.round(row.revenueMilli / row.sent),
    }))
    .sort(
      (a, b) =>
        rank(a.step) - rank(b.step) || a.step.localeCompare(b.step) || (a.variant ?? '').localeCompare(b.variant ?? ''),
    );
}
