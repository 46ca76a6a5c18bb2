// Per send step (and split variant) of a journey, what its emails achieved in the period, from the
// step counters (shared/store/journey-step-results.ts) of the days the emails were sent: sent,
// delivered, bounced, complained, opened, clicked, converted (a purchase within the attribution
// window after the email) and revenue, with revenue per recipient — every rate over this row's sent.
import type { Milli } from './money.ts';

export interface StepDayCounts {
  journeyId: string;
  stepId: string;
  variant: string | undefined;
  day: string;
  counts: Partial<Record<'sent' | 'delivered' | 'bounced' | 'complained' | 'opened' | 'clicked' | 'converted' | 'revenueMilli', number>>;
}

export interface StepResult {
  step: string;
  variant: string | undefined;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  converted: number;
  /** converted / sent; null without sends. */
  conversionRate: number | null;
  revenueMilli: Milli;
  /** revenueMilli / sent; null without sends. */
  revenuePerRecipientMilli: Milli | null;
}

/** Rows per (step, variant) of one journey, for send days in [from, to), in step then variant order. */
export function stepResults(days: readonly StepDayCounts[], journeyId: string, from: Date, to: Date): StepResult[] {
  // A day counts when it starts inside the period (the same rule as the campaign day counters).
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
      converted: 0,
      conversionRate: null,
      revenueMilli: 0,
      revenuePerRecipientMilli: null,
    };
    for (const name of ['sent', 'delivered', 'bounced', 'complained', 'opened', 'clicked', 'converted', 'revenueMilli'] as const)
      row[name] += day.counts[name] ?? 0;
    rows.set(key, row);
  }
  return [...rows.values()]
    .map((row) => ({
      ...row,
      conversionRate: row.sent === 0 ? null : row.converted / row.sent,
      revenuePerRecipientMilli: row.sent === 0 ? null : Math.round(row.revenueMilli / row.sent),
    }))
    .sort((a, b) => a.step.localeCompare(b.step) || (a.variant ?? '').localeCompare(b.variant ?? ''));
}
