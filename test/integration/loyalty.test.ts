// The loyalty engine end to end on the embedded engines: order events through the local bus into
// ingest-orders (tier, points, Tier Changed), then the shipped tier-upgrade journey (the journeys
// function) enqueueing SendRequests. Each test uses its own customers, so one runtime serves the file.
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { StoredLoyalty } from '#shared/domain/loyalty-changes.ts';
import { type TierChanged, tierChangedDetail } from '#shared/events/emitted.ts';
import type { SendRequest } from '#shared/mail/send-request.ts';
import { aroundPutEvents } from '../support/faults.ts';
import { customerEvent, purchaseEvent, refundEvent } from '../support/fixtures.ts';
import { customerItems, profileOf } from '../support/table.ts';

let local: LocalRuntime;
/** Tier Changed events ingest-orders (purchases, refunds) and the scheduler (tier reviews) got onto the bus. */
const published: TierChanged[] = [];
/** SendRequests the journeys function (the tier-upgrade journey) put on the send-requests queue. */
const requested: SendRequest[] = [];
/** Customers whose next Tier Changed publish crashes (before PutEvents reaches the bus). */
const crashBeforePublish = new Set<string>();
/** Customers whose next Tier Changed publish crashes right after the bus accepted it. */
const crashAfterPublish = new Set<string>();
/** Customers whose next email request crashes the handler right after it was enqueued. */
const crashAfterEnqueue = new Set<string>();

beforeAll(async () => {
  local = await startLocal({
    now: '2026-11-01T00:00:00Z',
    // Only the tier-upgrade journey: the date-triggered ones (welcome, birthday …) would add emails.
    shippedJourneys: ['tier-upgrade'],
    wrapRuntime: (name, runtime) => {
      if (name === 'ingest-orders' || name === 'scheduler') {
        return aroundPutEvents(runtime, async (command, put) => {
          const changes = (command.input.Entries ?? [])
            .filter((entry) => entry.DetailType === 'Tier Changed')
            .map((entry) => tierChangedDetail.parse(JSON.parse(entry.Detail ?? '{}')));
          const crashing = changes.find((change) => crashBeforePublish.delete(change.customerId));
          if (crashing) throw new Error(`injected crash before publishing ${crashing.changeId}`);
          const result = await put();
          published.push(...changes);
          const crashedAfter = changes.find((change) => crashAfterPublish.delete(change.customerId));
          if (crashedAfter) throw new Error(`injected crash after publishing ${crashedAfter.changeId}`);
          return result;
        });
      }
      if (name === 'journeys') {
        const sqs = runtime.sqs;
        const send = async (command: SendMessageBatchCommand) => {
          const result = await sqs.send(command);
          const requests = (command.input.Entries ?? []).map(
            (entry) => JSON.parse(entry.MessageBody ?? '{}') as SendRequest,
          );
          requested.push(...requests);
          const crashing = requests.find((request) => crashAfterEnqueue.delete(request.customerId));
          if (crashing) throw new Error(`injected crash after enqueueing for ${crashing.customerId}`);
          return result;
        };
        return {
          ...runtime,
          sqs: new Proxy(sqs, { get: (target, key) => (key === 'send' ? send : Reflect.get(target, key)) }),
        };
      }
      return runtime;
    },
  });
}, 60_000);
afterAll(() => local?.stop());

async function loyaltyOf(customerId: string): Promise<StoredLoyalty> {
  const profile = await profileOf(local.doc, local.tableName, customerId);
  if (!profile?.loyalty) throw new Error(`no loyalty state for ${customerId}`);
  return profile.loyalty as StoredLoyalty;
}
const changesOf = (customerId: string) => published.filter((change) => change.customerId === customerId);
const requestsOf = (customerId: string) => requested.filter((request) => request.customerId === customerId);

// Purchases that cross a tier are dated within two days of the clock: the tier-upgrade journey
// congratulates fresh upgrades only (send.maxDelay, default 2 days).
async function member(
  customerId: string,
  locale: 'en-US' | 'zh-CN' = 'en-US',
  fields: { firstName?: string; marketingConsent?: boolean } = {},
) {
  // Shanghai time: the test clock sits at 08:00+ there, outside the sender's quiet hours.
  local.putEvents([
    customerEvent({
      customerId,
      locale,
      email: `${customerId}@example.com`,
      firstName: 'Alex',
      timeZone: 'Asia/Shanghai',
      ...fields,
    }),
  ]);
  await local.drain();
}

