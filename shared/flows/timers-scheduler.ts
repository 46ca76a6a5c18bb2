// The scheduler run: from the watermark (last hour bucket fully processed) up to now, query every
// (hour, shard) bucket of the due index, fire each due timer once (claim -> enqueue -> re-arm)
// and move the watermark. Query only, never Scan: the cost is today's audience, not the base.
import { randomUUID } from 'node:crypto';
import { birthdayCoupon, birthdayDueIn, LATE_GREETING_MS, nextBirthdayDue } from '../domain/birthday.ts';
import { DAY_MS } from '../domain/clock.ts';
import type { CustomerProfile } from '../domain/customer.ts';
import {
  ARMING_LEAD_MS,
  armedDueAt,
  type BirthdayTimerData,
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
  type JourneyTriggerTimerData,
  type TimerData,
  type WinBackTimerData,
} from '../domain/timers.ts';
import type { DueJourneyRun } from '../store/timers.ts';
import { winBackPeriod, winBackStepDueAt } from '../domain/win-back.ts';
import type { SendQueue, SendRequest } from '../mail/send-request.ts';
import type { CustomerStore } from '../store/customers.ts';
import { keys } from '../store/keys.ts';
import type { TimerStore } from '../store/timers.ts';
import { decideWinBack } from './timers.ts';
import type { TimerCampaigns } from './timers-config.ts';

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
  fireDateTrigger(
    timer: Timer<JourneyTriggerTimerData>,
    now: Date,
  ): Promise<{ data: JourneyTriggerTimerData; dueAt: Date | undefined }>;
}

export interface SchedulerDeps {
  timers: TimerStore;
  customers: CustomerStore;
  sendQueue: SendQueue;
  campaigns: TimerCampaigns;
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
  sent: number;
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
}

interface FirePlan {
  send: SendRequest | undefined;
  next: { data: TimerData; dueAt: Date | undefined };
}

export async function runScheduler(deps: SchedulerDeps, now: Date): Promise<SchedulerRun> {
  const { timers, options } = deps;
  const stored = await timers.schedulerState();
  const state = { watermark: stored.watermark, nextCheckAt: stored.nextCheckAt, nudgeAt: stored.nudgeAt };
  const idle = {
    ran: false,
    bucketsQueried: 0,
    fired: 0,
    sent: 0,
    failures: [],
    watermark: state.watermark,
    lagMs: schedulerLagMs(state, now),
  };
  if (!runIsDue(state, now)) return { ...idle, quietUntil: plannedCheckAt(state)?.toISOString() };
  const runId = randomUUID();
  if (!(await timers.acquireRun(runId, now, options.leaseMs))) return { ...idle, quietUntil: undefined };

  const current = hourStart(now);
  const view = hoursInView(state.watermark, now, options.initialLookbackHours);
  const marked = await markedBucketsIn(timers, view);
  let watermark = state.watermark ?? hourLabel(new Date((view[0] ?? now).getTime() - HOUR_MS));
  let earliestPending: Date | undefined;
  let nextMarkedHour: Date | undefined;
  let bucketsQueried = 0;
  let fired = 0;
  let sent = 0;
  const failures: string[] = [];
  let outOfBudget = false;

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
        const due: Timer[] = [];
        for (const timer of page.timers) {
          if (!timer.dueAt) continue;
          const at = new Date(timer.dueAt);
          if (at.getTime() <= now.getTime()) due.push(timer);
          else if (!earliestPending || at < earliestPending) earliestPending = at;
        }
        for (let i = 0; i < due.length; i += options.concurrency) {
          const outcome = await fireBatch(deps, due.slice(i, i + options.concurrency), now);
          fired += outcome.fired;
          sent += outcome.sent;
          failures.push(...outcome.failures);
        }
        const dueRuns: DueJourneyRun[] = [];
        for (const run of page.journeyRuns) {
          const at = new Date(run.dueAt);
          if (at.getTime() <= now.getTime()) dueRuns.push(run);
          else if (!earliestPending || at < earliestPending) earliestPending = at;
        }
        for (let i = 0; i < dueRuns.length; i += options.concurrency) {
          const outcome = await resumeJourneyRuns(deps, dueRuns.slice(i, i + options.concurrency), now);
          fired += outcome.fired;
          failures.push(...outcome.failures);
        }
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
  await timers.releaseRun(runId, { watermark, nextCheckAt: next.toISOString() }, now);
  return {
    ran: true,
    bucketsQueried,
    fired,
    sent,
    failures,
    watermark,
    lagMs: idle.lagMs,
    // Arms may have nudged during the run: only an idle check reads the state fresh enough to promise quiet.
    quietUntil: undefined,
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
  return { fired: runs.length - failures.length, sent: 0, failures };
}

/** A timer whose firing failed is retried this much later, so it cannot hold the watermark back. */
export const FAILED_TIMER_RETRY_MS = 60 * 60_000;

interface BatchOutcome {
  fired: number;
  sent: number;
  failures: string[];
}

/** Claims a batch, plans each firing, enqueues the sends together, then re-arms each timer. */
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
        return {
          send: undefined,
          next: { data: timer.data, dueAt: new Date(now.getTime() + FAILED_TIMER_RETRY_MS) },
        };
      }),
    ),
  );
  const sends = plans.flatMap((plan) => (plan.send ? [plan.send] : []));
  if (sends.length) await deps.sendQueue.enqueue(sends);
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
  return { fired: claimed.length - failures.length, sent: sends.length, failures };
}

