// How journeys react to what happened: a recorded fact takes customers out of journeys that exit
// on it, enters them into journeys it triggers, and moves their date-trigger timers (a purchase
// moves inactivity and anniversaries, a profile edit moves birthdays); a due date-trigger timer
// enters its occasion. Costs per event: the journey list (cached); for a fact that moves dates
// (purchase, refund, profile) ONE Query of the customer's journey items and profile, then ONE write
// of the customer's date triggers if any moved; for any other fact one state read per journey that
// exits on it — never a Scan. Every journey's date trigger for a customer, and their lifecycle
// stage's next change, live in one timer (JOURNEY#TRIGGERS) on the due index at the earliest: a
// first purchase that arms the lifecycle change, an anniversary and a win-back, or a publish that
// arms a journey, is one write per customer.
import {
  journeysOf,
  lifecycleChangeToArm,
  lifecycleOf,
  triggersTimer,
  type JourneyOccasionTimer,
  type JourneyTriggersTimerData,
  type Timer,
} from '../domain/timers.ts';
import { armTimer } from '../flows/timers.ts';
import type { CustomerJourneys, CustomerJourneysReader } from '../store/customer-journeys.ts';
import type { CustomerStore, StoredProfile } from '../store/customers.ts';
import type { CurrentJourneys, JourneyVersion } from '../store/journeys.ts';
import type { LegacyJourneyTrigger, TimerStore } from '../store/timers.ts';
import type { JourneyEngine } from './engine.ts';
import {
  type DateTrigger,
  dateTriggerOf,
  eventTrigger,
  type JourneyEventInput,
  LATE_OCCASION_MS,
} from './triggers/index.ts';

export interface ReactionDeps {
  engine: JourneyEngine;
  journeys: Pick<CurrentJourneys, 'all' | 'current'>;
  timers: TimerStore;
  customers: Pick<CustomerStore, 'getProfile'>;
  customerJourneys: Pick<CustomerJourneysReader, 'load'>;
}

/** Entry ids a trigger timer remembers (one per year or lapse is plenty). */
const ENTERED_KEPT = 5;

type DateJourney = JourneyVersion & { journey: { trigger: DateTrigger } };

/** A version whose trigger is a date (birthday, inactivity …), not an event. */
export function isDateJourney(version: JourneyVersion): version is DateJourney {
  return version.journey.trigger.on !== 'event';
}

/** Events that change what date triggers read (purchases, the profile). */
const MOVES_DATES = new Set(['Purchase Completed', 'Order Refunded', 'Customer Upserted']);

/**
 * Events after which a date trigger armed sooner than its new occasion stays where it is: a timer
 * that fires early enters nothing (fireDateTriggers enters only the occasion it was armed for, once
 * due) and re-arms for the following one. So a repeat purchase, which only postpones a lapse, an
 * anniversary or a churn-risk crossing, writes no trigger; one that brings an occasion sooner
 * (a late older order, a new best hour) still moves it.
 */
const WRITES_ONLY_SOONER = new Set(['Purchase Completed', 'Order Refunded']);

const TRIGGERS = { kind: 'journey-triggers' } as const;

export class JourneyReactions {
  constructor(private readonly deps: ReactionDeps) {}

