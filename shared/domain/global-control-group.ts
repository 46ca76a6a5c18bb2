// The global control group: a small, stable share of customers who receive no marketing journey
// at all, so the whole programme can be measured against them ("is our lifecycle marketing worth
// it?"), which per-journey holdouts cannot answer. Membership is a pure function of the customer
// id: the same customer stays in (or out) across deploys, and raising the share only adds people.
import * as z from 'zod';
import { isHeldOut } from './holdout.ts';
import { capClassSchema } from './send-guardrails.ts';

/** The salt of the draw: independent of every journey's own holdout draw. */
const GLOBAL_CONTROL_GROUP = 'global-control-group';

const controlGroupFields = z.strictObject({
  /** Share of customers in the group, in percent (0 = off; 5 is typical). */
  percent: z.number().min(0).max(50).default(0),
  /** Cap classes the group still receives (service mail such as tier-upgrade); never marketing. */
  stillReceive: z.array(capClassSchema.exclude(['marketing'])).default(['tier-upgrade']),
});

/** program.yaml `controlGroup:` — off unless a percent is set. */
export const controlGroupSchema = controlGroupFields.default(() => controlGroupFields.parse({}));
export type ControlGroupSettings = z.output<typeof controlGroupSchema>;

export function inGlobalControlGroup(customerId: string, settings: ControlGroupSettings): boolean {
  return isHeldOut(GLOBAL_CONTROL_GROUP, customerId, settings.percent);
}

/** True if a send of this cap class must not reach the customer because they are in the group. */
export function withheldForControlGroup(
  customerId: string,
  capClass: string,
  settings: ControlGroupSettings,
): boolean {
  return keepsGroupOut([capClass], settings) && inGlobalControlGroup(customerId, settings);
}

/**
 * True if the customer does not enter a journey at all: they are in the group and every cap class
 * the journey sends under is withheld from them (a journey with a service step they still receive
 * is entered, and its marketing sends are withheld at send time instead).
 */
export function heldOutOfJourney(
  customerId: string,
  capClasses: readonly string[],
  settings: ControlGroupSettings,
): boolean {
  // One draw: the cap classes only decide what a member still receives.
  return keepsGroupOut(capClasses, settings) && inGlobalControlGroup(customerId, settings);
}

/** True if the group's members never enter a journey sending under these cap classes. */
export function keepsGroupOut(capClasses: readonly string[], settings: ControlGroupSettings): boolean {
  return capClasses.every((capClass) => !settings.stillReceive.some((allowed) => allowed === capClass));
}
