import { describe, expect, it } from 'vitest';
import { withCampaignSendRules } from '#shared/campaigns/gate.ts';
import { campaignSchema } from '#shared/domain/campaign.ts';
import { priorityPredecessors } from '#shared/domain/send-priority.ts';

describe('priority turns in a sender batch', () => {
  it("chains one customer's requests highest priority first, batch order breaking ties, default 5", () => {
    const order = priorityPredecessors([
      { id: 'low', customerId: 'ada', priority: 9 },
      { id: 'default', customerId: 'ada', priority: undefined },
      { id: 'high', customerId: 'ada', priority: 1 },
      { id: 'also-default', customerId: 'ada', priority: 5 },
    ]);
    expect(Object.fromEntries(order)).toEqual({
      high: undefined,
      default: 'high',
      'also-default': 'default',
      low: 'also-default',
    });
  });

  it('lets different customers and unreadable records start at once', () => {
    const order = priorityPredecessors([
      { id: 'a', customerId: 'ada', priority: 9 },
      { id: 'b', customerId: 'bob', priority: 1 },
      { id: 'x', customerId: undefined, priority: 1 },
    ]);
    expect(Object.fromEntries(order)).toEqual({ a: undefined, b: undefined, x: undefined });
  });
});

describe("the gate hands the published campaign's send rules to the sender", () => {
  const request = {
    customerId: 'ada',
    campaignId: 'birthday',
    period: '2027',
    template: 'birthday',
    requestedAt: '2027-01-01T00:00:00Z',
  };
  const campaign = (send: Record<string, unknown>) =>
    campaignSchema.parse({
      id: 'birthday',
      name: 'Birthday',
      trigger: { on: 'birthday' },
      send,
      templates: { name: 'birthday' },
    });

  it('copies quiet hours and priority onto the request', () => {
    expect(
      withCampaignSendRules(request, campaign({ quietHours: { from: '20:00', to: '10:00' }, priority: 2 })),
    ).toEqual({ ...request, quietHours: { from: '20:00', to: '10:00' }, priority: 2 });
  });

  it("leaves the sender's quiet hours in force when the campaign has none, and an unpublished campaign's request as it is", () => {
    expect(withCampaignSendRules(request, campaign({}))).toEqual({ ...request, priority: 5 });
    expect(withCampaignSendRules(request, undefined)).toBe(request);
  });
});
