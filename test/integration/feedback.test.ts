import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '#functions/commons/runtime.ts';
import { LOCAL_CONFIGURATION_SET } from '#infra/local/ses-simulator.ts';
import { loadLoyaltyReport } from '#shared/flows/analytics.ts';
import { sentMailFromSesLocal, sesEvent } from '#shared/mail/ses-events.ts';
import { keys, TTL_ATTRIBUTE } from '#shared/store/keys.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import {
  type DeliveryLocal,
  emailsTo,
  enqueue,
  journeyDaysOf,
  ledgerEntry,
  NEWS_STEP,
  newsRequest,
  profileItem,
  publishSesFeedback,
  startDelivery,
  stepCounters,
  upsertCustomers,
} from './sender-fixtures.ts';

interface Emitted {
  DetailType?: string;
  Detail?: string;
}

describe('SES feedback', () => {
  let d: DeliveryLocal;
  const emitted: Emitted[] = [];
  const record = (name: string, runtime: Runtime): Runtime => {
    if (name === 'ses-feedback') {
      runtime.eventBridge.middlewareStack.add(
        (next) => async (args) => {
          emitted.push(...((args.input as { Entries?: Emitted[] }).Entries ?? []));
          return next(args);
        },
        { step: 'initialize', name: 'recordEmitted' },
      );
    }
    return runtime;
  };
  const suppressedEvents = () =>
    emitted.filter((e) => e.DetailType === 'Customer Suppressed').map((e) => JSON.parse(e.Detail ?? '{}'));
  const mailTo = async (address: string) =>
    sentMailFromSesLocal((await emailsTo(d.local, address))[0]!, LOCAL_CONFIGURATION_SET);

  beforeAll(async () => {
    d = await startDelivery({ now: '2026-01-05T10:00:00Z', wrap: record });
    await upsertCustomers(d.local, [
      { customerId: 'c-ada', email: 'ada@example.com' },
      { customerId: 'c-bob', email: 'bob@example.com' },
      { customerId: 'c-cy', email: 'cy@example.com' },
      { customerId: 'c-dee', email: 'dee@example.com' },
    ]);
    await enqueue(
      d.local,
      ['c-ada', 'c-bob', 'c-cy', 'c-dee'].map((id) => newsRequest(id)),
    );
    await d.local.drain();
  });
  afterAll(() => d?.stop());

  it('suppresses a hard-bounced address at once, announces it once, and sends it nothing more', async () => {
    const mail = await mailTo('ada@example.com');
    await publishSesFeedback(d.local, 'bounce', mail);
    await publishSesFeedback(d.local, 'bounce', mail); // SES/EventBridge may deliver twice
    expect((await profileItem(d.local, 'c-ada'))?.suppressed).toMatchObject({ reason: 'hard-bounce' });
    expect(suppressedEvents()).toEqual([
      expect.objectContaining({ customerId: 'c-ada', reason: 'hard-bounce' }),
    ]);

    await enqueue(d.local, [newsRequest('c-ada', { period: '2026-W02' })]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(1);
    expect(await ledgerEntry(d.local, 'c-ada', 'news', '2026-W02')).toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
  });

  it('suppresses the address, not just the profile: a new customer with that address gets nothing', async () => {
    await upsertCustomers(d.local, [{ customerId: 'c-ada-2', email: 'ADA@example.com' }]);
    await enqueue(d.local, [newsRequest('c-ada-2')]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'ada@example.com')).toHaveLength(1);
    expect(await ledgerEntry(d.local, 'c-ada-2', 'news', '2026-W01')).toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
  });

  it('suppresses on a complaint', async () => {
    await publishSesFeedback(d.local, 'complaint', await mailTo('bob@example.com'));
    expect((await profileItem(d.local, 'c-bob'))?.suppressed).toMatchObject({ reason: 'complaint' });
    expect(suppressedEvents().map((e) => e.customerId)).toEqual(['c-ada', 'c-bob']);
  });

  it('does not suppress on a transient (soft) bounce', async () => {
    const mail = await mailTo('cy@example.com');
    const soft = sesEvent('bounce', mail, d.local.clock.now());
    soft.detail.bounce = { ...soft.detail.bounce!, bounceType: 'Transient' };
    await d.local.putEvents([{ ...soft, busName: 'default' }]);
    await d.local.drain();
    expect((await profileItem(d.local, 'c-cy'))?.suppressed).toBeUndefined();
  });

  it('counts deliveries, opens and clicks per campaign and day, each message once', async () => {
    for (const address of ['cy@example.com', 'dee@example.com']) {
      const mail = await mailTo(address);
      await publishSesFeedback(d.local, 'delivery', mail);
      await publishSesFeedback(d.local, 'delivery', mail);
      await publishSesFeedback(d.local, 'open', mail);
    }
    await publishSesFeedback(d.local, 'click', await mailTo('dee@example.com'));
    // `sent` is the sender's count of the four emails it recorded (not an SES event's).
    expect(await journeyDaysOf(d.local, 'news')).toEqual([
      {
        day: '2026-01-05',
        counts: { sent: 4, delivered: 2, opened: 2, clicked: 1, bounced: 1, complained: 1, unsubscribed: 0 },
      },
    ]);
  });

  it('counts a delivery, open or click on the day the email was sent, so a period never shows more delivered than sent', async () => {
    const mail = { ...(await mailTo('ada@example.com')), sentAt: new Date('2026-01-05T23:59:00Z') };
    const before = await journeyDaysOf(d.local, 'news');
    await publishSesFeedback(d.local, 'open', mail, new Date('2026-01-06T00:10:00Z'));
    const after = await journeyDaysOf(d.local, 'news');
    expect(after.map((day) => day.day)).toEqual(before.map((day) => day.day));
    expect(after[0]?.counts.opened).toBe((before[0]?.counts.opened ?? 0) + 1);
  });

  it('ignores SES events on the marketing bus (SES publishes only to the default bus)', async () => {
    await d.local.putEvents([sesEvent('complaint', await mailTo('dee@example.com'), d.local.clock.now())]);
    await d.local.drain();
    expect((await profileItem(d.local, 'c-dee'))?.suppressed).toBeUndefined();
  });

  it('lets the local runtime simulate a complaint or bounce for an address, mailed or not (POST /_local/ses/...)', async () => {
    const post = (path: string, email: string) =>
      fetch(`${d.local.endpoints.aws}${path}`, { method: 'POST', body: JSON.stringify({ email }) });
    expect((await post('/_local/ses/complaint', 'dee@example.com')).status).toBe(200);
    expect((await post('/_local/ses/bounce', 'never-mailed@example.com')).status).toBe(200);
    expect((await post('/_local/ses/bounce', 'not-an-address')).status).toBe(400);
    expect((await profileItem(d.local, 'c-dee'))?.suppressed).toMatchObject({ reason: 'complaint' });
    await upsertCustomers(d.local, [{ customerId: 'c-new', email: 'never-mailed@example.com' }]);
    await enqueue(d.local, [newsRequest('c-new')]);
    await d.local.drain();
    expect(await ledgerEntry(d.local, 'c-new', 'news', '2026-W01')).toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
  });

  it('publishes what SES would for accepted emails (POST /_local/ses/events): sent and delivered counters', async () => {
    const response = await fetch(`${d.local.endpoints.aws}/_local/ses/events`, { method: 'POST' });
    expect(await response.json()).toEqual({ published: 4 });
    const again = await fetch(`${d.local.endpoints.aws}/_local/ses/events`, { method: 'POST' });
    expect(await again.json()).toEqual({ published: 0 });
    const [today] = await journeyDaysOf(d.local, 'news');
    expect(today?.counts).toMatchObject({ sent: 4, delivered: 4 });
  });
});

