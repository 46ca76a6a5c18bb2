import { describe, expect, it } from 'vitest';
import { admitSendRequest, type GateDeps } from '#shared/campaigns/gate.ts';
import { campaignSchema } from '#shared/domain/campaign.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import { holdoutDraw, isHeldOut } from '#shared/domain/holdout.ts';

const customers = Array.from({ length: 20_000 }, (_, i) => `customer-${i}`);

describe('holdout groups', () => {
  it('holds out 10% of 20,000 customers within ±1 percentage point', () => {
    const held = customers.filter((id) => isHeldOut('birthday', id, 10)).length;
    expect(held / customers.length).toBeGreaterThan(0.09);
    expect(held / customers.length).toBeLessThan(0.11);
  });

  it('keeps the same customers held out every time (stable per customer and campaign)', () => {
    const first = customers.filter((id) => isHeldOut('win-back', id, 10));
    const second = customers.filter((id) => isHeldOut('win-back', id, 10));
    expect(second).toEqual(first);
  });

  it('draws independently per campaign: two 10% groups overlap about 1% of customers', () => {
    const both = customers.filter(
      (id) => isHeldOut('birthday', id, 10) && isHeldOut('win-back', id, 10),
    ).length;
    expect(both / customers.length).toBeGreaterThan(0.005);
    expect(both / customers.length).toBeLessThan(0.015);
  });

  it('grows the group by adding customers, never swapping them, when the percentage rises', () => {
    const at5 = customers.filter((id) => isHeldOut('birthday', id, 5));
    expect(at5.every((id) => isHeldOut('birthday', id, 10))).toBe(true);
  });

  it('holds out nobody at 0% and draws in [0, 1)', () => {
    expect(customers.some((id) => isHeldOut('birthday', id, 0))).toBe(false);
    const draws = customers.slice(0, 1000).map((id) => holdoutDraw('birthday', id));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});

describe('the campaign gate before enqueueing', () => {
  const campaign = campaignSchema.parse({
    id: 'birthday',
    name: 'Birthday',
    trigger: { on: 'birthday' },
    holdoutPercent: 10,
    audience: { tiers: ['Gold', 'Platinum'] },
    templates: { name: 'birthday' },
  });
  const request = (customerId: string) => ({
    customerId,
    campaignId: 'birthday',
    period: '2027',
    template: 'birthday',
    requestedAt: '2027-01-01T00:00:00Z',
  });
  const deps = (overrides: Partial<GateDeps> = {}) => {
    const recorded: string[] = [];
    const gate: GateDeps = {
      campaigns: { get: async (id) => (id === 'birthday' ? campaign : undefined) },
      holdouts: {
        record: async ({ customerId }) => {
          recorded.push(customerId);
          return true;
        },
      },
      clock: new ManualClock('2027-01-01T00:00:00Z'),
      factsOf: async () => ({ tier: 'Gold', spendMilli: 0, orderCount: 1 }),
      ...overrides,
    };
    return { gate, recorded };
  };

  it('records held-out customers instead of sending, and sends the rest', async () => {
    const { gate, recorded } = deps();
    const heldId = customers.find((id) => isHeldOut('birthday', id, 10)) as string;
    const sentId = customers.find((id) => !isHeldOut('birthday', id, 10)) as string;
    expect(await admitSendRequest(request(heldId), gate)).toEqual({ kind: 'held-out', firstTime: true });
    expect(await admitSendRequest(request(sentId), gate)).toEqual({ kind: 'send' });
    expect(recorded).toEqual([heldId]);
  });

  it('drops requests of a disabled campaign and of customers outside the audience', async () => {
    const disabled = deps({ campaigns: { get: async () => ({ ...campaign, enabled: false }) } });
    expect(await admitSendRequest(request('c1'), disabled.gate)).toEqual({ kind: 'disabled' });
    const bronze = deps({ factsOf: async () => ({ tier: 'Bronze', spendMilli: 0, orderCount: 1 }) });
    expect(await admitSendRequest(request('c1'), bronze.gate)).toEqual({
      kind: 'not-in-audience',
      because: 'tier Bronze not in Gold, Platinum',
    });
  });

  it('lets requests of a never-published campaign through (the shipped file governs it)', async () => {
    const { gate } = deps();
    expect(await admitSendRequest({ ...request('c1'), campaignId: 'tier-upgrade' }, gate)).toEqual({
      kind: 'send',
    });
  });
});
