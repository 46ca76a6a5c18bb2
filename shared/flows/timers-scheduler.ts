// The scheduler run: from the watermark (last hour bucket fully processed) up to now, query every
// (hour, shard) bucket of the due index, fire each due timer once (claim -> fire -> re-arm)
// and move the watermark. Query only, never Scan: the cost is today's audience, not the base.
import { randomUUID } from 'node:crypto';
import {
  armedDueAt,
  hourLabel,
  hourStart,
  hoursInView,
  needsNudge,
  nextCheckAt,
  parseHourLabel,
  plannedCheckAt,
  runIsDue,
  schedulerLagMs,
  type Timer,
  type JourneyTriggersTimerData,
  type TimerData,
} from '../domain/timers.ts';
import { keys } from '../store/keys.ts';
import { foldLifecycleTimer } from './lifecycle.ts';
import type { DueJourneyRun, LegacyJourneyTrigger, TimerStore } from '../store/timers.ts';

const HOUR_MS = 3_600_000;

export interface SchedulerOptions {
  /** Timers fired per run at most; the rest wait for the next tick (the watermark holds). */
  maxFires: number;
  /** Items per Query page. */
  pageSize: number;
  /** Timers fired concurrently. */
  concurrency: number;
  /** How far back the very first run looks for timers armed before it existed. */
  initialLookbackHours: number;
  /** How long a run holds the lease (at least the function timeout). */
  leaseMs: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  maxFires: 5000,
  pageSize: 200,
  concurrency: 25,
  initialLookbackHours: 48,
  leaseMs: 5 * 60_000,
};

/** The journey engine as the scheduler drives it: due waits and due date-trigger timers. */
export interface JourneyTimers {
  resume(customerId: string, journeyId: string, now: Date): Promise<void>;
  postpone(customerId: string, journeyId: string, until: Date, now: Date): Promise<void>;
  fireDateTriggers(
    timer: Timer<JourneyTriggersTimerData>,
    now: Date,
  ): Promise<{ data: JourneyTriggersTimerData; dueAt: Date | undefined }>;
  /** A journey's trigger still in its own item (an older table): folded into the customer's timer. */
  foldLegacyTrigger(legacy: LegacyJourneyTrigger, now: Date): Promise<void>;
}

export interface SchedulerDeps {
  timers: TimerStore;
  options: SchedulerOptions;
  /** Loyalty anniversary review (shared/flows/tier-review.ts): returns the next anniversary. */
  reviewTier?(customerId: string, claimant: string): Promise<string | null>;
  /** Lifecycle stage recompute (shared/flows/lifecycle.ts): returns the next transition. */
  refreshLifecycle?(customerId: string): Promise<string | null>;
  /** Journey waits and date triggers (shared/journeys). */
  journeys?: JourneyTimers;
}

export interface SchedulerRun {
  ran: boolean;
  bucketsQueried: number;
  fired: number;
  /** Timers whose firing threw (retried an hour later), with the reason. */
  failures: string[];
  watermark: string | undefined;
  /** How late this check is against the scheduler's own plan (the alarm's metric). */
  lagMs: number | undefined;
  /**
   * Until this instant a run finds nothing to do unless a timer is armed meanwhile (which nudges
   * the state); the local clock may skip ticks before it without changing the outcome.
   */
  quietUntil: string | undefined;
  /**
   * Write requests this run made to the scheduler state item itself (lease, nudges, release): a
   * working run's promise holds only if nobody else wrote the item while it ran.
   */
  ownStateWrites: number;
}

/** What a fired timer becomes: its next occasion, or disarmed (no dueAt). */
interface FirePlan {
  next: { data: TimerData; dueAt: Date | undefined };
}

