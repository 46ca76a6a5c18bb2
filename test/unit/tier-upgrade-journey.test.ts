// The shipped tier-upgrade journey's email: what its templates render from the customer as
// stored after the upgrade, in each locale (escaping, money per locale, the hold date, a
// plain-text part), through the same template context every journey send uses.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '#shared/config/program-file.ts';
import type { SendJourneyStep } from '#shared/domain/journey.ts';
import { type JourneyFiles, loadJourneyFiles } from '#shared/journeys/files.ts';
import { renderJourneySend } from '#shared/journeys/preview.ts';
import { sampleFacts } from '#shared/journeys/sample.ts';
import type { CustomerFacts } from '#shared/journeys/customer-facts.ts';

const program = loadProgram({});
const now = new Date('2026-05-01T10:00:30Z');
let shipped: JourneyFiles | undefined;

/** The customer right after reaching `to` from `from` (stored loyalty, as the engine reads it). */
function upgraded(locale: string, to: string, from: string, next: string | null): CustomerFacts {
  const facts = sampleFacts(program, locale, now);
  const loyalty = facts.stored.loyalty;
  if (!loyalty) throw new Error('sample has no loyalty');
  const change = {
    seq: 1,
    from,
    to,
    direction: 'up' as const,
    reason: 'purchase' as const,
    occurredAt: '2026-05-01T10:00:00.000Z',
    tierSince: '2026-05-01T10:00:00.000Z',
    tierHeldUntil: '2027-05-01T10:00:00.000Z',
    rollingSpendMilli: 2_100_000,
    points: 2100,
    nextTier: next,
    spendToNextTierMilli: next ? 2_900_000 : null,
    recordedAt: '2026-05-01T10:00:00.000Z',
  };
  return {
    ...facts,
    stored: {
      ...facts.stored,
      loyalty: {
        ...loyalty,
        tier: to,
        tierSince: change.tierSince,
        tierHeldUntil: change.tierHeldUntil,
        rollingSpendMilli: change.rollingSpendMilli,
        points: change.points,
        nextTier: next,
        spendToNextTierMilli: change.spendToNextTierMilli,
        changeSeq: 1,
        recentChanges: [change],
      },
    },
  };
}

async function render(
  locale: string,
  firstName: string | undefined,
  to = 'Gold',
  next: string | null = 'Platinum',
) {
  shipped ??= await loadJourneyFiles(path.resolve(import.meta.dirname, '../../campaigns/tier-upgrade.yaml'));
  const step = shipped.journey.steps.find((s): s is SendJourneyStep => 'send' in s);
  if (!step) throw new Error('tier-upgrade has no send step');
  return renderJourneySend({
    program,
    journey: shipped.journey,
    templates: shipped.templates,
    step,
    facts: upgraded(locale, to, 'Bronze', next),
    customer: { customerId: 'c-1', email: 'mei@example.com', firstName, locale, timeZone: 'Asia/Shanghai' },
    now,
  });
}

describe('tier-upgrade journey email', () => {
  it('renders en-US with the tier, benefits, points, dollars to the next tier, the hold date and an escaped name', async () => {
    const email = await render('en-US', '<b>Mei</b>');
    expect(email.locale).toBe('en-US');
    expect(email.subject).toBe("<b>Mei</b>, you're now Gold — here's what you get");
    expect(email.html).toContain('&lt;b&gt;Mei&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Mei</b>');
    expect(email.html).toContain('Welcome to Gold');
    expect(email.html).toContain("You've moved up from Bronze.");
    expect(email.html).toContain('Early access to sales');
    expect(email.html).toContain('$2,900.00');
    expect(email.html).toContain('To reach Platinum');
    expect(email.text).toContain('Points balance: 2100 points');
    expect(email.text).toContain('Spend $2,900.00 more within 12 months to reach Platinum.');
    expect(email.text).toContain('May 1, 2027');
  });

  it('renders zh-CN with the tier names of the program file and amounts formatted for zh-CN', async () => {
    const email = await render('zh-CN', '<b>Mei</b>');
    expect(email.locale).toBe('zh-CN');
    expect(email.subject).toBe('<b>Mei</b>，恭喜您升级为黄金会员！');
    expect(email.html).toContain('欢迎成为黄金会员');
    expect(email.html).toContain('US$2,900.00');
    expect(email.text).toContain('12 个月内再消费 US$2,900.00 即可升级为铂金会员。');
    expect(email.text).toContain('2027年5月1日');
  });

  it('congratulates a Platinum member without a next tier', async () => {
    const email = await render('en-US', undefined, 'Platinum', null);
    expect(email.subject).toBe("You're now Platinum — here's what you get");
    expect(email.text).toContain("You've reached our highest tier.");
    expect(email.html).toContain('A dedicated concierge');
  });
});
