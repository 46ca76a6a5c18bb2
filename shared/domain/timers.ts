// Due-timers: one per (customer, kind), stored on an hour-bucketed index. This module holds the
// pure rules of the scheduler's window: which hour buckets are open, when the next run is worth
// doing, and how early a timer may be armed so a scheduler run is sure to see it; and how a
// customer's one date-trigger timer (JOURNEY#TRIGGERS) is read, merged and placed on the index.
export const TIMER_KINDS = ['tier-review', 'lifecycle', 'journey-triggers'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

/** Which timer: one per (customer, kind); every date-trigger journey shares the one 'journey-triggers'. */
export interface TimerRef {
  kind: TimerKind;
}

/** The loyalty tier's anniversary review (shared/flows/tier-review.ts). */
export interface TierReviewTimerData {
  kind: 'tier-review';
  /** The tierHeldUntil the timer is armed for; null when disarmed (base tier). */
  heldUntil: string | null;
}

/** The next lifecycle stage change (shared/flows/lifecycle.ts). */
export interface LifecycleTimerData {
  kind: 'lifecycle';
  /** The transition instant the timer is armed for; null when disarmed (churned: no next stage). */
  at: string | null;
}

/** One journey's next date trigger for this customer (shared/journeys/triggers). */
export interface JourneyOccasionTimer {
  /** The occasion armed for; null when disarmed (no birthday, never purchased …). */
  entryId: string | null;
  /** When it is due (the occasion's own time, before any arming lead); null when disarmed. */
  dueAt: string | null;
  /** Occasions already entered (bounded), so a moved birthday never greets twice in a year. */
  entered: string[];
}

/**
 * Every date-trigger journey's next occasion for one customer, and the next change of their
 * lifecycle stage, in ONE timer on the due index at the earliest of them: what a first purchase
 * arms (lifecycle, anniversary, win-back), or a console publish, is one write.
 */
export interface JourneyTriggersTimerData {
  kind: 'journey-triggers';
  journeys: Record<string, JourneyOccasionTimer>;
  /** The lifecycle stage's next change the timer is armed for (null or absent: none armed here). */
  lifecycle?: string | null;
}

export type TimerData = TierReviewTimerData | LifecycleTimerData | JourneyTriggersTimerData;

/**
 * Where the customer's timer should hold the lifecycle's next change, given the one armed and one
 * just decided (a purchase, an old lifecycle timer's firing): the decided one if none is armed or
 * it comes sooner. One armed earlier stays — firing recomputes the stage from the orders and
 * re-arms at the true next change — so purchases that only postpone it write nothing, and a
 * reordered, older announcement cannot postpone a change that is due.
 */
export function lifecycleChangeToArm(armed: string | null | undefined, decided: string | null): string | null {
  if (armed === undefined || armed === null) return decided;
  return decided !== null && Date.parse(decided) < Date.parse(armed) ? decided : armed;
}

/** The earliest armed occasion or lifecycle change (the timer's place on the due index). */
export function earliestOccasion(data: JourneyTriggersTimerData): Date | undefined {
  const due = [...Object.values(data.journeys).map((occasion) => occasion.dueAt), data.lifecycle]
    .filter((at): at is string => typeof at === 'string')
    .map(Date.parse);
  return due.length ? new Date(Math.min(...due)) : undefined;
}

export interface Timer<D extends TimerData = TimerData> {
  customerId: string;
  /** Optimistic version: every arm, claim and re-arm moves it on by one. */
  version: number;
  /** Absent when the timer is disarmed (kept for its history, off the due index). */
  dueAt: string | undefined;
  data: D;
}

/** The date-trigger occasions by journey id a customer's JOURNEY#TRIGGERS holds (none: no such timer). */
export function journeysOf(timer: Timer | undefined): Record<string, JourneyOccasionTimer> {
  return timer?.data.kind === 'journey-triggers' ? timer.data.journeys : {};
}

/** The lifecycle change armed in a customer's JOURNEY#TRIGGERS (undefined: none armed there). */
export function lifecycleOf(timer: Timer | undefined): string | null | undefined {
  return timer?.data.kind === 'journey-triggers' ? timer.data.lifecycle : undefined;
}

/** The customer's JOURNEY#TRIGGERS with these occasions (and lifecycle change), on the index at the earliest. */
export function triggersTimer(
  journeys: Record<string, JourneyOccasionTimer>,
  lifecycle: string | null | undefined,
): { data: JourneyTriggersTimerData; dueAt: Date | undefined } {
  const data: JourneyTriggersTimerData = {
    kind: 'journey-triggers',
    journeys,
    ...(lifecycle === undefined ? {} : { lifecycle }),
  };
  return { data, dueAt: earliestOccasion(data) };
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
 * How far ahead each run reads the due directory. A run may then sleep until the first timer
 * it saw, so a timer armed inside this window must nudge the scheduler (see `needsNudge`).
 */
export const HORIZON_HOURS = 24;

/**
 * True when a timer armed now lands where the last run may already have looked and found
 * nothing: within the horizon. A date trigger whose occasion was edited onto (or just before) the
 * day, a journey wait of hours and catch-up re-arms qualify; a wait of weeks or next year's
 * occasion never does.
 */
export function needsNudge(dueAt: Date, now: Date): boolean {
  return dueAt.getTime() < hourStart(now).getTime() + (HORIZON_HOURS + 1) * HOUR_MS;
}

export interface SchedulerState {
  /** Last hour bucket fully processed ("2026-11-23T08"); absent before the first run. */
  watermark: string | undefined;
  /** The scheduler need not look before this instant unless nudged. */
  nextCheckAt: string | undefined;
  /** Earliest due time of a timer armed inside the horizon since the last run. */
  nudgeAt: string | undefined;
}

/** When the scheduler planned to look next: its own plan or a nudge, whichever is earlier. */
export function plannedCheckAt(state: SchedulerState): Date | undefined {
  const times = [state.nextCheckAt, state.nudgeAt]
    .filter((t): t is string => t !== undefined)
    .map(Date.parse);
  return times.length ? new Date(Math.min(...times)) : undefined;
}

/** True when a tick has work: the planned check (a timer, the horizon edge) or a nudge is due. */
export function runIsDue(state: SchedulerState, now: Date): boolean {
  const planned = plannedCheckAt(state);
  return !state.watermark || !planned || planned.getTime() <= now.getTime();
}

/** Hours to read the directory for: after the watermark up to the horizon, oldest first. */
export function hoursInView(watermark: string | undefined, now: Date, initialLookbackHours: number): Date[] {
  const current = hourStart(now).getTime();
  const first = watermark
    ? parseHourLabel(watermark).getTime() + HOUR_MS
    : current - initialLookbackHours * HOUR_MS;
  const hours: Date[] = [];
  for (let at = first; at < current + HORIZON_HOURS * HOUR_MS; at += HOUR_MS) hours.push(new Date(at));
  return hours;
}

/**
 * When the next run is worth doing: the earliest timer seen pending, the first hour with timers
 * ahead, or an hour before the horizon runs out — whichever comes first.
 */
export function nextCheckAt(input: {
  earliestPending?: Date | undefined;
  nextMarkedHour?: Date | undefined;
  now: Date;
}): Date {
  const horizonEdge = hourStart(input.now).getTime() + (HORIZON_HOURS - 1) * HOUR_MS;
  const candidates = [input.earliestPending, input.nextMarkedHour]
    .filter((d): d is Date => d !== undefined)
    .map((d) => d.getTime());
  return new Date(Math.max(input.now.getTime(), Math.min(horizonEdge, ...candidates)));
}

/** How late the scheduler is against its own plan: zero when on time, hours after an outage. */
export function schedulerLagMs(state: SchedulerState, now: Date): number | undefined {
  const planned = plannedCheckAt(state);
  if (!state.watermark || !planned) return undefined;
  return Math.max(0, now.getTime() - planned.getTime());
}
