// What a step module is: given the run's state, the step as the CURRENT version defines it and
// lazily read customer facts, it says where the customer goes next, how long they wait, or why
// they leave — plus one line for the history (`explain`). Effects (a send) happen inside `run`
// and must be idempotent: a crash before the state write re-runs the step.
import type { Clock } from '../../domain/clock.ts';
import type { HistoryExpiry } from '../../domain/email-history.ts';
import type { ConditionFacts } from '../../domain/journey-conditions.ts';
import type { JourneyStep } from '../../domain/journey.ts';
import type { ExitReason, JourneyState } from '../../domain/journey-state.ts';
import type { LoyaltyProgram } from '../../domain/loyalty-program.ts';
import type { SendQueue } from '../../mail/send-request.ts';
import type { JourneyStateStore } from '../../store/journey-states.ts';
import type { JourneyVersion } from '../../store/journeys.ts';
import type { CouponStore } from '../../store/coupons.ts';
import type { CustomerFacts } from '../customer-facts.ts';

export interface StepDeps {
  clock: Clock;
  program: LoyaltyProgram;
  sendQueue: SendQueue;
  states: Pick<JourneyStateStore, 'recordSendOutcome'>;
  coupons: Pick<CouponStore, 'issue'>;
  /** When an item of the email history (a send outcome, holdout, coupon after its expiry) may go. */
  historyExpiry: HistoryExpiry;
}

export interface StepRun<S extends JourneyStep = JourneyStep> {
  deps: StepDeps;
  version: JourneyVersion;
  step: S;
  state: JourneyState;
  now: Date;
  /** The customer as stored now (read once per run); undefined if the profile is gone. */
  facts(): Promise<CustomerFacts | undefined>;
  /** The facts a condition reads, with the run's entry time. */
  conditionFacts(facts: CustomerFacts): ConditionFacts;
}

export type StepResult =
  | { kind: 'go'; to: string; outcome: string; detail?: string; variant?: string }
  | { kind: 'wait'; until: Date; outcome: string; detail?: string }
  | { kind: 'exit'; reason: ExitReason; outcome: string; detail?: string };

export interface StepModule<S extends JourneyStep = JourneyStep> {
  run(input: StepRun<S>): Promise<StepResult>;
}
