// `on: event`: a recorded fact of the named kind enters the journey when every `match` field of
// its detail equals the given value (e.g. `match: { direction: up }` on Tier Changed).
import type { EventTriggerModule } from './types.ts';

export const eventTrigger: EventTriggerModule = {
  kind: 'event',
  matches: (trigger, event) =>
    trigger.event === event.name &&
    Object.entries(trigger.match ?? {}).every(([field, value]) => event.detail[field] === value),
};
