// Counting an email SES accepted: its send step's `sent` (the step results, the one set of send
// counters) and the journey's guardrail window (the account's is the journeys' added up).
// Whoever completes the email's ledger claim counts it (the sender, or SES feedback when the
// sender crashed after SES accepted), so the conditional completion is the once-only marker and no
// per-message marker item is written; a retry that finds the email already sent counts nothing.
// A crash between the completion and the counts under-counts by one, as for every counter (they
// report, they never decide).
import type { JourneyStepResults } from '../store/journey-step-results.ts';
import type { SendGuardrails } from './send-guardrails.ts';

/** The email counted: its journey, its send step and variant (none for an email of no step), when SES took it. */
export interface SentEmail {
  journeyId: string;
  stepId: string | undefined;
  variant: string | undefined;
  sentAt: Date;
}

export class SentEmailCounts {
  constructor(
    private readonly guardrails: Pick<SendGuardrails, 'count'>,
    private readonly results: Pick<JourneyStepResults, 'add'>,
    /** Told after each count (the operator dashboard's Sends metric). */
    private readonly counted: (journeyId: string) => void = () => {},
  ) {}

  async count({ journeyId, stepId, variant, sentAt }: SentEmail): Promise<void> {
    // On the day SES took the email, as its deliveries, opens and clicks are (their send reference's day).
    if (stepId) await this.results.add({ journeyId, stepId, variant, day: sentAt.toISOString().slice(0, 10) }, { sent: 1 });
    await this.guardrails.count(journeyId, 'sends', sentAt);
    this.counted(journeyId);
  }
}
