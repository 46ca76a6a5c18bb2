import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '#shared/domain/unsubscribe-token.ts';
import { loadLoyaltyReport } from '#shared/flows/analytics.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import {
  type DeliveryLocal,
  emailsTo,
  enqueue,
  header,
  journeyDaysOf,
  ledgerEntry,
  newsRequest,
  profileItem,
  startDelivery,
  upsertCustomers,
} from './sender-fixtures.ts';

const SECRET = 'local-unsubscribe-secret-not-for-production';
const ONE_CLICK = 'List-Unsubscribe=One-Click';

describe('unsubscribe endpoint', () => {
  let d: DeliveryLocal;
  let adaLink: string;
  const post = (url: string, body = ONE_CLICK) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const linkFor = (customerId: string, token: string) =>
    `${d.local.endpoints.aws}/unsubscribe?c=${encodeURIComponent(customerId)}&t=${encodeURIComponent(token)}`;

  beforeAll(async () => {
    d = await startDelivery({ now: '2026-01-05T10:00:00Z' });
    await upsertCustomers(d.local, [
      { customerId: 'c-ada', email: 'ada@example.com' },
      { customerId: 'c-bob', email: 'bob@example.com' },
      { customerId: 'c-dee', email: 'dee@example.com' },
      { customerId: 'c-li', email: 'li@example.com', locale: 'zh-CN' },
    ]);
    await enqueue(d.local, [newsRequest('c-ada')]);
    await d.local.drain();
    const [email] = await emailsTo(d.local, 'ada@example.com');
    adaLink = /<(http[^>]+)>/.exec(header(email!, 'List-Unsubscribe') ?? '')?.[1] ?? '';
    expect(adaLink).toContain('/unsubscribe?t=');
  });
  afterAll(() => d?.stop());

  it('shows a confirmation page on GET and changes nothing', async () => {
    const response = await fetch(adaLink);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await profileItem(d.local, 'c-ada'))?.optOut).toBeUndefined();
  });

  it('refuses a forged signature, a token for another customer and an expired token, changing nothing', async () => {
    const [payload] = new URL(adaLink).searchParams.get('t')!.split('.');
    const forged = await post(linkFor('c-ada', `${payload}.${'A'.repeat(43)}`));
    expect(forged.status).toBe(403);
    const otherSecret = createUnsubscribeToken(
      { customerId: 'c-bob', email: 'bob@example.com', expiresAt: new Date('2027-01-01T00:00:00Z') },
      'guessed',
    );
    expect((await post(linkFor('c-bob', otherSecret))).status).toBe(403);
    // Ada's genuine token used against Bob's id.
    expect((await post(linkFor('c-bob', new URL(adaLink).searchParams.get('t')!))).status).toBe(403);
    // A validly signed token for Bob's id but Ada's address.
    const mixed = createUnsubscribeToken(
      { customerId: 'c-bob', email: 'ada@example.com', expiresAt: new Date('2027-01-01T00:00:00Z') },
      SECRET,
    );
    expect((await post(linkFor('c-bob', mixed))).status).toBe(403);
    const expired = createUnsubscribeToken(
      { customerId: 'c-bob', email: 'bob@example.com', expiresAt: new Date('2026-01-05T09:00:00Z') },
      SECRET,
    );
    const expiredResponse = await post(linkFor('c-bob', expired));
    expect(expiredResponse.status).toBe(403);
    expect(await expiredResponse.text()).toContain('too old');
    expect((await post(`${d.local.endpoints.aws}/unsubscribe?c=c-bob`)).status).toBe(400);
    expect((await profileItem(d.local, 'c-bob'))?.optOut).toBeUndefined();
    expect((await profileItem(d.local, 'c-bob'))?.consent).toMatchObject({ granted: true });
  });

  it('records the opt-out with time and source on a one-click POST', async () => {
    const response = await post(adaLink);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You are unsubscribed');
    const profile = await profileItem(d.local, 'c-ada');
    expect(profile?.optOut).toEqual({ at: '2026-01-05T10:00:00.000Z', source: 'unsubscribe-link' });
    expect(profile?.consent).toEqual({
      granted: false,
      at: '2026-01-05T10:00:00.000Z',
      source: 'unsubscribe-link',
    });
  });

  it('accepts the one-click POST as multipart/form-data too (RFC 8058), like curl -F sends it', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const token = createUnsubscribeToken(
      { customerId: 'c-dee', email: 'dee@example.com', expiresAt: new Date('2027-01-01T00:00:00Z') },
      SECRET,
    );
    const response = await fetch(linkFor('c-dee', token), { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect((await profileItem(d.local, 'c-dee'))?.optOut).toEqual({
      at: '2026-01-05T10:00:00.000Z',
      source: 'unsubscribe-link',
    });
  });

  it('accepts only the canonical base64url spelling of a token: padding, stray or inserted characters are refused', async () => {
    const token = createUnsubscribeToken(
      { customerId: 'c-bob', email: 'bob@example.com', expiresAt: new Date('2027-01-01T00:00:00Z') },
      SECRET,
    );
    const [payload, signature] = token.split('.') as [string, string];
    const altered = [
      `${token}=`,
      `${token}!!`,
      `${payload}.${signature.slice(0, 10)}*${signature.slice(10)}`,
      `${payload.slice(0, 5)}*${payload.slice(5)}.${signature}`,
    ];
    for (const variant of altered) {
      const response = await post(linkFor('c-bob', variant));
      expect(response.status, variant).toBe(400);
    }
    expect((await profileItem(d.local, 'c-bob'))?.optOut).toBeUndefined();
  });

  it("answers in the customer's language (zh-CN), and in the browser's before the link names a customer", async () => {
    const token = createUnsubscribeToken(
      { customerId: 'c-li', email: 'li@example.com', expiresAt: new Date('2027-01-01T00:00:00Z') },
      SECRET,
    );
    const confirm = await fetch(linkFor('c-li', token));
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('不再接收我们的营销邮件');
    expect(html).toContain('<button type="submit">退订</button>');

    const broken = await fetch(`${d.local.endpoints.aws}/unsubscribe?c=c-li`, {
      headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' },
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain('此退订链接不完整');
    const english = await fetch(`${d.local.endpoints.aws}/unsubscribe?c=c-li`);
    expect(await english.text()).toContain('<html lang="en-US">');
  });

  it('is idempotent: a replayed POST answers the same and changes nothing', async () => {
    await d.local.advanceTo('2026-01-05T11:00:00Z');
    const response = await post(adaLink);
    expect(response.status).toBe(200);
    expect((await profileItem(d.local, 'c-ada'))?.optOut).toEqual({
      at: '2026-01-05T10:00:00.000Z',
      source: 'unsubscribe-link',
    });
  });

  it('sends nothing more to an unsubscribed customer, even after the shop re-sends consent in a newer upsert', async () => {
    await d.local.advanceTo('2026-01-05T12:00:00Z'); // upserts from the future are refused
    await upsertCustomers(
      d.local,
      [{ customerId: 'c-ada', email: 'ada@example.com', marketingConsent: true }],
      new Date('2026-01-05T12:00:00Z'),
    );
    expect((await profileItem(d.local, 'c-ada'))?.consent).toMatchObject({ granted: true });
    await enqueue(d.local, [newsRequest('c-ada', { period: '2026-W02' })]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(1);
    expect(await ledgerEntry(d.local, 'c-ada', 'news', '2026-W02')).toMatchObject({
      status: 'skipped',
      reason: 'opted-out',
    });
  });
});

describe('unsubscribes per campaign', () => {
  let d: DeliveryLocal | undefined;
  afterAll(() => d?.stop());
  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: ONE_CLICK,
    });

  it('counts a one-click unsubscribe once on the campaign whose email carried the link, and the report shows it', async () => {
    d = await startDelivery({ now: '2026-01-05T10:00:00Z' });
    await upsertCustomers(d.local, [
      { customerId: 'c-ann', email: 'ann@example.com' },
      { customerId: 'c-cy', email: 'cy@example.com' },
    ]);
    await enqueue(d.local, [
      newsRequest('c-ann', { campaignId: 'spring-sale' }),
      newsRequest('c-cy', { campaignId: 'autumn-sale' }),
    ]);
    await d.local.drain();
    const [annEmail] = await emailsTo(d.local, 'ann@example.com');
    const annLink = /<(http[^>]+)>/.exec(header(annEmail!, 'List-Unsubscribe') ?? '')?.[1] ?? '';
    expect(annLink).toContain('/unsubscribe?t=');

    expect((await post(annLink)).status).toBe(200);
    await d.local.advanceTo('2026-01-06T09:00:00Z');
    expect((await post(annLink)).status).toBe(200); // replay: counted already

    expect(await journeyDaysOf(d.local, 'spring-sale')).toEqual([
      { day: '2026-01-05', counts: expect.objectContaining({ unsubscribed: 1 }) },
    ]);
    expect((await journeyDaysOf(d.local, 'autumn-sale')).every((day) => !day.counts.unsubscribed)).toBe(true);

    const report = await loadLoyaltyReport(
      new SegmentStore(d.local.doc, d.local.tableName),
      {
        from: new Date('2026-01-01T00:00:00Z'),
        to: new Date('2026-01-08T00:00:00Z'),
        attributionDays: 7,
        currency: 'USD',
      },
      new Date('2026-01-06T09:00:00Z'),
    );
    const unsubscribed = Object.fromEntries(report.campaigns.map((c) => [c.campaignId, c.unsubscribed]));
    expect(unsubscribed).toMatchObject({ 'spring-sale': 1, 'autumn-sale': 0 });
  });

  it('still honours a link issued before tokens named their campaign, counting on no campaign', async () => {
    expect(d).toBeDefined();
    const legacy = createUnsubscribeToken(
      { customerId: 'c-cy', email: 'cy@example.com', expiresAt: new Date('2026-03-01T00:00:00Z') },
      SECRET,
    );
    const response = await post(
      `${d!.local.endpoints.aws}/unsubscribe?c=c-cy&t=${encodeURIComponent(legacy)}`,
    );
    expect(response.status).toBe(200);
    expect((await profileItem(d!.local, 'c-cy'))?.optOut).toMatchObject({ source: 'unsubscribe-link' });
    expect((await journeyDaysOf(d!.local, 'autumn-sale')).every((day) => !day.counts.unsubscribed)).toBe(true);
  });
});