/** The customer's send-ledger entries for the tier-upgrade journey, as `<period> <status>`. */
async function tierUpgradeLedger(customerId: string): Promise<string[]> {
  return (await customerItems(local.doc, local.tableName, customerId))
    .filter((item) => String(item.SK).startsWith('SEND#tier-upgrade#'))
    .map((item) => `${String(item.SK).slice('SEND#tier-upgrade#'.length)} ${item.status}`);
}

/** The emails SES local received for a customer (address `<customerId>@example.com`). */
async function emailsOf(customerId: string) {
  return (await local.emails()).filter((email) => email.destination.to.includes(`${customerId}@example.com`));
}

async function deliver(...events: ReturnType<typeof purchaseEvent>[]) {
  local.putEvents(events);
  await local.drain();
}

describe('tier thresholds', () => {
  it('stays Bronze at 499.99 and reaches Silver with the purchase that makes exactly 500.00', async () => {
    await member('t-500');
    await deliver(
      purchaseEvent({
        customerId: 't-500',
        orderId: 't-500-a',
        amount: '499.99',
        purchasedAt: '2026-10-30T10:00:00Z',
      }),
    );
    expect(await loyaltyOf('t-500')).toMatchObject({
      tier: 'Bronze',
      points: 499,
      spendToNextTierMilli: 10,
      changeSeq: 0,
    });
    expect(changesOf('t-500')).toEqual([]);

    await deliver(
      purchaseEvent({
        customerId: 't-500',
        orderId: 't-500-b',
        amount: '0.01',
        purchasedAt: '2026-10-31T10:00:00Z',
      }),
    );
    expect(await loyaltyOf('t-500')).toMatchObject({
      tier: 'Silver',
      tierSince: '2026-10-31T10:00:00.000Z',
      tierHeldUntil: '2027-10-31T10:00:00.000Z',
      rollingSpendMilli: 500_000,
      points: 499,
      spendToNextTierMilli: 1_500_000,
    });
    expect(changesOf('t-500')).toEqual([
      expect.objectContaining({
        changeId: 't-500#1',
        from: 'Bronze',
        to: 'Silver',
        direction: 'up',
        reason: 'purchase',
        occurredAt: '2026-10-31T10:00:00.000Z',
      }),
    ]);
    expect(requestsOf('t-500')).toEqual([
      expect.objectContaining({
        campaignId: 'tier-upgrade',
        capClass: 'tier-upgrade',
        template: 'tier-upgrade',
        period: 'change#t-500#1#congratulate',
        variables: expect.objectContaining({
          tierName: 'Silver',
          pointsBalance: 499,
          nextTierName: 'Gold',
          spendToNextTierMilli: 1_500_000,
          currency: 'USD',
        }),
      }),
    ]);
    const emails = await emailsOf('t-500');
    expect(emails.map((email) => email.subject)).toEqual(["Alex, you're now Silver — here's what you get"]);
    expect(emails[0]?.body.text).toContain("Congratulations — you've moved up from Bronze to Silver!");
    expect(emails[0]?.body.text).toContain('Points balance: 499 points');
    expect(emails[0]?.body.text).toContain('Spend $1,500.00 more within 12 months to reach Gold.');
    expect(emails[0]?.body.html).toContain('Free standard shipping on every order');
  });

  it('goes straight from Bronze to Gold on one big order: one change, one email request for Gold, in the customer locale', async () => {
    await member('t-skip', 'zh-CN');
    await deliver(
      purchaseEvent({
        customerId: 't-skip',
        orderId: 't-skip-a',
        amount: '2500.00',
        purchasedAt: '2026-10-31T08:00:00Z',
      }),
    );
    expect(changesOf('t-skip')).toEqual([expect.objectContaining({ from: 'Bronze', to: 'Gold', seq: 1 })]);
    expect(requestsOf('t-skip')).toEqual([
      expect.objectContaining({
        campaignId: 'tier-upgrade',
        period: 'change#t-skip#1#congratulate',
        variables: expect.objectContaining({
          tierName: '黄金会员',
          previousTierName: '青铜会员',
          pointsBalance: 2500,
          nextTierName: '铂金会员',
        }),
      }),
    ]);
    const emails = await emailsOf('t-skip');
    expect(emails.map((email) => email.subject)).toEqual(['Alex，恭喜您升级为黄金会员！']);
    expect(emails[0]?.body.text).toContain('12 个月内再消费 US$2,500.00 即可升级为铂金会员。');
    expect(emails[0]?.body.html).toContain('优先参与促销活动');
  });

  it('escapes the customer name in the HTML part and sends nothing without marketing consent', async () => {
    await member('t-esc', 'en-US', { firstName: '<script>alert(1)</script> & Co' });
    await member('t-noconsent', 'en-US', { marketingConsent: false });
    const now = local.clock.now().toISOString();
    await deliver(
      purchaseEvent({ customerId: 't-esc', orderId: 't-esc-a', amount: '600.00', purchasedAt: now }),
      purchaseEvent({
        customerId: 't-noconsent',
        orderId: 't-noconsent-a',
        amount: '600.00',
        purchasedAt: now,
      }),
    );
    const [escaped] = await emailsOf('t-esc');
    expect(escaped?.body.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co,');
    expect(escaped?.body.html).not.toContain('<script>');
    // The upgrade is real and asked for, but the sender refuses it without consent.
    expect(requestsOf('t-noconsent')).toHaveLength(1);
    expect(await loyaltyOf('t-noconsent')).toMatchObject({ tier: 'Silver' });
    expect(await emailsOf('t-noconsent')).toEqual([]);
    expect(await tierUpgradeLedger('t-noconsent')).toEqual([
      `${requestsOf('t-noconsent')[0]?.period} skipped`,
    ]);
  });

  it('earns points at the tier held before each order and reverses them in proportion on refunds', async () => {
    await member('t-pts');
    await deliver(
      purchaseEvent({
        customerId: 't-pts',
        orderId: 't-pts-a',
        amount: '600.00',
        purchasedAt: '2026-10-01T00:00:00Z',
      }),
    );
    await deliver(
      purchaseEvent({
        customerId: 't-pts',
        orderId: 't-pts-b',
        amount: '100.00',
        purchasedAt: '2026-10-02T00:00:00Z',
      }),
    );
    expect(await loyaltyOf('t-pts')).toMatchObject({ tier: 'Silver', points: 600 + 125 });
    await deliver(
      refundEvent({
        customerId: 't-pts',
        orderId: 't-pts-b',
        amount: '40.00',
        refundedAt: '2026-10-03T00:00:00Z',
      }),
    );
    expect(await loyaltyOf('t-pts')).toMatchObject({
      points: 600 + 75,
      pointsReversed: 50,
      rollingSpendMilli: 660_000,
    });
  });
});

describe('refunds and the rolling window', () => {
  it('keeps Silver after a refund takes the spend under 500, then lowers it on the anniversary', async () => {
    await member('t-ref');
    await deliver(
      purchaseEvent({
        customerId: 't-ref',
        orderId: 't-ref-a',
        amount: '600.00',
        purchasedAt: '2026-10-31T00:00:00Z',
      }),
    );
    await deliver(
      refundEvent({
        customerId: 't-ref',
        orderId: 't-ref-a',
        amount: '200.00',
        refundedAt: '2026-10-31T12:00:00Z',
      }),
    );
    expect(await loyaltyOf('t-ref')).toMatchObject({
      tier: 'Silver',
      qualifiedTier: 'Bronze',
      rollingSpendMilli: 400_000,
      points: 400,
      tierHeldUntil: '2027-10-31T00:00:00.000Z',
    });
    expect(changesOf('t-ref')).toHaveLength(1);

    // The refund to 400.00 is still inside the window on the anniversary: Bronze from then on.
    // (The purchase is six hours after the anniversary; purchases from the future are refused.)
    local.clock.set(new Date('2027-10-31T06:00:00Z'));
    await deliver(
      purchaseEvent({
        customerId: 't-ref',
        orderId: 't-ref-b',
        amount: '20.00',
        purchasedAt: '2027-10-31T06:00:00Z',
      }),
    );
    expect(await loyaltyOf('t-ref')).toMatchObject({
      tier: 'Bronze',
      tierSince: '2027-10-31T00:00:00.000Z',
      tierHeldUntil: null,
    });
    expect(changesOf('t-ref').at(-1)).toMatchObject({
      from: 'Silver',
      to: 'Bronze',
      direction: 'down',
      reason: 'anniversary-review',
    });
    // A step down sends no email.
    expect(requestsOf('t-ref')).toHaveLength(1);
    expect((await emailsOf('t-ref')).map((email) => email.subject)).toEqual([
      "Alex, you're now Silver — here's what you get",
    ]);
  });

  it('lets spend fall out of the 365-day window as the clock advances, and re-evaluates Gold on its anniversary', async () => {
    const at = local.clock.now();
    const iso = (days: number) => new Date(at.getTime() + days * 86_400_000).toISOString();
    await member('t-win');
    await deliver(
      purchaseEvent({ customerId: 't-win', orderId: 't-win-a', amount: '1500.00', purchasedAt: iso(0) }),
    );
    local.clock.set(new Date(iso(100)));
    await deliver(
      purchaseEvent({ customerId: 't-win', orderId: 't-win-b', amount: '600.00', purchasedAt: iso(100) }),
    );
    expect(await loyaltyOf('t-win')).toMatchObject({ tier: 'Gold', rollingSpendMilli: 2_100_000 });

    // Day 366: the first order has aged out; Gold is held until day 100 + 1 year.
    local.clock.set(new Date(iso(366)));
    await deliver(
      purchaseEvent({ customerId: 't-win', orderId: 't-win-c', amount: '1.00', purchasedAt: iso(366) }),
    );
    expect(await loyaltyOf('t-win')).toMatchObject({
      tier: 'Gold',
      qualifiedTier: 'Silver',
      rollingSpendMilli: 601_000,
    });

    local.clock.set(new Date(iso(470)));
    await deliver(
      purchaseEvent({ customerId: 't-win', orderId: 't-win-d', amount: '1.00', purchasedAt: iso(470) }),
    );
    expect(await loyaltyOf('t-win')).toMatchObject({ tier: 'Bronze', rollingSpendMilli: 2_000 });
    expect(changesOf('t-win').map((change) => `${change.from}->${change.to} ${change.reason}`)).toEqual([
      'Bronze->Silver purchase',
      'Silver->Gold purchase',
      'Gold->Bronze anniversary-review',
    ]);
  });
});

describe('exactly one upgrade announcement and email request', () => {
  it('treats a purchase delivered twice like one delivery', async () => {
    await member('t-dup');
    const event = purchaseEvent({
      customerId: 't-dup',
      orderId: 't-dup-a',
      amount: '2100.00',
      purchasedAt: local.clock.now().toISOString(),
    });
    await deliver(event, event);
    await deliver(event);
    expect(changesOf('t-dup')).toHaveLength(1);
    expect(requestsOf('t-dup')).toHaveLength(1);
    expect(await emailsOf('t-dup')).toHaveLength(1);
    expect(await loyaltyOf('t-dup')).toMatchObject({ tier: 'Gold', points: 2100, changeSeq: 1 });
    expect(await tierUpgradeLedger('t-dup')).toEqual([`${requestsOf('t-dup')[0]?.period} sent`]);
  });

  it('announces once when several purchases cross the threshold concurrently', async () => {
    await member('t-conc');
    const now = local.clock.now().toISOString();
    await deliver(
      ...Array.from({ length: 6 }, (_, i) =>
        purchaseEvent({ customerId: 't-conc', orderId: `t-conc-${i}`, amount: '100.00', purchasedAt: now }),
      ),
    );
    expect(await loyaltyOf('t-conc')).toMatchObject({
      tier: 'Silver',
      rollingSpendMilli: 600_000,
      changeSeq: 1,
    });
    expect(changesOf('t-conc')).toHaveLength(1);
    expect(requestsOf('t-conc')).toHaveLength(1);
    expect(await emailsOf('t-conc')).toHaveLength(1);
  });

  it('still announces the upgrade when the handler crashed between storing it and publishing it', async () => {
    await member('t-crash');
    crashBeforePublish.add('t-crash');
    await deliver(
      purchaseEvent({
        customerId: 't-crash',
        orderId: 't-crash-a',
        amount: '700.00',
        purchasedAt: local.clock.now().toISOString(),
      }),
    );
    expect(crashBeforePublish.has('t-crash')).toBe(false);
    expect(changesOf('t-crash')).toEqual([expect.objectContaining({ changeId: 't-crash#1', to: 'Silver' })]);
    expect(requestsOf('t-crash')).toHaveLength(1);
    expect(await emailsOf('t-crash')).toHaveLength(1);
    const profile = await profileOf(local.doc, local.tableName, 't-crash');
    expect(profile?.tierAnnouncedSeq).toBe(1);
  });

  it('sends one email when the handler crashed after publishing, before confirming, and the retry published again', async () => {
    await member('t-crash2', 'zh-CN');
    crashAfterPublish.add('t-crash2');
    await deliver(
      purchaseEvent({
        customerId: 't-crash2',
        orderId: 't-crash2-a',
        amount: '800.00',
        purchasedAt: local.clock.now().toISOString(),
      }),
    );
    // At least once on the bus: the same change (same changeId) twice, then confirmed.
    expect(changesOf('t-crash2').map((change) => change.changeId)).toEqual(['t-crash2#1', 't-crash2#1']);
    expect((await profileOf(local.doc, local.tableName, 't-crash2'))?.tierAnnouncedSeq).toBe(1);
    expect((await emailsOf('t-crash2')).map((email) => email.subject)).toEqual([
      'Alex，恭喜您升级为白银会员！',
    ]);
  });

  it('sends one email when the journeys handler crashed after enqueueing and its retry asked again (same ledger period)', async () => {
    await member('t-retry');
    crashAfterEnqueue.add('t-retry');
    await deliver(
      purchaseEvent({
        customerId: 't-retry',
        orderId: 't-retry-a',
        amount: '5000.00',
        purchasedAt: local.clock.now().toISOString(),
      }),
    );
    const [first, second, ...rest] = requestsOf('t-retry');
    expect(rest).toEqual([]);
    expect(first?.period).toBe('change#t-retry#1#congratulate');
    expect({ ...second, requestedAt: undefined }).toEqual({ ...first, requestedAt: undefined });
    // The send ledger collapses the two requests into one email.
    expect((await emailsOf('t-retry')).map((email) => email.subject)).toEqual([
      "Alex, you're now Platinum — here's what you get",
    ]);
  });
});

describe('anniversary review by the due-timer', () => {
  it('lowers the tier on its anniversary with no further order, via the tier-review timer, and re-arms nothing for Bronze', async () => {
    await member('t-timer');
    const boughtAt = local.clock.now();
    await deliver(
      purchaseEvent({
        customerId: 't-timer',
        orderId: 't-timer-a',
        amount: '2100.00',
        purchasedAt: boughtAt.toISOString(),
      }),
    );
    const { tierHeldUntil } = await loyaltyOf('t-timer');
    const timer = (await customerItems(local.doc, local.tableName, 't-timer')).find(
      (item) => item.SK === 'TIMER#tier-review',
    );
    expect(timer).toMatchObject({
      dueAt: tierHeldUntil,
      data: { kind: 'tier-review', heldUntil: tierHeldUntil },
    });

    const anniversary = new Date(String(tierHeldUntil));
    local.clock.set(new Date(anniversary.getTime() - 10 * 60_000));
    await local.advanceTo(new Date(anniversary.getTime() + 10 * 60_000));
    expect(await loyaltyOf('t-timer')).toMatchObject({
      tier: 'Bronze',
      tierSince: tierHeldUntil,
      tierHeldUntil: null,
      rollingSpendMilli: 0,
    });
    expect(changesOf('t-timer').map((change) => `${change.from}->${change.to} ${change.reason}`)).toEqual([
      'Bronze->Gold purchase',
      'Gold->Bronze anniversary-review',
    ]);
    const after = (await customerItems(local.doc, local.tableName, 't-timer')).find(
      (item) => item.SK === 'TIMER#tier-review',
    );
    expect(after?.dueAt).toBeUndefined();
  });
});