  /**
   * `known`: the customer's journeys as the caller read them (a purchase reads them once for its
   * conversions too). A fact that moves dates reads them itself in one Query; any other fact reads
   * only the run of each journey that exits on it.
   */
  async onEvent(
    event: JourneyEventInput,
    now: Date,
    known?: CustomerJourneys,
    /** A recorded purchase's next lifecycle change (ingest-orders decides it), armed in the same write. */
    lifecycleChangeAt?: string | null,
  ): Promise<{ entered: string[]; exited: string[] }> {
    const all = (await this.deps.journeys.all()).filter((version) => version.journey.enabled);
    const movesDates = MOVES_DATES.has(event.name);
    const view = known ?? (movesDates ? await this.deps.customerJourneys.load(event.customerId) : undefined);
    const exited: string[] = [];
    const entered: string[] = [];
    // Exits first: a purchase that ends a win-back run must not be mistaken for its re-entry.
    for (const version of all) {
      if (!version.journey.exitOn.includes(event.name)) continue;
      const run = view && { state: view.states.get(version.journeyId) };
      // A customer never in the journey, or no longer in it, has nothing to exit: no request.
      if (run && run.state?.status !== 'active') continue;
      if (await this.deps.engine.exitOn(version.journeyId, event.customerId, event, now, run))
        exited.push(version.journeyId);
    }
    for (const version of all) {
      const trigger = version.journey.trigger;
      if (trigger.on !== 'event' || !eventTrigger.matches(trigger, event)) continue;
      const outcome = await this.deps.engine.enter(
        version,
        event.customerId,
        {
          entryId: event.factId,
          at: event.occurredAt,
          detail: { name: event.name, ...event.detail },
          stillHolds: event.stillHolds,
        },
        now,
      );
      if (outcome.kind === 'entered') entered.push(version.journeyId);
    }
    if (movesDates)
      await this.armDateTriggers(event.customerId, now, all, {
        known: view,
        onlySooner: WRITES_ONLY_SOONER.has(event.name),
        ...(lifecycleChangeAt === undefined ? {} : { lifecycleChangeAt }),
      });
    return { entered, exited };
  }

  /**
   * Converges the customer's date triggers of these journeys (every enabled date-trigger journey
   * by default) on their stored profile, in one conditional write of their JOURNEY#TRIGGERS item
   * (`known`: the profile and triggers as the caller read them, else read here); `onlySooner`:
   * leave an occasion armed at or before its new one (see WRITES_ONLY_SOONER); `lifecycleChangeAt`:
   * a recorded purchase's next lifecycle change, armed in the same write (lifecycleChangeToArm). Occasions
   * of other journeys in the item stay as they are.
   */
  async armDateTriggers(
    customerId: string,
    now: Date,
    journeys?: JourneyVersion[],
    options: { known?: CustomerJourneys | undefined; onlySooner?: boolean; lifecycleChangeAt?: string | null } = {},
  ): Promise<void> {
    const { known, onlySooner = false, lifecycleChangeAt } = options;
    const dated = (journeys ?? (await this.deps.journeys.all()))
      .filter((v) => v.journey.enabled)
      .filter(isDateJourney);
    if (!dated.length && lifecycleChangeAt === undefined) return;
    const profile = known ? known.profile : await this.deps.customers.getProfile(customerId);
    if (!profile) return;
    await armTimer(
      this.deps.timers,
      customerId,
      TRIGGERS,
      now,
      (current) => {
        const occasions = { ...journeysOf(current) };
        const armed = lifecycleOf(current);
        const lifecycle = lifecycleChangeAt === undefined ? armed : lifecycleChangeToArm(armed, lifecycleChangeAt);
        let moved = (lifecycle ?? null) !== (armed ?? null);
        for (const version of dated) {
          const journey = version.journey;
          // A journey still in its own item (an older table) lends its history until the scheduler folds it.
          const was = occasions[journey.id] ?? known?.legacyTriggers.get(journey.id)?.occasion;
          // The global control group waits for no occasion of a journey it never enters.
          const heldOut = this.deps.engine.heldOutByControlGroup(journey, customerId);
          const entered = was?.entered ?? [];
          // Arming looks forward only: a birthday that passed before we knew it waits for next year.
          const occasion = heldOut
            ? undefined
            : dateTriggerOf(journey.trigger).next({ trigger: journey.trigger, journey, profile, now, entered, lateBy: 0 });
          if (!occasion && !was) continue;
          if (onlySooner && occasion && was?.dueAt && Date.parse(was.dueAt) <= occasion.dueAt.getTime()) continue;
          const next = { entryId: occasion?.entryId ?? null, dueAt: occasion?.dueAt.toISOString() ?? null, entered };
          if (JSON.stringify(next) === JSON.stringify(occasions[journey.id])) continue;
          occasions[journey.id] = next;
          moved = true;
        }
        return moved ? triggersTimer(occasions, lifecycle) : 'unchanged';
      },
      known && { timer: known.triggers },
    );
  }

