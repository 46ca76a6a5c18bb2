import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '#functions/commons/runtime.ts';
import { LOCAL_CONFIGURATION_SET } from '#infra/local/ses-simulator.ts';
import { sentMailFromSesLocal, sesEvent } from '#shared/mail/ses-events.ts';
import { GuardrailStore } from '#shared/store/guardrails.ts';
import {
  type DeliveryLocal,
  emailsTo,
  enqueue,
  journeyDaysOf,
  ledgerEntry,
  newsRequest,
  publishSesSendEvents,
  sendOutcome,
  startDelivery,
  stepCounters,
  upsertCustomers,
} from './sender-fixtures.ts';

const NOW = '2026-01-05T10:00:00Z';
const customers = Array.from({ length: 30 }, (_, i) => ({
  customerId: `c-${String(i).padStart(2, '0')}`,
  email: `c${i}@example.com`,
}));

/** Deterministic "random" so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Makes the sender's SES call fail once for the given addresses, after or before SES took it. */
function crashOnce(addresses: string[], when: 'after-accept' | 'before-send') {
  const pending = new Set(addresses);
  return (runtime: Runtime): Runtime => {
    const ses: SESv2Client | undefined = runtime.ses;
    if (!ses) throw new Error('the local runtime gives every function an SES client');
    ses.middlewareStack.add(
      (next) => async (args) => {
        const to =
          (args.input as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses?.[0] ?? '';
        if (!pending.has(to)) return next(args);
        if (when === 'before-send') {
          pending.delete(to);
          throw new Error('sender lost its connection before SES saw the request');
        }
        await next(args); // a throttled or failed call does not use up the crash
        pending.delete(to);
        throw new Error('sender crashed after SES accepted the email');
      },
      { step: 'initialize', name: 'crashOnce' },
    );
    return runtime;
  };
}

async function expectExactlyOneEach(d: DeliveryLocal, list: { customerId: string; email: string }[]) {
  for (const customer of list) {
    expect(await emailsTo(d.local, customer.email), customer.email).toHaveLength(1);
    expect(await ledgerEntry(d.local, customer.customerId, 'news', '2026-W01')).toMatchObject({
      status: 'sent',
    });
    // The customer's journey story ends on the email, whichever attempt sent it.
    expect(await sendOutcome(d.local, newsRequest(customer.customerId))).toMatchObject({ outcome: 'sent' });
  }
}

describe('sender under faults', () => {
  let d: DeliveryLocal | undefined;
  afterEach(async () => {
    await d?.stop();
    d = undefined;
  });

  it('sends every request exactly once despite throttling, 5xx, duplicate deliveries and crashes after SES accepted', async () => {
    const crashed = ['c3@example.com', 'c17@example.com', 'c29@example.com'];
    d = await startDelivery({
      now: NOW,
      faults: { throttleRate: 0.2, serverErrorRate: 0.1 },
      random: seeded(42),
      wrapSender: crashOnce(crashed, 'after-accept'),
    });
    await upsertCustomers(d.local, customers);
    // Every request is delivered twice, as SQS may.
    const requests = customers.map((c) => newsRequest(c.customerId));
    await enqueue(d.local, [...requests, ...requests]);
    await d.local.drain();

    expect(d.proxy.stats.throttled).toBeGreaterThan(0);
    expect(d.proxy.stats.serverErrors).toBeGreaterThan(0);
    // The crashed sends are in SES but the sender never recorded them: still pending.
    expect(await ledgerEntry(d.local, 'c-03', 'news', '2026-W01')).toMatchObject({ status: 'pending' });

    // SES's "Email Sent" events confirm them; the deferred retries then find them sent.
    await publishSesSendEvents(d.local);
    await d.local.advanceTo('2026-01-05T10:30:00Z');
    await expectExactlyOneEach(d, customers);
    expect(await d.local.emails()).toHaveLength(customers.length);
    expect(d.local.deadLetters()).toEqual([]);

    // Every email counted once as sent in the guardrails, by the sender or (the three crashed) by
    // its SES "Send" event, even with every Send event delivered a second time.
    const mails = (await d.local.emails()).map((email) =>
      sentMailFromSesLocal(email, LOCAL_CONFIGURATION_SET),
    );
    await d.local.putEvents(
      mails.map((mail) => ({ ...sesEvent('send', mail, d!.local.clock.now()), busName: 'default' })),
    );
    await d.local.drain();
    const { slots } = await new GuardrailStore(d.local.doc, d.local.tableName).read({
      kind: 'journey',
      journeyId: 'news',
    });
    expect(slots.reduce((sum, slot) => sum + slot.sends, 0)).toBe(customers.length);
    // And once on the send step's results, the one send counter: the crashed three by their SES
    // "Send" events, which completed their claims (their retries found them sent and counted nothing).
    expect(await stepCounters(d.local, 'news', NOW.slice(0, 10))).toMatchObject({ sent: customers.length });
  });

  it('counts an email crashed after SES accepted it once, on the day it was sent: by its Send event, not by the retry after midnight', async () => {
    d = await startDelivery({ now: '2026-01-05T23:58:00Z', wrapSender: crashOnce(['c0@example.com'], 'after-accept') });
    // 18:58 in New York: no quiet hours keep the email back.
    await upsertCustomers(d.local, [{ ...customers[0]!, timeZone: 'America/New_York' }]);
    await enqueue(d.local, [newsRequest('c-00')]);
    await d.local.drain();
    // SES's Send event completes the claim at 23:58 and counts the email: were the request
    // dead-lettered now and never retried, it would still be counted.
    await publishSesSendEvents(d.local);
    expect(await stepCounters(d.local, 'news', '2026-01-05')).toMatchObject({ sent: 1 });
    // The retry waits out the lease, past midnight, finds the email sent and counts nothing.
    await d.local.advanceTo('2026-01-06T00:20:00Z');
    await expectExactlyOneEach(d, customers.slice(0, 1));
    expect(await journeyDaysOf(d.local, 'news')).toEqual([
      { day: '2026-01-05', counts: expect.objectContaining({ sent: 1, delivered: 1 }) },
    ]);
  });

  it('takes over a claim left pending by a crash before SES saw the email once its lease ends, and sends once', async () => {
    d = await startDelivery({ now: NOW, wrapSender: crashOnce(['c0@example.com'], 'before-send') });
    await upsertCustomers(d.local, customers.slice(0, 2));
    await enqueue(d.local, [newsRequest('c-00'), newsRequest('c-01')]);
    await d.local.drain();
    expect(await emailsTo(d.local, 'c0@example.com')).toHaveLength(0);
    await publishSesSendEvents(d.local);
    await d.local.advanceTo('2026-01-05T10:30:00Z');
    await expectExactlyOneEach(d, customers.slice(0, 2));
  });

  it('moves requests to the DLQ after the retry budget during an SES outage, and a redrive sends each once', async () => {
    d = await startDelivery({ now: NOW, env: { SES_MAX_ATTEMPTS: '2' }, faults: { outage: true } });
    const three = customers.slice(0, 3);
    await upsertCustomers(d.local, three);
    await enqueue(
      d.local,
      three.map((c) => newsRequest(c.customerId)),
    );
    await d.local.drain();
    expect(await d.local.emails()).toHaveLength(0);
    const letters = d.local.deadLetters().filter((letter) => letter.queue === 'send-requests-dlq');
    expect(letters).toHaveLength(3);
    // Nothing is left claimed: SES refused every call, so the claims were given back.
    expect(await ledgerEntry(d.local, 'c-00', 'news', '2026-W01')).toBeUndefined();

    d.proxy.faults.outage = false;
    const response = await fetch(`${d.local.endpoints.aws}/_local/dead-letters/redrive`, { method: 'POST' });
    expect(await response.json()).toEqual({ redriven: 3 });
    await d.local.drain();
    await expectExactlyOneEach(d, three);
    expect(d.local.deadLetters()).toEqual([]);
  }, 60_000);

  it('dead-letters at once, with the reason, an email SES rejects outright, and sends the others', async () => {
    d = await startDelivery({ now: NOW, faults: { rejectAddresses: ['c1@example.com'] } });
    const two = customers.slice(0, 2);
    await upsertCustomers(d.local, two);
    await enqueue(
      d.local,
      two.map((c) => newsRequest(c.customerId)),
    );
    await d.local.drain();
    expect(await emailsTo(d.local, 'c0@example.com')).toHaveLength(1);
    const letters = d.local.deadLetters().filter((letter) => letter.queue === 'send-requests-dlq');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.rejectedBy).toBe('sender');
    expect(JSON.stringify(letters[0]?.rejections)).toContain('was rejected by SES');
    expect(await ledgerEntry(d.local, 'c-01', 'news', '2026-W01')).toBeUndefined();
  });
});