export async function runScheduler(deps: SchedulerDeps, now: Date): Promise<SchedulerRun> {
  const { timers, options } = deps;
  const writesBefore = timers.schedulerStateWrites;
  const stored = await timers.schedulerState();
  const state = { watermark: stored.watermark, nextCheckAt: stored.nextCheckAt, nudgeAt: stored.nudgeAt };
  const idle = {
    ran: false,
    bucketsQueried: 0,
    fired: 0,
    failures: [],
    watermark: state.watermark,
    lagMs: schedulerLagMs(state, now),
  };
  if (!runIsDue(state, now))
    return { ...idle, quietUntil: plannedCheckAt(state)?.toISOString(), ownStateWrites: 0 };
  const runId = randomUUID();
  if (!(await timers.acquireRun(runId, now, options.leaseMs)))
    return { ...idle, quietUntil: undefined, ownStateWrites: timers.schedulerStateWrites - writesBefore };

  const current = hourStart(now);
  const view = hoursInView(state.watermark, now, options.initialLookbackHours);
  const marked = await markedBucketsIn(timers, view);
  let watermark = state.watermark ?? hourLabel(new Date((view[0] ?? now).getTime() - HOUR_MS));
  let earliestPending: Date | undefined;
  let nextMarkedHour: Date | undefined;
  let bucketsQueried = 0;
  let fired = 0;
  const failures: string[] = [];
  let outOfBudget = false;
  // Timers, older tables' trigger items and waiting runs alike: what is due by now is run, the
  // rest's earliest instant plans the next check.
  const dueNow = <T>(items: T[], dueAtOf: (item: T) => string | null | undefined): T[] => {
    const due: T[] = [];
    for (const item of items) {
      const dueAt = dueAtOf(item);
      if (!dueAt) continue;
      const at = new Date(dueAt);
      if (at.getTime() <= now.getTime()) due.push(item);
      else if (!earliestPending || at < earliestPending) earliestPending = at;
    }
    return due;
  };
  const inBatches = async <T>(due: T[], run: (batch: T[]) => Promise<BatchOutcome>): Promise<void> => {
    for (let i = 0; i < due.length; i += options.concurrency) {
      const outcome = await run(due.slice(i, i + options.concurrency));
      fired += outcome.fired;
      failures.push(...outcome.failures);
    }
  };

  for (const [hourMs, shards] of marked) {
    const hour = new Date(hourMs);
    if (hour > current) {
      nextMarkedHour ??= hour;
      continue;
    }
    // The shards of one hour are independent partitions: query them side by side.
    const firstPages = await Promise.all(
      shards.map((shard) => timers.dueBucketPage(keys.dueBucket(hour, shard), undefined, options.pageSize)),
    );
    bucketsQueried += shards.length;
    for (const [index, shard] of shards.entries()) {
      let page = firstPages[index];
      while (page) {
        await inBatches(dueNow(page.timers, (timer) => timer.dueAt), (batch) => fireBatch(deps, batch, now));
        // Timers of the pre-journey campaign engine left in an upgraded table: off the index.
        await Promise.all(page.retired.map((timer) => timers.retire(timer)));
        await inBatches(dueNow(page.legacyTriggers, (legacy) => legacy.occasion.dueAt), (batch) =>
          foldLegacyTriggers(deps, batch, now),
        );
        await inBatches(dueNow(page.journeyRuns, (run) => run.dueAt), (batch) => resumeJourneyRuns(deps, batch, now));
        // Bounded work per run: stop here, keep the watermark, and carry on at the next tick.
        if (fired >= options.maxFires) {
          outOfBudget = true;
          break;
        }
        page = page.nextKey
          ? await timers.dueBucketPage(keys.dueBucket(hour, shard), page.nextKey, options.pageSize)
          : undefined;
      }
      if (outOfBudget) break;
    }
    if (outOfBudget) break;
  }
  // Every listed bucket before this hour is done (unless the budget ran out): close those hours.
  if (!outOfBudget && current.getTime() - HOUR_MS > parseHourLabel(watermark).getTime()) {
    watermark = hourLabel(new Date(current.getTime() - HOUR_MS));
  }
  const next = outOfBudget ? now : nextCheckAt({ earliestPending, nextMarkedHour, now });
  const left = await timers.releaseRun(runId, { watermark, nextCheckAt: next.toISOString() }, now);
  return {
    ran: true,
    bucketsQueried,
    fired,
    failures,
    watermark,
    lagMs: idle.lagMs,
    // The state as the release left it, nudges that came meanwhile included, is what an idle
    // check would read next: quiet until its plan, unless someone writes it after the release.
    quietUntil: left
      ? plannedCheckAt({ watermark: left.watermark, nextCheckAt: left.nextCheckAt, nudgeAt: left.nudgeAt })?.toISOString()
      : undefined,
    ownStateWrites: timers.schedulerStateWrites - writesBefore,
  };
}