  /**
   * The customer's due JOURNEY#TRIGGERS (the scheduler's registry entry): each journey whose
   * occasion is due enters it if the profile still calls for it and moves to its following one;
   * the others wait. Returns the timer's next arming (at the earliest occasion left).
   */
  async fireDateTriggers(
    timer: Timer<JourneyTriggersTimerData>,
    now: Date,
  ): Promise<{ data: JourneyTriggersTimerData; dueAt: Date | undefined }> {
    const occasions = { ...timer.data.journeys };
    const due = Object.entries(occasions).filter(([, o]) => o.dueAt && Date.parse(o.dueAt) <= now.getTime());
    if (!due.length) return triggersTimer(occasions, timer.data.lifecycle);
    const profile = await this.deps.customers.getProfile(timer.customerId);
    for (const [journeyId, occasion] of due)
      occasions[journeyId] = await this.fireOccasion(journeyId, occasion, timer.customerId, profile, now);
    return triggersTimer(occasions, timer.data.lifecycle);
  }

  /** One journey's due occasion: entered if still called for; returns the following one. */
  private async fireOccasion(
    journeyId: string,
    armed: JourneyOccasionTimer,
    customerId: string,
    profile: StoredProfile | undefined,
    now: Date,
  ): Promise<JourneyOccasionTimer> {
    const version = await this.deps.journeys.current(journeyId);
    // A disabled or deleted journey enters no one: its occasion is disarmed (its history kept).
    if (
      !version ||
      !version.journey.enabled ||
      !isDateJourney(version) ||
      !profile ||
      this.deps.engine.heldOutByControlGroup(version.journey, customerId)
    )
      return { ...armed, entryId: null, dueAt: null };
    const journey = version.journey;
    const module = dateTriggerOf(journey.trigger);
    // Firing tolerates a late scheduler (an outage) up to LATE_OCCASION_MS, never weeks late.
    const occasion = module.next({
      trigger: journey.trigger,
      journey,
      profile,
      now,
      entered: armed.entered,
      lateBy: LATE_OCCASION_MS,
    });
    let entered = armed.entered;
    if (occasion && occasion.entryId === armed.entryId && occasion.dueAt.getTime() <= now.getTime()) {
      await this.deps.engine.enter(
        version,
        customerId,
        { entryId: occasion.entryId, at: occasion.dueAt.toISOString(), detail: occasion.detail },
        now,
      );
      entered = [...entered, occasion.entryId].slice(-ENTERED_KEPT);
    }
    // The following occasion (or this one moved: a birthday edit, a purchase we were not told of).
    const following = module.next({ trigger: journey.trigger, journey, profile, now, entered, lateBy: 0 });
    return { entryId: following?.entryId ?? null, dueAt: following?.dueAt.toISOString() ?? null, entered };
  }

  /**
   * A journey's trigger in its own item (a table written before JOURNEY#TRIGGERS), come due: its
   * occasion joins the customer's JOURNEY#TRIGGERS (an occasion armed there since wins, the two
   * histories merged) and the old item goes. Fired then from JOURNEY#TRIGGERS like any other;
   * a crash between the two writes folds again, to the same item.
   */
  async foldLegacyTrigger(legacy: LegacyJourneyTrigger, now: Date): Promise<void> {
    await armTimer(this.deps.timers, legacy.customerId, TRIGGERS, now, (current) => {
      const occasions = { ...journeysOf(current) };
      const armed = occasions[legacy.journeyId];
      occasions[legacy.journeyId] = armed
        ? { ...armed, entered: [...new Set([...legacy.occasion.entered, ...armed.entered])].slice(-ENTERED_KEPT) }
        : legacy.occasion;
      return triggersTimer(occasions, lifecycleOf(current));
    });
    await this.deps.timers.deleteLegacyTrigger(legacy);
  }
}
