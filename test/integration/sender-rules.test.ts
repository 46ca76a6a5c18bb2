import { afterEach, describe, expect, it } from 'vitest';
import {
  type DeliveryLocal,
  emailsTo,
  enqueue,
  ledgerEntry,
  newsRequest,
  publishNewsJourney,
  startDelivery,
  upsertCustomers,
} from './sender-fixtures.ts';

describe('send-time rules', () => {
  let d: DeliveryLocal | undefined;
  afterEach(async () => {
    await d?.stop();
    d = undefined;
  });

  it('defers a send requested at 22:30 in Shanghai to 08:00 local the next morning instead of dropping it', async () => {
    // 14:30Z = 22:30 in Asia/Shanghai.
    d = await startDelivery({ now: '2026-03-02T14:30:00Z' });
    await upsertCustomers(d.local, [
      { customerId: 'c-li', email: 'li@example.com', timeZone: 'Asia/Shanghai' },
    ]);
    await enqueue(d.local, [newsRequest('c-li')]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'li@example.com')).toHaveLength(0);

    await d.local.advanceTo('2026-03-02T23:59:00Z'); // 07:59 local: still quiet
    expect(await emailsTo(d.local, 'li@example.com')).toHaveLength(0);
    await d.local.advanceTo('2026-03-03T00:20:00Z');
    expect(await emailsTo(d.local, 'li@example.com')).toHaveLength(1);
    expect(await ledgerEntry(d.local, 'c-li', 'news', '2026-W01')).toMatchObject({
      status: 'sent',
      sentAt: '2026-03-03T00:00:00.000Z',
    });
  });

  it("applies the campaign's own quiet hours and zone for a customer without one", async () => {
    // 00:30Z is 08:30 in Shanghai: inside the campaign's 20:00-09:00 window.
    d = await startDelivery({ now: '2026-03-02T00:30:00Z' });
    await upsertCustomers(d.local, [{ customerId: 'c-nz', email: 'nz@example.com' }]);
    await enqueue(d.local, [
      newsRequest('c-nz', { defaultTimeZone: 'Asia/Shanghai', quietHours: { from: '20:00', to: '09:00' } }),
    ]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'nz@example.com')).toHaveLength(0);
    await d.local.advanceTo('2026-03-02T01:20:00Z');
    expect(await ledgerEntry(d.local, 'c-nz', 'news', '2026-W01')).toMatchObject({
      status: 'sent',
      sentAt: '2026-03-02T01:00:00.000Z',
    });
  });

  it('holds a third marketing email until the first leaves the cap window (2 per window, a 6-hour window here)', async () => {
    d = await startDelivery({ now: '2026-03-02T09:00:00Z', env: { FREQUENCY_CAP_DAYS: '0.25' } });
    await upsertCustomers(d.local, [{ customerId: 'c-ada', email: 'ada@example.com' }]);
    await enqueue(d.local, [newsRequest('c-ada', { period: 'p1' })]);
    await d.local.drain();
    await d.local.advanceTo('2026-03-02T11:00:00Z');
    await enqueue(d.local, [newsRequest('c-ada', { period: 'p2' })]);
    await d.local.drain();
    await enqueue(d.local, [newsRequest('c-ada', { period: 'p3' })]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(2);
    expect(await ledgerEntry(d.local, 'c-ada', 'news', 'p3')).toBeUndefined();

    await d.local.advanceTo('2026-03-02T14:59:00Z');
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(2);
    await d.local.advanceTo('2026-03-02T15:20:00Z');
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(3);
    const third = await ledgerEntry(d.local, 'c-ada', 'news', 'p3');
    expect(third?.status).toBe('sent');
    expect(Date.parse(String(third?.sentAt))).toBeGreaterThanOrEqual(Date.parse('2026-03-02T15:00:00Z'));
  }, 60_000);

  it('gives the last frequency-cap slot to the higher-priority request of a batch and defers the lower one', async () => {
    d = await startDelivery({ now: '2026-03-02T10:00:00Z' });
    await upsertCustomers(d.local, [{ customerId: 'c-ada', email: 'ada@example.com' }]);
    await enqueue(d.local, [newsRequest('c-ada', { period: 'p1' })]);
    await d.local.drain();
    // One slot left (2 per 7 days). Both requests wait in the queue, so the poller hands them to
    // the sender in ONE batch, the low-priority request first.
    for (const journey of ['digest', 'birthday-news']) await publishNewsJourney(d.local, journey);
    const queue = d.local.queueFor('send-requests');
    for (const request of [
      newsRequest('c-ada', { campaignId: 'digest', period: 'p2', priority: 9 }),
      newsRequest('c-ada', { campaignId: 'birthday-news', period: 'p2', priority: 1 }),
    ])
      queue.send(JSON.stringify(request), {}, 0);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(2);
    expect(await ledgerEntry(d.local, 'c-ada', 'birthday-news', 'p2')).toMatchObject({ status: 'sent' });
    expect(await ledgerEntry(d.local, 'c-ada', 'digest', 'p2')).toBeUndefined();
  }, 60_000);

  it('lets tier-upgrade emails past the cap when the program exempts them, and counts them against it when not', async () => {
    const tierUpgrade = (period: string) =>
      newsRequest('c-ada', { campaignId: 'tier-upgrade', period, capClass: 'tier-upgrade' });
    d = await startDelivery({ now: '2026-03-02T10:00:00Z', env: { FREQUENCY_CAP_EXEMPT: 'tier-upgrade' } });
    await upsertCustomers(d.local, [{ customerId: 'c-ada', email: 'ada@example.com' }]);
    await enqueue(d.local, [
      newsRequest('c-ada', { period: 'p1' }),
      newsRequest('c-ada', { period: 'p2' }),
      tierUpgrade('gold'),
    ]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(3);
    await d.stop();

    d = await startDelivery({ now: '2026-03-02T10:00:00Z' });
    await upsertCustomers(d.local, [{ customerId: 'c-ada', email: 'ada@example.com' }]);
    await enqueue(d.local, [newsRequest('c-ada', { period: 'p1' }), newsRequest('c-ada', { period: 'p2' })]);
    await d.local.drain();
    await enqueue(d.local, [tierUpgrade('gold')]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(2);
    expect(await ledgerEntry(d.local, 'c-ada', 'tier-upgrade', 'gold')).toBeUndefined();
  }, 60_000);

  it('skips and records a customer without marketing consent, and sends nothing later for that period', async () => {
    d = await startDelivery({ now: '2026-03-02T10:00:00Z' });
    await upsertCustomers(d.local, [
      { customerId: 'c-no', email: 'no@example.com', marketingConsent: false },
    ]);
    await enqueue(d.local, [newsRequest('c-no')]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'no@example.com')).toHaveLength(0);
    expect(await ledgerEntry(d.local, 'c-no', 'news', '2026-W01')).toMatchObject({
      status: 'skipped',
      reason: 'no-consent',
    });
  });
});
