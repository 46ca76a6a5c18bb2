import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeliveryLocal,
  emailsTo,
  enqueue,
  header,
  ledgerEntry,
  newsRequest,
  sendOutcome,
  startDelivery,
  stepCounters,
  upsertCustomers,
} from './sender-fixtures.ts';

describe('sender: one email per request', () => {
  let d: DeliveryLocal;
  beforeAll(async () => {
    // 10:00 UTC: outside quiet hours for a UTC customer.
    d = await startDelivery({ now: '2026-01-05T10:00:00Z' });
    await upsertCustomers(d.local, [
      { customerId: 'c-ada', email: 'ada@example.com', firstName: 'Ada' },
      {
        customerId: 'c-li',
        email: 'li@example.com',
        firstName: '丽',
        locale: 'zh-CN',
        timeZone: 'Asia/Shanghai',
      },
    ]);
  });
  afterAll(() => d?.stop());

  it("keeps every header printable ASCII and within SES's 870 characters for the longest customer id, campaign, step, variant and period the contracts allow, in Chinese", async () => {
    // 128 UTF-8 bytes (ID_MAX_BYTES): 42 Chinese characters and two letters; percent-encoded, as
    // the send reference once was, that alone took 380 characters.
    const longest = `${'客'.repeat(42)}ab`;
    await upsertCustomers(d.local, [{ customerId: longest, email: 'longest@example.com' }]);
    const period = `${'期'.repeat(85)}p`;
    const request = newsRequest(longest, {
      campaignId: 'c'.repeat(64),
      step: 's'.repeat(64),
      period,
      journey: { version: 1, entryId: period, enteredAt: '2026-01-01T00:00:00Z', variant: 'v'.repeat(64) },
    });
    await enqueue(d.local, [request]);
    await d.local.drain();
    const [email] = await emailsTo(d.local, 'longest@example.com');
    for (const name of ['List-Unsubscribe', 'List-Unsubscribe-Post', 'X-Loyalty-Send']) {
      const value = header(email!, name) ?? '';
      expect(value, name).toMatch(/^[ -~]+$/);
      expect(value.length, name).toBeLessThanOrEqual(870);
    }
    // With the longest step and variant in the send reference too, for SES feedback to count on.
    expect(header(email!, 'X-Loyalty-Send')).toContain(`; step=${'s'.repeat(64)}; variant=${'v'.repeat(64)}; day=`);
    expect(await ledgerEntry(d.local, longest, request.campaignId, request.period)).toMatchObject({
      status: 'sent',
      messageId: email?.messageId,
    });
  });

  it('sends through SES with the configuration set, attribution tags and one-click unsubscribe headers', async () => {
    await enqueue(d.local, [newsRequest('c-ada', { step: 'launch', tier: 'gold' })]);
    await d.local.drain();
    const [email, ...more] = await emailsTo(d.local, 'ada@example.com');
    expect(more).toHaveLength(0);
    expect(email?.subject).toBe('News for Ada');
    const listUnsubscribe = header(email!, 'List-Unsubscribe') ?? '';
    expect(listUnsubscribe).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?t=[\w-]+\.[\w-]+>, <mailto:unsubscribe@loyalty\.example\?subject=unsubscribe>$/,
    );
    expect(header(email!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // The visible footer link is the same URL.
    const url = /<(http[^>]+)>/.exec(listUnsubscribe)?.[1] ?? 'missing';
    expect(email?.body.html).toContain(`href="${url.replace(/&/g, '&amp;')}"`);
    expect(email?.body.text).toContain(url);
    const request = d.proxy.bodies.at(-1) as {
      ConfigurationSetName: string;
      EmailTags: { Name: string; Value: string }[];
    };
    expect(request.ConfigurationSetName).toBe('loyalty-flows');
    expect(request.EmailTags).toEqual([
      { Name: 'campaign', Value: 'news' },
      { Name: 'step', Value: 'launch' },
      { Name: 'tier', Value: 'gold' },
    ]);
    expect(await ledgerEntry(d.local, 'c-ada', 'news', '2026-W01')).toMatchObject({
      status: 'sent',
      messageId: email?.messageId,
    });
  });

  it('renders in the customer locale', async () => {
    // 10:00 UTC is 18:00 in Shanghai: not quiet yet.
    await enqueue(d.local, [newsRequest('c-li')]);
    await d.local.drain();
    const emails = await emailsTo(d.local, 'li@example.com');
    expect(emails.map((e) => e.subject)).toEqual(['丽的新闻']);
    expect(emails[0]?.body.text).toContain('退订: http');
  });

  it('never sends the same (customer, campaign, period) twice, however often it is requested', async () => {
    await enqueue(d.local, [
      newsRequest('c-ada'),
      newsRequest('c-ada'),
      newsRequest('c-ada', { template: 'news', step: 'again' }),
    ]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(1);
  });

  it('records one send on the journey story and step counters for a request delivered twice and again after it was sent', async () => {
    await upsertCustomers(d.local, [{ customerId: 'c-bo', email: 'bo@example.com' }]);
    const request = newsRequest('c-bo', { campaignId: 'weekly' });
    await enqueue(d.local, [request, request]);
    await d.local.drain();
    await enqueue(d.local, [request]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'bo@example.com')).toHaveLength(1);
    expect(await sendOutcome(d.local, request)).toMatchObject({ outcome: 'sent', version: 1 });
    expect(await stepCounters(d.local, 'weekly', '2026-01-05')).toMatchObject({ sent: 1 });
  });

  it('dead-letters a request that names no journey version (every send renders from one), naming the field, and sends nothing', async () => {
    const { journey: _dropped, ...withoutJourney } = newsRequest('c-ada', { period: '2026-W03' });
    d.local.queueFor('send-requests').send(JSON.stringify(withoutJourney), {}, 0);
    await d.local.drain();
    const letters = d.local.deadLetters().filter((letter) => letter.body.includes('2026-W03'));
    expect(letters.map((letter) => [letter.queue, letter.rejections])).toEqual([
      ['send-requests-dlq', [expect.objectContaining({ field: 'journey', reason: expect.stringMatching(/^is required/) })]],
    ]);
    expect(await ledgerEntry(d.local, 'c-ada', 'news', '2026-W03')).toBeUndefined();
  });

  it('dead-letters a request whose template cannot render, with the reason, and sends nothing', async () => {
    await enqueue(d.local, [newsRequest('c-ada', { period: '2026-W02', variables: {} })]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(1);
    const letters = d.local.deadLetters().filter((letter) => letter.body.includes('2026-W02'));
    expect(letters).toHaveLength(1);
    expect(JSON.stringify(letters[0]?.rejections)).toContain('headline');
    expect(await ledgerEntry(d.local, 'c-ada', 'news', '2026-W02')).toBeUndefined();
  });
});
