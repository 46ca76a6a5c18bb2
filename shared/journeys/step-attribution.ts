// A recorded purchase credited to the journey emails that preceded it: every email the customer
// was sent in the ATTRIBUTION_DAYS before the purchase counts it for its send step and variant —
// converted once per email (its first purchase), revenue for each purchase. The emails come from
// the one Query of the customer's journey items the purchase's reaction reads anyway
// (store/customer-journeys.ts); the order id noted on each email is the marker that makes a
// redelivered purchase count nothing.
import { DAY_MS } from '../domain/clock.ts';
import { decimalToMilli } from '../domain/money.ts';
import type { JourneySendOutcome } from '../domain/journey-state.ts';
import type { PurchaseRecorded } from '../events/emitted.ts';
import type { JourneyStateStore } from '../store/journey-states.ts';
import { ATTRIBUTION_DAYS } from '../domain/step-results.ts';
import type { JourneyStepResults } from '../store/journey-step-results.ts';

export interface StepAttributionDeps {
  states: Pick<JourneyStateStore, 'attributeOrder'>;
  results: Pick<JourneyStepResults, 'add'>;
}

/** Credits the purchase to the emails sent within the window before it; returns how many. */
export async function attributeToSends(
  deps: StepAttributionDeps,
  purchase: Pick<PurchaseRecorded, 'customerId' | 'orderId' | 'purchasedAt' | 'amount'>,
  /** The customer's journey send outcomes, read after the purchase was recorded. */
  sends: readonly JourneySendOutcome[],
): Promise<number> {
  const at = Date.parse(purchase.purchasedAt);
  const amountMilli = decimalToMilli(purchase.amount) ?? 0;
  const credited = sends.filter((send) => {
    const sentAt = Date.parse(send.at);
    return send.outcome === 'sent' && sentAt < at && at <= sentAt + ATTRIBUTION_DAYS * DAY_MS;
  });
  for (const send of credited) {
    const noted = await deps.states.attributeOrder(send, purchase.orderId);
    if (noted === 'seen') continue;
    await deps.results.add(
      { journeyId: send.journeyId, stepId: send.stepId, variant: send.variant, day: send.at.slice(0, 10) },
      { converted: noted === 'first' ? 1 : 0, revenueMilli: amountMilli },
    );
  }
  return credited.length;
}
