// The tier-upgrade email: which Tier Changed events become a SendRequest, and what the shipped
// templates render from it in each locale (escaping, money per locale, a plain-text part).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProgramYaml } from '#shared/domain/loyalty-program.ts';
import type { TierChanged } from '#shared/events/emitted.ts';
import { tierUpgradeEmail } from '#shared/flows/tier-upgrade-email.ts';
import { TemplateRenderer } from '#shared/mail/render.ts';
import type { StoredProfile } from '#shared/store/customers.ts';

const campaigns = path.resolve(import.meta.dirname, '../../campaigns');
const program = parseProgramYaml(readFileSync(path.join(campaigns, 'program.yaml'), 'utf8'), 'program.yaml');
const renderer = new TemplateRenderer(path.join(campaigns, 'templates'));
const now = new Date('2026-05-01T10:00:30Z');

const upgrade = (overrides: Partial<TierChanged> = {}): TierChanged => ({
  customerId: 'c-1',
  changeId: 'c-1#1',
  seq: 1,
  from: 'Bronze',
  to: 'Gold',
  direction: 'up',
  reason: 'purchase',
  occurredAt: '2026-05-01T10:00:00.000Z',
  tierSince: '2026-05-01T10:00:00.000Z',
  tierHeldUntil: '2027-05-01T10:00:00.000Z',
  currency: 'USD',
  rollingSpendMilli: 2_100_000,
  pointsBalance: 2100,
  nextTier: 'Platinum',
  spendToNextTierMilli: 2_900_000,
  ...overrides,
});

const profile = (locale: string | undefined, changeSeq = 1): StoredProfile => ({
  profile: {
    customerId: 'c-1',
    email: 'mei@example.com',
    firstName: '<b>Mei</b>',
    ...(locale ? { locale } : {}),
    consent: { granted: true, at: '2026-01-01T00:00:00Z', source: 'test' },
    createdAt: '2026-01-01T00:00:00Z',
  },
  profileVersion: 1,
  aggVersion: 3,
  loyalty: { changeSeq } as StoredProfile['loyalty'],
  tierAnnouncedSeq: 0,
});

function requestFor(change: TierChanged, stored: StoredProfile | undefined) {
  const decision = tierUpgradeEmail(program, change, stored, now);
  if (decision.kind !== 'enqueue') throw new Error(`expected an email, got ${decision.reason}`);
  return decision.request;
}

async function render(locale: string) {
  const request = requestFor(upgrade(), profile(locale));
  return renderer.render({
    template: request.template,
    customer: { customerId: 'c-1', email: 'mei@example.com', firstName: '<b>Mei</b>', locale },
    unsubscribeUrl: 'https://example.com/u?c=c-1&t=abc',
    variables: request.variables ?? {},
    timeZone: 'Asia/Shanghai',
    currency: 'USD',
  });
}

describe('tier-upgrade email request', () => {
  it('asks for one tier-upgrade email per tier reached, keyed by the tier and when it was reached', () => {
    expect(requestFor(upgrade(), profile('en-US'))).toEqual({
      customerId: 'c-1',
      campaignId: 'tier-upgrade',
      period: 'Gold#2026-05-01T10:00:00.000Z',
      template: 'tier-upgrade',
      capClass: 'tier-upgrade',
      tier: 'Gold',
      variables: {
        tier: 'Gold',
        tierName: 'Gold',
        previousTierName: 'Bronze',
        benefits: program.tiers[2]?.benefits['en-US'],
        pointsBalance: 2100,
        rollingSpendMilli: 2_100_000,
        nextTierName: 'Platinum',
        spendToNextTierMilli: 2_900_000,
        tierHeldUntil: '2027-05-01T10:00:00.000Z',
        currency: 'USD',
      },
      requestedAt: '2026-05-01T10:00:30.000Z',
    });
  });

  it('names the tier and benefits in the customer locale', () => {
    const request = requestFor(upgrade(), profile('zh-CN'));
    expect(request.variables).toMatchObject({
      tierName: '黄金会员',
      previousTierName: '青铜会员',
      nextTierName: '铂金会员',
    });
    expect(request.variables?.benefits).toEqual(program.tiers[2]?.benefits['zh-CN']);
  });

  it('sends nothing for a downgrade, an unknown customer, or an upgrade a later change superseded', () => {
    expect(
      tierUpgradeEmail(
        program,
        upgrade({ direction: 'down', from: 'Gold', to: 'Silver' }),
        profile('en-US'),
        now,
      ),
    ).toEqual({
      kind: 'skip',
      reason: 'not-an-upgrade',
    });
    expect(tierUpgradeEmail(program, upgrade(), undefined, now)).toEqual({
      kind: 'skip',
      reason: 'unknown-customer',
    });
    expect(tierUpgradeEmail(program, upgrade(), profile('en-US', 2), now)).toEqual({
      kind: 'skip',
      reason: 'superseded',
    });
  });
});

describe('tier-upgrade templates', () => {
  it('renders en-US with the tier, benefits, points, dollars to the next tier and an escaped name', async () => {
    const email = await render('en-US');
    expect(email.locale).toBe('en-US');
    expect(email.subject).toBe("<b>Mei</b>, you're now Gold — here's what you get");
    expect(email.html).toContain('&lt;b&gt;Mei&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Mei</b>');
    expect(email.html).toContain('Welcome to Gold');
    expect(email.html).toContain('Early access to sales');
    expect(email.html).toContain('$2,900.00');
    expect(email.html).toContain('To reach Platinum');
    expect(email.text).toContain('Points balance: 2100 points');
    expect(email.text).toContain('Spend $2,900.00 more within 12 months to reach Platinum.');
    expect(email.text).toContain('May 1, 2027');
    expect(email.html.match(/href="https:\/\/example\.com\/u\?c=c-1&amp;t=abc"/g)).toHaveLength(1);
  });

  it('renders zh-CN in Chinese with amounts formatted for zh-CN', async () => {
    const email = await render('zh-CN');
    expect(email.locale).toBe('zh-CN');
    expect(email.subject).toBe('<b>Mei</b>，恭喜您升级为黄金会员！');
    expect(email.html).toContain('欢迎成为黄金会员');
    expect(email.html).toContain('US$2,900.00');
    expect(email.text).toContain('12 个月内再消费 US$2,900.00 即可升级为铂金会员。');
    expect(email.text).toContain('2027年5月1日');
  });

  it('congratulates a Platinum member without a next tier', async () => {
    const request = requestFor(
      upgrade({ to: 'Platinum', nextTier: null, spendToNextTierMilli: null }),
      profile('en-US'),
    );
    const email = await renderer.render({
      template: 'tier-upgrade',
      customer: { customerId: 'c-1', email: 'mei@example.com', locale: 'en-US' },
      unsubscribeUrl: 'https://example.com/u',
      variables: request.variables ?? {},
      timeZone: 'UTC',
      currency: 'USD',
    });
    expect(email.subject).toBe("You're now Platinum — here's what you get");
    expect(email.text).toContain("You've reached our highest tier.");
    expect(email.html).toContain('A dedicated concierge');
  });
});