describe('one set of send counters', () => {
  let d: DeliveryLocal;
  afterAll(() => d?.stop());

  it('counts an email and its redelivered SES events once, on its send step only: no daily counter item is written', async () => {
    d = await startDelivery({ now: '2026-01-05T10:00:00Z' });
    await upsertCustomers(d.local, [{ customerId: 'c-eve', email: 'eve@example.com' }]);
    await enqueue(d.local, [newsRequest('c-eve')]);
    await d.local.drain();
    const mail = sentMailFromSesLocal((await emailsTo(d.local, 'eve@example.com'))[0]!, LOCAL_CONFIGURATION_SET);
    // SES's Send event (the sender recorded the email already), then every event twice.
    for (const kind of ['delivery', 'delivery', 'open', 'open', 'click', 'click'] as const)
      await publishSesFeedback(d.local, kind, mail);
    await d.local.putEvents([{ ...sesEvent('send', mail, d.local.clock.now()), busName: 'default' }]);
    await d.local.putEvents([{ ...sesEvent('send', mail, d.local.clock.now()), busName: 'default' }]);
    await d.local.drain();

    const { Items = [] } = await d.local.doc.send(new ScanCommand({ TableName: d.local.tableName }));
    expect(Items.filter((item) => String(item.PK).startsWith(keys.olderJourneyDaysPrefix))).toEqual([]);
    // One marker per event type: a delivery's expires 30 days after it (past every redelivery); an
    // open's or a click's, which the reader can repeat any time, with the email history (400 days).
    const markers = Items.filter((item) => String(item.PK) === keys.sesEventMarker(mail.messageId, '').PK);
    const after = (days: number) => Math.floor(d.local.clock.now().getTime() / 1000) + days * 86_400;
    expect(markers.map((item) => [item.SK, item[TTL_ATTRIBUTE]]).sort()).toEqual([
      ['clicked', after(400)],
      ['delivered', after(30)],
      ['opened', after(400)],
    ]);
    expect(await stepCounters(d.local, 'news', '2026-01-05')).toMatchObject({ sent: 1, delivered: 1, opened: 1, clicked: 1 });

    // Two months on, after DynamoDB's TTL took what had expired (the delivery's marker), the reader
    // opens and clicks the email again: SES publishes new events, and they count nothing more.
    const later = new Date(d.local.clock.now().getTime() + 60 * 86_400_000);
    const expired = Items.filter((item) => typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= later.getTime() / 1000);
    expect(expired.map((item) => item.SK)).toContain('delivered');
    for (const item of expired)
      await d.local.doc.send(new DeleteCommand({ TableName: d.local.tableName, Key: { PK: item.PK, SK: item.SK } }));
    await publishSesFeedback(d.local, 'open', mail, later);
    await publishSesFeedback(d.local, 'click', mail, later);
    expect(await stepCounters(d.local, 'news', '2026-01-05')).toMatchObject({ sent: 1, delivered: 1, opened: 1, clicked: 1 });

    // Past the email's history (400 days after the send) its open and click markers went with it:
    // an open then counts nothing rather than counting again.
    // (SES local tells no send time: the event names it, as SES's `mail.timestamp` does.)
    const sent = { ...mail, sentAt: new Date('2026-01-05T10:00:00Z') };
    const gone = new Date(sent.sentAt.getTime() + 401 * 86_400_000);
    const { Items: now = [] } = await d.local.doc.send(new ScanCommand({ TableName: d.local.tableName }));
    const expiredByThen = now.filter((item) => typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= gone.getTime() / 1000);
    expect(expiredByThen.map((item) => item.SK)).toEqual(expect.arrayContaining(['opened', 'clicked']));
    for (const item of expiredByThen)
      await d.local.doc.send(new DeleteCommand({ TableName: d.local.tableName, Key: { PK: item.PK, SK: item.SK } }));
    await publishSesFeedback(d.local, 'open', sent, gone);
    expect(await stepCounters(d.local, 'news', '2026-01-05')).toMatchObject({ opened: 1, clicked: 1 });

    const report = await loadLoyaltyReport(
      new SegmentStore(d.local.doc, d.local.tableName),
      { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-06T00:00:00Z'), attributionDays: 7, currency: 'USD' },
      d.local.clock.now(),
    );
    expect(report.campaigns.find((c) => c.campaignId === 'news')).toMatchObject({
      sent: 1,
      delivered: 1,
      opened: 1,
      clicked: 1,
      steps: [expect.objectContaining({ step: NEWS_STEP, sent: 1, delivered: 1, opened: 1, clicked: 1 })],
    });
  });
});