async function planFiring(deps: SchedulerDeps, timer: Timer, now: Date): Promise<FirePlan> {
  if (timer.data.kind === 'journey-trigger') {
    if (!deps.journeys)
      throw new Error('a journey trigger fired but this scheduler was built without the journey engine');
    return {
      send: undefined,
      next: await deps.journeys.fireDateTrigger({ ...timer, data: timer.data }, now),
    };
  }
  if (timer.data.kind === 'tier-review') {
    if (!deps.reviewTier)
      throw new Error('a tier-review timer fired but this scheduler was built without reviewTier');
    // The claimant names this firing, so a re-fire after a crash may finish its announcement.
    const heldUntil = await deps.reviewTier(
      timer.customerId,
      `tier-review#${timer.customerId}#${timer.dueAt}`,
    );
    return {
      send: undefined,
      next: { data: { kind: 'tier-review', heldUntil }, dueAt: heldUntil ? new Date(heldUntil) : undefined },
    };
  }
  if (timer.data.kind === 'lifecycle') {
    if (!deps.refreshLifecycle)
      throw new Error('a lifecycle timer fired but this scheduler was built without refreshLifecycle');
    const at = await deps.refreshLifecycle(timer.customerId);
    return {
      send: undefined,
      next: { data: { kind: 'lifecycle', at }, dueAt: at ? new Date(at) : undefined },
    };
  }
  const profile = (await deps.customers.getProfile(timer.customerId))?.profile;
  return timer.data.kind === 'birthday'
    ? planBirthday(deps, timer.customerId, timer.data, profile, now)
    : planWinBack(deps, timer.customerId, timer.data, profile, now);
}

