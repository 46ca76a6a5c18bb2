// The shipped tier-upgrade journey under the conditions that broke the pre-journey email: two
// upgrades inside the customer's quiet hours (Silver, then Gold) must send only "now Gold" when
// quiet hours end — the engine re-checks at the moment of sending that the tier it announces is
// still the customer's — and the email's "until" date is the stored hold. Redelivering every
// event afterwards sends nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { StoredLoyalty } from '#shared/domain/loyalty-changes.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { customerItems, profileOf } from '../support/table.ts';
import { subjectsTo, textsTo } from '../support/timer-campaigns.ts';

let local: LocalRuntime;

beforeAll(async () => {
  // 22:00 in Shanghai: inside the sender's default quiet hours (21:00-08:00 local).
  local = await startLocal({ now: '2027-03-01T14:00:00Z', shippedJourneys: ['tier-upgrade'] });
}, 60_000);
afterAll(() => local?.stop());

const member = customerEvent({
  customerId: 'up-2',
  email: 'up-2@example.com',
  firstName: 'Lin',
  locale: 'en-US',
  timeZone: 'Asia/Shanghai',
});
const silver = purchaseEvent({
  customerId: 'up-2',
  orderId: 'up-2-a',
  amount: '600.00',
  purchasedAt: '2027-03-01T14:00:00Z',
});
const gold = purchaseEvent({
  customerId: 'up-2',
  orderId: 'up-2-b',
  amount: '1500.00',
  purchasedAt: '2027-03-01T14:30:00Z',
});

describe('tier-upgrade journey', () => {
  it('sends only the latest upgrade when two land inside quiet hours, dated with the stored hold', async () => {
    local.putEvents([member]);
    await local.drain();
    local.putEvents([silver]);
    await local.drain();
    await local.advanceTo('2027-03-01T14:30:00Z');
    local.putEvents([gold]);
    await local.drain();
    // Both upgrades were announced and both entered the journey; quiet hours hold the sends.
    expect(await subjectsTo(local, 'up-2@example.com')).toEqual([]);

    await local.advanceTo('2027-03-02T01:00:00Z'); // 09:00 in Shanghai
    expect(await subjectsTo(local, 'up-2@example.com')).toEqual([
      "Lin, you're now Gold — here's what you get",
    ]);
    const ledger = (await customerItems(local.doc, local.tableName, 'up-2'))
      .filter((item) => String(item.SK).startsWith('SEND#tier-upgrade#'))
      .map((item) => [item.period, item.status, item.reason ?? '']);
    expect(ledger).toEqual([
      ['change#up-2#1#congratulate', 'skipped', expect.stringContaining('Silver')],
      ['change#up-2#2#congratulate', 'sent', ''],
    ]);

    const loyalty = (await profileOf(local.doc, local.tableName, 'up-2'))?.loyalty as StoredLoyalty;
    expect(loyalty.tier).toBe('Gold');
    const until = new Date(loyalty.tierHeldUntil ?? '').toLocaleDateString('en-US', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: 'long',
      day: 'numeric',
    });
    expect((await textsTo(local, 'up-2@example.com'))[0]).toContain(`yours until at least ${until}.`);
  });

  it('sends nothing more when every event is delivered again', async () => {
    local.putEvents([member, silver, gold, silver, gold]);
    await local.drain();
    await local.advanceTo('2027-03-03T01:00:00Z');
    expect(await subjectsTo(local, 'up-2@example.com')).toHaveLength(1);
    expect(local.deadLetters()).toEqual([]);
  });
});
