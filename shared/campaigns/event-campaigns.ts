// Event-triggered campaigns (trigger `on: event`) defined by a YAML file and templates alone: for
// each event on the bus, every published, enabled campaign whose trigger names that detail-type
// (and, for `Tier Changed`, its direction) gets one SendRequest through the campaign gate. The
// built-in tier-upgrade campaign has its own function (functions/tier-upgrade-email) and is
// skipped here, so an upgrade never gets two emails. The ledger period comes from the event
// itself, so a redelivered or re-announced event sends nothing more.
import type { Campaign } from '../domain/campaign.ts';
import type { CustomerUpserted, PurchaseCompleted } from '../events/contracts.ts';
import type { TierChanged } from '../events/emitted.ts';
import { TIER_UPGRADE_CAMPAIGN } from '../flows/tier-upgrade-email.ts';
import type { SendRequest } from '../mail/send-request.ts';
import type { CampaignTimerDeps } from './timers.ts';
import { offerVariables } from './timers.ts';

/** The events a campaign trigger may name (campaignTriggerSchema), with their details. */
export type CampaignEvent =
  | { detailType: 'Tier Changed'; envelopeId: string; detail: TierChanged }
  | { detailType: 'Purchase Completed'; envelopeId: string; detail: PurchaseCompleted }
  | { detailType: 'Customer Upserted'; envelopeId: string; detail: CustomerUpserted };

/** True if `campaign` fires on `event` (enabled, event trigger, detail-type and direction). */
export function firesOn(campaign: Campaign, event: CampaignEvent): boolean {
  const trigger = campaign.trigger;
  if (!campaign.enabled || trigger.on !== 'event' || campaign.id === TIER_UPGRADE_CAMPAIGN) return false;
  if (trigger.event !== event.detailType) return false;
  if (trigger.direction === undefined) return true;
  return event.detailType === 'Tier Changed' && event.detail.direction === trigger.direction;
}

/**
 * The ledger period, from the event alone: the change id (`<customer>#<seq>`, the same when a
 * change is re-announced), the order id, or the envelope id (the same on every redelivery).
 */
export function eventPeriod(event: CampaignEvent): string {
  switch (event.detailType) {
    case 'Tier Changed':
      return `change#${event.detail.changeId}`;
    case 'Purchase Completed':
      return `order#${event.detail.orderId}`;
    case 'Customer Upserted':
      return `event#${event.envelopeId}`;
  }
}

/** One SendRequest per matching campaign; variables are the event detail plus tier and offer. */
export function eventCampaignRequests(
  campaigns: Campaign[],
  event: CampaignEvent,
  profileTier: string | undefined,
  now: Date,
): SendRequest[] {
  const period = eventPeriod(event);
  const customerId = event.detail.customerId;
  const tier = event.detailType === 'Tier Changed' ? event.detail.to : profileTier;
  return campaigns
    .filter((campaign) => firesOn(campaign, event))
    .map((campaign) => ({
      customerId,
      campaignId: campaign.id,
      period,
      template: campaign.templates.name ?? campaign.steps?.[0]?.template ?? campaign.id,
      capClass: campaign.send.capClass,
      variables: {
        ...event.detail,
        event: event.detailType,
        tier: tier ?? null,
        offer: offerVariables(campaign, customerId, tier, period, now),
      },
      requestedAt: now.toISOString(),
      ...(tier ? { tier } : {}),
    }));
}

/** Lists the published campaigns (cached), enqueues through the gate; returns what was requested. */
export async function runEventCampaigns(
  deps: Pick<CampaignTimerDeps, 'campaigns' | 'profileOf' | 'queue'>,
  event: CampaignEvent,
  now: Date,
): Promise<SendRequest[]> {
  const campaigns = (await deps.campaigns()).filter((campaign) => firesOn(campaign, event));
  if (!campaigns.length) return [];
  const stored = await deps.profileOf(event.detail.customerId);
  const requests = eventCampaignRequests(campaigns, event, stored?.loyalty?.tier, now);
  await deps.queue.enqueue(requests);
  return requests;
}
