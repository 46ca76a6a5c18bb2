// Counting an email SES accepted: its send step's `sent` (the step results, the one set of send
// counters) and the journey's guardrail window (the account's is the journeys' added up).
// Whoever completes the email's ledger claim counts it (the sender, or SES feedback when the
// sender crashed after SES accepted), so the conditional completion is the once-only marker and no
// per-message marker item is written; a retry that finds the email already sent counts nothing.
// A crash between the completion and the counts under-counts by one, as for every counter (they
// report, they never decide).
import type { SentStep } from '../mail/send-headers.ts';
import type { JourneyStepResults } from '../store/journey-step-results.ts';
import type { SendGuardrails } from './send-guardrails.ts';

/**
 * The email counted: its journey, when SES took it (the guardrail hour), and its send step,
 * variant and send day as its send reference carries them (none for an email of no step), so
 * `sent` lands on the step row its deliveries, opens, clicks and unsubscribes count on.
 */
export interface SentEmail {
  journeyId: string;
  sentAt: Date;
  step: SentStep | undefined;
}

export class SentEmailCounts {
  constructor(
    private readonly guardrails: Pick<SendGuardrails, 'count'>,
    private readonly results: Pick<JourneyStepResults, 'add'>,
    /** Told after each count (the operator dashboard's Sends metric). */
    private readonly counted: (journeyId: string) => void = () => {},
  ) {}

  async count({ journeyId, sentAt, step }: SentEmail): Promise<void> {
    if (step) await this.results.add({ journeyId, stepId: step.step, variant: step.variant, day: step.day }, { sent: 1 });
    await this.guardrails.count(journeyId, 'sends', sentAt);
    this.counted(journeyId);
  }
}
