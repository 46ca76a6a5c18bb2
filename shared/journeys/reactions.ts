// How journeys react to what happened: a recorded fact takes customers out of journeys that exit
// on it, enters them into journeys it triggers, and moves their date-trigger timers (a purchase
// moves inactivity and anniversaries, a profile edit moves birthdays); a due date-trigger timer
// enters its occasion. Costs per event: the journey list (cached); for a fact that moves dates
// (purchase, refund, profile) ONE Query of the customer's journey items and profile, then writes
// only for what moved; for any other fact one state read per journey that exits on it — never a Scan.
import type { JourneyTriggerTimerData, Timer } from '../domain/timers.ts';
import { armTimer } from '../flows/timers.ts';
import type { CustomerJourneys, CustomerJourneysReader } from '../store/customer-journeys.ts';
import type { CustomerStore } from '../store/customers.ts';
import type { CurrentJourneys, JourneyVersion } from '../store/journeys.ts';
import type { TimerStore } from '../store/timers.ts';
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
 * that fires early enters nothing (fireDateTrigger enters only the occasion it was armed for, once
 * due) and re-arms for the following one. So a repeat purchase, which only postpones a lapse, an
 * anniversary or a churn-risk crossing, writes no trigger; one that brings an occasion sooner
 * (a late older order, a new best hour) still moves it.
 */
const WRITES_ONLY_SOONER = new Set(['Purchase Completed', 'Order Refunded']);

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
      await this.armDateTriggers(event.customerId, now, all, view, WRITES_ONLY_SOONER.has(event.name));
    return { entered, exited };
  }

  /**
   * Converges every date-trigger journey's timer for this customer on their stored profile
   * (`known`: the profile and timers as the caller read them, else read here); `onlySooner`: leave
   * a timer armed at or before its new occasion (see WRITES_ONLY_SOONER).
   */
  async armDateTriggers(
    customerId: string,
    now: Date,
    journeys?: JourneyVersion[],
    known?: CustomerJourneys,
    onlySooner = false,
  ): Promise<void> {
    const dated = (journeys ?? (await this.deps.journeys.all()))
      .filter((v) => v.journey.enabled)
      .filter(isDateJourney);
    if (!dated.length) return;
    const profile = known ? known.profile : await this.deps.customers.getProfile(customerId);
    if (!profile) return;
    for (const version of dated) {
      const journey = version.journey;
      // The global control group waits for no occasion of a journey it never enters.
      const heldOut = this.deps.engine.heldOutByControlGroup(journey, customerId);
      await armTimer(
        this.deps.timers,
        customerId,
        { kind: 'journey-trigger', journeyId: journey.id },
        now,
        (current) => {
          const entered = current?.data.kind === 'journey-trigger' ? current.data.entered : [];
          // Arming looks forward only: a birthday that passed before we knew it waits for next year.
          const occasion = heldOut
            ? undefined
            : dateTriggerOf(journey.trigger).next({
                trigger: journey.trigger,
                journey,
                profile,
                now,
                entered,
                lateBy: 0,
              });
          if (!occasion && !current) return 'unchanged';
          if (onlySooner && occasion && current?.dueAt && Date.parse(current.dueAt) <= occasion.dueAt.getTime())
            return 'unchanged';
          return {
            data: {
              kind: 'journey-trigger',
              journeyId: journey.id,
              entryId: occasion?.entryId ?? null,
              entered,
            },
            dueAt: occasion?.dueAt,
          };
        },
        known && { timer: known.triggers.get(journey.id) },
      );
    }
  }

  /**
   * A due date-trigger timer (the scheduler's registry entry): enters the occasion if the profile
   * still calls for it, then returns the timer's next arming (the following occasion).
   */
  async fireDateTrigger(
    timer: Timer<JourneyTriggerTimerData>,
    now: Date,
  ): Promise<{ data: JourneyTriggerTimerData; dueAt: Date | undefined }> {
    const data = timer.data;
    const version = await this.deps.journeys.current(data.journeyId);
    const profile = await this.deps.customers.getProfile(timer.customerId);
    if (
      !version ||
      !version.journey.enabled ||
      !isDateJourney(version) ||
      !profile ||
      this.deps.engine.heldOutByControlGroup(version.journey, timer.customerId)
    )
      return { data: { ...data, entryId: null }, dueAt: undefined };
    const journey = version.journey;
    const module = dateTriggerOf(journey.trigger);
    // Firing tolerates a late scheduler (an outage) up to LATE_OCCASION_MS, never weeks late.
    const occasion = module.next({
      trigger: journey.trigger,
      journey,
      profile,
      now,
      entered: data.entered,
      lateBy: LATE_OCCASION_MS,
    });
    let entered = data.entered;
    if (occasion && occasion.entryId === data.entryId && occasion.dueAt.getTime() <= now.getTime()) {
      await this.deps.engine.enter(
        version,
        timer.customerId,
        { entryId: occasion.entryId, at: occasion.dueAt.toISOString(), detail: occasion.detail },
        now,
      );
      entered = [...entered, occasion.entryId].slice(-ENTERED_KEPT);
    }
    // The following occasion (or this one moved: a birthday edit, a purchase we were not told of).
    const following = module.next({ trigger: journey.trigger, journey, profile, now, entered, lateBy: 0 });
    return { data: { ...data, entryId: following?.entryId ?? null, entered }, dueAt: following?.dueAt };
  }
}
