// What the campaign-timers functions are built from: the published campaigns (listed at most
// once a minute), the timer store, profiles and the gated send queue.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '../domain/campaign.ts';
import type { Clock } from '../domain/clock.ts';
import type { SendQueue } from '../mail/send-request.ts';
import { CampaignTimerStore } from '../store/campaign-timers.ts';
import { CampaignCatalogue } from '../store/campaigns.ts';
import { CustomerStore } from '../store/customers.ts';
import { campaignGate } from './gate.ts';
import type { CampaignTimerDeps } from './timers.ts';

const LIST_TTL_MS = 60_000;

export function campaignTimerDeps(
  store: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock },
  sendQueue: SendQueue,
): CampaignTimerDeps {
  const catalogue = new CampaignCatalogue(store.doc, store.tableName, store.clock);
  const customers = new CustomerStore(store.doc, store.tableName);
  let listed: { at: number; campaigns: Promise<Campaign[]> } | undefined;
  return {
    campaigns: () => {
      const now = store.clock.now().getTime();
      if (!listed || now - listed.at >= LIST_TTL_MS) {
        listed = {
          at: now,
          campaigns: catalogue.list().then((versions) => versions.map((version) => version.definition)),
        };
        listed.campaigns.catch(() => {
          listed = undefined;
        });
      }
      return listed.campaigns;
    },
    timers: new CampaignTimerStore(store.doc, store.tableName),
    profileOf: (customerId) => customers.getProfile(customerId),
    queue: campaignGate(store, sendQueue),
  };
}
