// The trigger registry: trigger kind -> module. Adding a kind is adding a module here.
import type { DateTriggerKind } from '../../domain/journey.ts';
import { birthdayTrigger } from './birthday.ts';
import { churnRiskTrigger } from './churn-risk.ts';
import { eventTrigger } from './event.ts';
import { firstPurchaseAnniversaryTrigger } from './first-purchase-anniversary.ts';
import { inactivityTrigger } from './inactivity.ts';
import { signupTrigger } from './signup.ts';
import type { DateTrigger, DateTriggerModule } from './types.ts';

export { eventTrigger };
export type { DateTrigger, JourneyEventInput, Occasion } from './types.ts';

const dateTriggers: { [K in DateTriggerKind]: DateTriggerModule<Extract<DateTrigger, { on: K }>> } = {
  birthday: birthdayTrigger,
  'first-purchase-anniversary': firstPurchaseAnniversaryTrigger,
  signup: signupTrigger,
  inactivity: inactivityTrigger,
  'churn-risk': churnRiskTrigger,
};

/** The module of a date trigger, typed for that trigger. */
export function dateTriggerOf(trigger: DateTrigger): DateTriggerModule {
  return dateTriggers[trigger.on] as DateTriggerModule;
}

/** An occasion more than this late (a scheduler outage, an import) is skipped, never sent weeks late. */
export const LATE_OCCASION_MS = 7 * 86_400_000;
