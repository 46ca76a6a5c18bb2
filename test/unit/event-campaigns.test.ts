import { describe, expect, it } from 'vitest';
import {
  type CampaignEvent,
  eventCampaignRequests,
  eventPeriod,
  firesOn,
} from '#shared/campaigns/event-campaigns.ts';
import { type CampaignInput, campaignSchema } from '#shared/domain/campaign.ts';
import type { TierChanged } from '#shared/events/emitted.ts';

const campaign = (overrides: Partial<CampaignInput> = {}) =>
  campaignSchema.parse({
    id: 'gold-welcome',
    name: 'Gold welcome',
    trigger: { on: 'event', event: 'Tier Changed', direction: 'up' },
    templates: { name: 'gold-welcome' },
    ...overrides,
  });

const change: TierChanged = {
  customerId: 'gina',
  changeId: 'gina#3',
  seq: 3,
  from: 'Silver',
  to: 'Gold',
  direction: 'up',
  reason: 'purchase',
  occurredAt: '2026-03-02T12:00:00.000Z',
  tierSince: '2026-03-02T12:00:00.000Z',
  tierHeldUntil: null,
  currency: 'USD',
  rollingSpendMilli: 2_150_000,
  pointsBalance: 2150,
  nextTier: null,
  spendToNextTierMilli: null,
};
const up: CampaignEvent = { detailType: 'Tier Changed', envelopeId: 'env-1', detail: change };
const down: CampaignEvent = { ...up, detail: { ...change, direction: 'down', from: 'Gold', to: 'Silver' } };
const purchase: CampaignEvent = {
  detailType: 'Purchase Completed',
  envelopeId: 'env-2',
  detail: {
    orderId: 'o-9',
    customerId: 'gina',
    amount: '10.00',
    currency: 'USD',
    purchasedAt: '2026-03-02T12:00:00.000Z',
  },
};
const now = new Date('2026-03-02T12:00:05Z');

describe('event-triggered campaigns', () => {
  it('fire on their detail-type and direction only', () => {
    expect(firesOn(campaign(), up)).toBe(true);
    expect(firesOn(campaign(), down)).toBe(false);
    expect(firesOn(campaign(), purchase)).toBe(false);
    expect(firesOn(campaign({ trigger: { on: 'event', event: 'Tier Changed' } }), down)).toBe(true);
    expect(firesOn(campaign({ trigger: { on: 'event', event: 'Purchase Completed' } }), purchase)).toBe(true);
  });

  it('skip disabled campaigns, timer campaigns and the built-in tier-upgrade campaign', () => {
    expect(firesOn(campaign({ enabled: false }), up)).toBe(false);
    expect(firesOn(campaign({ trigger: { on: 'first-purchase-anniversary' } }), up)).toBe(false);
    expect(firesOn(campaign({ id: 'tier-upgrade' }), up)).toBe(false);
  });

  it('take the ledger period from the event, so a re-announced change or redelivery collapses', () => {
    expect(eventPeriod(up)).toBe('change#gina#3');
    expect(eventPeriod({ ...up, envelopeId: 'env-other' })).toBe('change#gina#3');
    expect(eventPeriod(purchase)).toBe('order#o-9');
  });

  it('request one send per matching campaign with the event detail as variables', () => {
    const requests = eventCampaignRequests(
      [campaign(), campaign({ id: 'paused', enabled: false }), campaign({ id: 'tier-upgrade' })],
      up,
      'Silver',
      now,
    );
    expect(requests).toEqual([
      expect.objectContaining({
        customerId: 'gina',
        campaignId: 'gold-welcome',
        template: 'gold-welcome',
        period: 'change#gina#3',
        capClass: 'marketing',
        tier: 'Gold',
        requestedAt: '2026-03-02T12:00:05.000Z',
      }),
    ]);
    expect(requests[0]?.variables).toMatchObject({
      to: 'Gold',
      pointsBalance: 2150,
      event: 'Tier Changed',
      offer: null,
    });
  });
});
