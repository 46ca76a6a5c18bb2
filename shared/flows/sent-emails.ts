// Counting an email SES accepted in the journey's guardrail window (the account's is the journeys'
// added up; its step results' `sent` is counted with the journey's record of the send,
// shared/journeys/sending.ts). Whoever completes the email's ledger claim counts it (the sender,
// or SES feedback when the sender crashed after SES accepted), so the conditional completion is
// the once-only marker and no per-message marker item is written. A crash between the completion
// and the count under-counts by one, as for every counter (they report, they never decide).
import type { SendGuardrails } from './send-guardrails.ts';

export class SentEmailCounts {
  constructor(
    private readonly guardrails: Pick<SendGuardrails, 'count'>,
    /** Told after each count (the operator dashboard's Sends metric). */
    private readonly counted: (campaignId: string) => void = () => {},
  ) {}

  async count(campaignId: string, sentAt: Date): Promise<void> {
    await this.guardrails.count(campaignId, 'sends', sentAt);
    this.counted(campaignId);
  }
}
