// What a trigger module is: event triggers say whether a recorded fact enters a journey; date
// triggers say when a customer's next occasion is (birthday, anniversary, signup, inactivity).
// The engine knows these two shapes and the registry (./index.ts), never a journey by name.
import type { Condition } from '../../domain/journey-conditions.ts';
import type { Journey, JourneyEvent, JourneyTrigger } from '../../domain/journey.ts';
import type { StoredProfile } from '../../store/customers.ts';

/** A recorded fact as journeys see it (shared/journeys/events.ts maps the emitted events). */
export interface JourneyEventInput {
  name: JourneyEvent;
  customerId: string;
  /** Stable id of the fact (order id, change id, profile event id): the same on every redelivery. */
  factId: string;
  occurredAt: string;
  detail: Record<string, unknown>;
  /** What must still hold when a send it triggered goes out (a superseded tier change sends nothing). */
  stillHolds?: Condition | undefined;
}

export interface EventTriggerModule {
  kind: 'event';
  matches(trigger: Extract<JourneyTrigger, { on: 'event' }>, event: JourneyEventInput): boolean;
}

/** One dated occasion of a customer: when, its stable entry id, and what templates see as `event`. */
export interface Occasion {
  dueAt: Date;
  entryId: string;
  detail: Record<string, unknown>;
}

export type DateTrigger = Exclude<JourneyTrigger, { on: 'event' }>;

export interface DateTriggerModule<T extends DateTrigger = DateTrigger> {
  kind: T['on'];
  /**
   * The customer's next occasion not yet entered (`entered`: recent entry ids) whose time is at
   * most `lateBy` in the past; undefined when there is none (no birthday, never purchased …).
   */
  next(input: {
    trigger: T;
    journey: Journey;
    profile: StoredProfile;
    now: Date;
    entered: readonly string[];
    lateBy: number;
  }): Occasion | undefined;
  /**
   * When the profile date this trigger keys on last changed (a birthday moved), if it tracks one:
   * an offer on an occasion whose date changed recently is withheld (program `offerHold`).
   */
  dateChangedAt?(profile: StoredProfile): string | undefined;
}
