// Due-timers: one per (customer, kind), stored on an hour-bucketed index. This module holds the
// pure rules of the scheduler's window: which hour buckets are open, when the next run is worth
// doing, and how early a timer may be armed so a scheduler run is sure to see it.
export const TIMER_KINDS = ['birthday', 'win-back'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export interface BirthdayTimerData {
  kind: 'birthday';
  /** Birthday year the timer is armed for; null when disarmed (no birthday). */
  year: number | null;
  /** Latest year greeted: the once-a-year guard survives birthday and time-zone edits. */
  greetedYear: number | null;
}

export interface WinBackTimerData {
  kind: 'win-back';
  /** The last purchase that began this lapse (ISO instant). */
  lapseStart: string;
  /** Next step to send; equal to the step count once the series is complete. */
  stepIndex: number;
}

export type TimerData = BirthdayTimerData | WinBackTimerData;

export interface Timer<D extends TimerData = TimerData> {
  customerId: string;
  /** Optimistic version: every arm, claim and re-arm moves it on by one. */
  version: number;
  /** Absent when the timer is disarmed (kept for its history, off the due index). */
  dueAt: string | undefined;
  data: D;
}

const HOUR_MS = 3_600_000;

/**
 * A timer is never armed less than this far ahead: an index write becomes visible to queries
 * well within it, so the run that closes the timer's hour bucket is certain to see it.
 */
export const ARMING_LEAD_MS = 60_000;

export function hourStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** "2026-11-23T09": the form the watermark and bucket keys use. */
export function hourLabel(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export function parseHourLabel(label: string): Date {
  return new Date(`${label}:00:00.000Z`);
}

/** The due time actually stored: never in the past, never inside an hour already closed. */
export function armedDueAt(wanted: Date, now: Date): Date {
  return new Date(Math.max(wanted.getTime(), now.getTime() + ARMING_LEAD_MS));
}

/**
 * A timer due before the next hour after this one might be missed by the next planned run
 * (planned from the index before it was written), so arming it nudges the scheduler.
 */
export function needsNudge(dueAt: Date, now: Date): boolean {
  return dueAt.getTime() < hourStart(now).getTime() + 2 * HOUR_MS;
}

export interface SchedulerState {
  /** Last hour bucket fully processed ("2026-11-23T08"); absent before the first run. */
  watermark: string | undefined;
  /** The scheduler need not query before this instant unless nudged. */
  nextCheckAt: string | undefined;
  /** Earliest due time of a timer armed close to now since the last run. */
  nudgeAt: string | undefined;
}

/** True when a tick has work: a new hour bucket opened, a timer came due, or an arm nudged. */
export function runIsDue(state: SchedulerState, now: Date): boolean {
  const at = now.getTime();
  if (!state.watermark || !state.nextCheckAt) return true;
  if (state.nudgeAt && Date.parse(state.nudgeAt) <= at) return true;
  return Date.parse(state.nextCheckAt) <= at;
}

/** Hour buckets to query: every hour after the watermark up to the current one, oldest first. */
export function openHours(watermark: string | undefined, now: Date, initialLookbackHours: number): Date[] {
  const current = hourStart(now).getTime();
  const first = watermark ? parseHourLabel(watermark).getTime() + HOUR_MS : current - initialLookbackHours * HOUR_MS;
  const hours: Date[] = [];
  for (let at = first; at <= current; at += HOUR_MS) hours.push(new Date(at));
  return hours;
}

/** When the next run is worth doing: the earliest pending timer or the next hour, whichever first. */
export function nextCheckAt(earliestPending: Date | undefined, now: Date): Date {
  const nextHour = hourStart(now).getTime() + HOUR_MS;
  return new Date(Math.min(earliestPending?.getTime() ?? nextHour, nextHour));
}

/** How far the scheduler is behind: time since the end of the last fully processed hour. */
export function schedulerLagMs(watermark: string | undefined, now: Date): number | undefined {
  if (!watermark) return undefined;
  return Math.max(0, now.getTime() - (parseHourLabel(watermark).getTime() + HOUR_MS));
}