async function planBirthday(
  deps: SchedulerDeps,
  customerId: string,
  data: BirthdayTimerData,
  profile: CustomerProfile | undefined,
  now: Date,
): Promise<FirePlan> {
  const config = deps.campaigns.birthday;
  const timeZone = profile?.timeZone ?? config.defaultTimeZone;
  const dueFor = (greetedYear: number | null) =>
    profile?.birthday && config.enabled
      ? nextBirthdayDue({
          birthday: profile.birthday,
          timeZone,
          now,
          config,
          greetedYear: greetedYear ?? undefined,
        })
      : undefined;
  // The greeting the timer was armed for, as the profile stands now.
  const year = data.year;
  const target =
    year !== null && profile?.birthday && config.enabled
      ? birthdayDueIn(year, profile.birthday, timeZone, config)
      : undefined;
  const lateBy = target ? now.getTime() - target.getTime() : Number.NaN;
  const greeted = year !== null && data.greetedYear !== null && year <= data.greetedYear;
  if (year === null || !target || greeted || lateBy < -ARMING_LEAD_MS || lateBy > LATE_GREETING_MS) {
    // Birthday removed or moved, or an outage made this year's greeting weeks late: re-arm instead.
    const next = dueFor(lateBy > LATE_GREETING_MS ? year : data.greetedYear);
    return { send: undefined, next: { data: { ...data, year: next?.year ?? null }, dueAt: next?.dueAt } };
  }
  const coupon = await issueBirthdayCoupon(deps, customerId, year, loyaltyTier(profile), target);
  const following = dueFor(year);
  return {
    send: {
      customerId,
      campaignId: config.campaign,
      period: String(year),
      template: config.template,
      capClass: 'marketing',
      variables: {
        year,
        coupon: {
          code: coupon.code,
          tier: coupon.tier,
          value: coupon.valueMilli,
          expiresAt: coupon.expiresAt,
        },
      },
      requestedAt: now.toISOString(),
    },
    next: {
      data: { kind: 'birthday', year: following?.year ?? null, greetedYear: year },
      dueAt: following?.dueAt,
    },
  };
}

async function issueBirthdayCoupon(
  deps: SchedulerDeps,
  customerId: string,
  year: number,
  tier: string | undefined,
  issuedAt: Date,
) {
  const config = deps.campaigns.birthday;
  for (let attempt = 0; attempt < 5; attempt++) {
    const coupon = birthdayCoupon({ customerId, year, tier, issuedAt, attempt, config: config.coupon });
    const outcome = await deps.timers.issueCoupon({
      code: coupon.code,
      customerId,
      campaignId: config.campaign,
      period: String(year),
      tier: coupon.tier,
      valueMilli: coupon.valueMilli,
      expiresAt: coupon.expiresAt,
      issuedAt: issuedAt.toISOString(),
    });
    if (outcome === 'issued') return coupon;
  }
  throw new Error(`could not find a free birthday coupon code for customer ${customerId}`);
}

/** The customer's loyalty tier if the loyalty program has set one. */
function loyaltyTier(profile: CustomerProfile | undefined): string | undefined {
  const loyalty: unknown = profile && 'loyalty' in profile ? profile.loyalty : undefined;
  if (loyalty && typeof loyalty === 'object' && 'tier' in loyalty && typeof loyalty.tier === 'string')
    return loyalty.tier;
  return undefined;
}

function planWinBack(
  deps: SchedulerDeps,
  customerId: string,
  data: WinBackTimerData,
  profile: CustomerProfile | undefined,
  now: Date,
): FirePlan {
  const config = deps.campaigns.winBack;
  const timeZone = profile?.timeZone ?? config.defaultTimeZone;
  const lastPurchaseAt = profile?.purchases?.lastPurchaseAt;
  if (!lastPurchaseAt || !config.enabled) return { send: undefined, next: { data, dueAt: undefined } };
  if (Date.parse(lastPurchaseAt) > Date.parse(data.lapseStart)) {
    // A purchase we were not told about: start the new lapse rather than nag a returning customer.
    const rearm = decideWinBack(lastPurchaseAt, timeZone, undefined, now, config);
    return { send: undefined, next: rearm === 'unchanged' ? { data, dueAt: undefined } : rearm };
  }
  const step = config.steps[data.stepIndex];
  if (!step) return { send: undefined, next: { data, dueAt: undefined } };
  const lapseStart = new Date(data.lapseStart);
  return {
    send: {
      customerId,
      campaignId: config.campaign,
      step: step.id,
      period: winBackPeriod(data.lapseStart, step),
      template: step.template,
      capClass: 'marketing',
      variables: {
        step: step.id,
        offer: step.offer,
        lastPurchaseAt: data.lapseStart,
        daysSinceLastPurchase: Math.floor((now.getTime() - lapseStart.getTime()) / DAY_MS),
      },
      requestedAt: now.toISOString(),
    },
    next: {
      data: { ...data, stepIndex: data.stepIndex + 1 },
      dueAt: winBackStepDueAt(lapseStart, data.stepIndex + 1, timeZone, config),
    },
  };
}
