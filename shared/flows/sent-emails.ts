// Counting an email SES accepted: the campaign's daily `sent` counter and the journey's guardrail
// window (the account's is the journeys' added up). Whoever completes the email's ledger claim counts it (the sender,
// or SES feedback when the sender crashed after SES accepted), so the conditional completion is
// the once-only marker and no per-message marker item is written. A crash between the completion
// and the counts under-counts by one, as for every counter (they report, they never decide).
import type { CampaignStats } from '../store/stats.ts';
import type { SendGuardrails } from './send-guardrails.ts';

export class SentEmailCounts {
  constructor(
    private readonly stats: Pick<CampaignStats, 'countSent'>,
    private readonly guardrails: Pick<SendGuardrails, 'count'>,
    /** Told after each count (the operator dashboard's Sends metric). */
    private readonly counted: (campaignId: string) => void = () => {},
  ) {}

  async count(campaignId: string, sentAt: Date): Promise<void> {
    await this.stats.countSent(campaignId, sentAt.toISOString().slice(0, 10));
    await this.guardrails.count(campaignId, 'sends', sentAt);
    this.counted(campaignId);
  }
}