const DIRECTORY_READS_AT_ONCE = 25;

/** The directory's listed buckets for the hours in view, grouped by hour, oldest first. */
async function markedBucketsIn(timers: TimerStore, hours: Date[]): Promise<Map<number, number[]>> {
  const days = new Map<string, { from: string; to: string }>();
  for (const hour of hours) {
    const day = hour.toISOString().slice(0, 10);
    const hh = hour.toISOString().slice(11, 13);
    const range = days.get(day);
    days.set(day, range ? { from: range.from, to: hh } : { from: hh, to: hh });
  }
  // A first run catching up years reads hundreds of days: a few dozen Queries at a time.
  const ranges = [...days];
  const listed: { hour: Date; shard: number }[] = [];
  for (let i = 0; i < ranges.length; i += DIRECTORY_READS_AT_ONCE) {
    const chunk = ranges.slice(i, i + DIRECTORY_READS_AT_ONCE);
    for (const found of await Promise.all(
      chunk.map(([day, { from, to }]) => timers.markedBuckets(day, from, to)),
    ))
      listed.push(...found);
  }
  const byHour = new Map<number, number[]>();
  for (const { hour, shard } of listed.sort(
    (a, b) => a.hour.getTime() - b.hour.getTime() || a.shard - b.shard,
  )) {
    byHour.set(hour.getTime(), [...(byHour.get(hour.getTime()) ?? []), shard]);
  }
  return byHour;
}

/** Moves each due journey run on through the engine; a failing run is retried an hour later. */
async function resumeJourneyRuns(
  deps: SchedulerDeps,
  runs: DueJourneyRun[],
  now: Date,
): Promise<BatchOutcome> {
  const journeys = deps.journeys;
  if (!journeys)
    throw new Error('a journey run is due but this scheduler was built without the journey engine');
  const failures: string[] = [];
  await Promise.all(
    runs.map(async (run) => {
      try {
        await journeys.resume(run.customerId, run.journeyId, now);
      } catch (error) {
        failures.push(`journey ${run.journeyId} of ${run.customerId}: ${(error as Error).message}`);
        await journeys.postpone(
          run.customerId,
          run.journeyId,
          new Date(now.getTime() + FAILED_TIMER_RETRY_MS),
          now,
        );
      }
    }),
  );
  return { fired: runs.length - failures.length, failures };
}

/**
 * Folds due per-journey trigger items of an older table into their customers' JOURNEY#TRIGGERS,
 * armed no earlier than a minute from now (ARMING_LEAD_MS): fired by the next run that reaches it.
 * A fold that fails moves the old item an hour on, retried then (as a failed timer is).
 */
async function foldLegacyTriggers(
  deps: SchedulerDeps,
  legacy: LegacyJourneyTrigger[],
  now: Date,
): Promise<BatchOutcome> {
  const journeys = deps.journeys;
  if (!journeys)
    throw new Error('a journey trigger is due but this scheduler was built without the journey engine');
  const failures: string[] = [];
  await Promise.all(
    legacy.map((trigger) =>
      journeys.foldLegacyTrigger(trigger, now).catch(async (error: unknown) => {
        failures.push(`journey ${trigger.journeyId} trigger of ${trigger.customerId}: ${(error as Error).message}`);
        await deps.timers.postponeLegacyTrigger(trigger, new Date(now.getTime() + FAILED_TIMER_RETRY_MS));
      }),
    ),
  );
  return { fired: 0, failures };
}

/** A timer whose firing failed is retried this much later, so it cannot hold the watermark back. */
export const FAILED_TIMER_RETRY_MS = 60 * 60_000;

interface BatchOutcome {
  fired: number;
  failures: string[];
}

/** Claims a batch, fires each timer, then re-arms each for its next occasion. */
async function fireBatch(deps: SchedulerDeps, due: Timer[], now: Date): Promise<BatchOutcome> {
  const claimed = (
    await Promise.all(due.map(async (timer) => ((await deps.timers.claim(timer, now)) ? timer : undefined)))
  ).filter((timer): timer is Timer => timer !== undefined);
  const failures: string[] = [];
  const plans = await Promise.all(
    claimed.map((timer) =>
      planFiring(deps, timer, now).catch((error: unknown): FirePlan => {
        // One broken timer must not stall everyone else's: retry it later, report it.
        failures.push(`${timer.data.kind} timer of ${timer.customerId}: ${(error as Error).message}`);
        return { next: { data: timer.data, dueAt: new Date(now.getTime() + FAILED_TIMER_RETRY_MS) } };
      }),
    ),
  );
  await Promise.all(
    claimed.map(async (timer, index) => {
      const plan = plans[index];
      if (!plan) return;
      const dueAt = plan.next.dueAt && armedDueAt(plan.next.dueAt, now);
      // A purchase or profile edit since the claim re-armed it: that arm stands.
      if (!(await deps.timers.save(timer.customerId, plan.next.data, dueAt, timer.version + 1))) return;
      if (dueAt && needsNudge(dueAt, now)) await deps.timers.nudge(dueAt);
    }),
  );
  return { fired: claimed.length - failures.length, failures };
}

async function planFiring(deps: SchedulerDeps, timer: Timer, now: Date): Promise<FirePlan> {
  if (timer.data.kind === 'journey-triggers') {
    let data = timer.data;
    // The lifecycle's change first: the stage a due journey occasion reads is then the current one.
    if (data.lifecycle && Date.parse(data.lifecycle) <= now.getTime())
      data = { ...data, lifecycle: await lifecycleChangeAfter(deps, timer.customerId) };
    // Enters the due occasions, if any, and re-arms at the earliest left.
    if (!deps.journeys)
      throw new Error('a journey-triggers timer fired but this scheduler was built without the journey engine');
    return { next: await deps.journeys.fireDateTriggers({ ...timer, data }, now) };
  }
  if (timer.data.kind === 'tier-review') {
    if (!deps.reviewTier)
      throw new Error('a tier-review timer fired but this scheduler was built without reviewTier');
    // The claimant names this firing, so a re-fire after a crash may finish its announcement.
    const heldUntil = await deps.reviewTier(
      timer.customerId,
      `tier-review#${timer.customerId}#${timer.dueAt}`,
    );
    return { next: { data: { kind: 'tier-review', heldUntil }, dueAt: heldUntil ? new Date(heldUntil) : undefined } };
  }
  // The only kind left (the store refuses unknown kinds; retired ones never reach here): a
  // lifecycle timer in its own item, from an older table. Its next change joins the customer's
  // timer, and it is disarmed.
  const at = await lifecycleChangeAfter(deps, timer.customerId);
  await foldLifecycleTimer(deps.timers, timer.customerId, at, now);
  return { next: { data: { kind: 'lifecycle', at: null }, dueAt: undefined } };
}

/** Recomputes the lifecycle stage as of now (stored and announced): its next change. */
async function lifecycleChangeAfter(deps: SchedulerDeps, customerId: string): Promise<string | null> {
  if (!deps.refreshLifecycle)
    throw new Error('a lifecycle change fell due but this scheduler was built without refreshLifecycle');
  return deps.refreshLifecycle(customerId);
}
