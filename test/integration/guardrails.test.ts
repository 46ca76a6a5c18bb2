import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '#functions/commons/runtime.ts';
import { ACCOUNT_SCOPE, journeyScope } from '#shared/domain/send-guardrails.ts';
import { journeyPausedDetail, journeyResumedDetail } from '#shared/events/emitted.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { parseSendReference, SEND_REFERENCE_HEADER } from '#shared/mail/send-headers.ts';
import { resumeSending } from '#shared/flows/send-guardrails.ts';
import { GuardrailStore } from '#shared/store/guardrails.ts';
import { keys } from '#shared/store/keys.ts';
import { loyalty } from './cli-support.ts';
import { enqueue, ledgerEntry, newsRequest, startDelivery, upsertCustomers } from './sender-fixtures.ts';

interface Emitted {
  DetailType?: string;
  Detail?: string;
}

/** The shipped program with test-sized guardrails (a minimum sample of 20 sends). */
function programFile(guardrails: string): string {
  const shipped = readFileSync(new URL('../../campaigns/program.yaml', import.meta.url), 'utf8');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'program-')), 'program.yaml');
  writeFileSync(file, `${shipped}\n${guardrails}\n`);
  return file;
}

const customers = Array.from({ length: 120 }, (_, i) => ({
  customerId: `c-${String(i).padStart(2, '0')}`,
  email: `c${i}@example.com`,
}));
const ids = (from: number, to: number) => customers.slice(from, to).map((c) => c.customerId);
/** A window's sends and hard bounces, all hours together. */
const total = (slots: { sends: number; hardBounces: number }[]) =>
  slots.reduce((sum, s) => ({ sends: sum.sends + s.sends, hardBounces: sum.hardBounces + s.hardBounces }), {
    sends: 0,
    hardBounces: 0,
  });

async function startGuarded(guardrails: string, failFirstPause = false) {
  const emitted: Emitted[] = [];
  let failPause = failFirstPause;
  const crashes: string[] = [];
  const record = (name: string, runtime: Runtime): Runtime => {
    if (name === 'ses-feedback') {
      runtime.eventBridge.middlewareStack.add(
        (next) => async (args) => {
          const entries = (args.input as { Entries?: Emitted[] }).Entries ?? [];
          if (failPause && entries.some((e) => e.DetailType === 'Journey Paused')) {
            failPause = false; // crash once, after the pause was recorded and before it was announced
            crashes.push('Journey Paused');
            throw new Error('injected: PutEvents failed');
          }
          return next(args);
        },
        { step: 'initialize', name: 'crashOnce' },
      );
    }
    return runtime;
  };
  const d = await startDelivery({
    now: '2026-01-05T10:00:00Z',
    wrap: record,
    env: { PROGRAM_FILE: programFile(guardrails) },
  });
  // Everything published on the local bus, by any function or the CLI.
  const putSdkEvents = d.local.putSdkEvents.bind(d.local);
  d.local.putSdkEvents = (entries) => {
    emitted.push(...entries);
    return putSdkEvents(entries);
  };
  await upsertCustomers(d.local, customers);
  const store = new GuardrailStore(d.local.doc, d.local.tableName);
  const publisher = new EventBridgePublisher(d.local.runtimeFor('ses-feedback').eventBridge, d.local.busName);
  const events = (type: string) => emitted.filter((e) => e.DetailType === type).map((e) => JSON.parse(e.Detail ?? '{}'));
  const sentTo = async (campaign: string) =>
    (await d.local.emails()).filter((email) =>
      (email.headers as { name: string; value: string }[] | undefined)?.some(
        (h) => h.name === SEND_REFERENCE_HEADER && parseSendReference(h.value)?.ref.campaignId === campaign,
      ),
    ).length;
  const advance = (ms: number) => d.local.advanceTo(new Date(d.local.clock.now().getTime() + ms));
  return { d, store, publisher, events, sentTo, advance, crashes };
}

describe('per-journey circuit breaker', () => {
  let g: Awaited<ReturnType<typeof startGuarded>>;
  beforeAll(async () => {
    g = await startGuarded(
      'guardrails:\n  journey: { minSends: 20 }\n  account: { hardBouncePercent: 50, minSends: 20 }',
      true,
    );
  });
  afterAll(() => g?.d.stop());

  it('pauses a journey within a minute of its hard bounces crossing 4%, and announces it once with the figures', async () => {
    const { d } = g;
    // 30 clean sends, then 10% of the next 20 bounce: 2 of 50 is 4% (not above), 3 of 60 is 5%.
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 0, complaintPercent: 0 });
    await enqueue(d.local, ids(0, 30).map((id) => newsRequest(id)));
    await g.advance(60_000);
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 10, complaintPercent: 0 });
    await enqueue(d.local, ids(30, 50).map((id) => newsRequest(id)));
    await g.advance(60_000);
    expect((await g.store.state(journeyScope('news'))).status).toBe('sending');
    expect(await g.sentTo('news')).toBe(50);

    const crossedAt = d.local.clock.now();
    await enqueue(d.local, ids(50, 60).map((id) => newsRequest(id)));
    await g.advance(60_000);
    const state = await g.store.state(journeyScope('news'));
    expect(state).toMatchObject({ status: 'paused', reasons: ['hard-bounce-rate'] });
    expect(Date.parse(state.pausedAt!) - crossedAt.getTime()).toBeLessThanOrEqual(60_000);
    // The first Journey Paused publish failed (injected crash after the pause was recorded): SQS
    // redelivers the bounce, and the redelivery announces the recorded pause.
    expect(g.crashes).toEqual(['Journey Paused']);
    await g.advance(5 * 60_000);
    expect(await g.store.state(journeyScope('news'))).toMatchObject({ status: 'paused', announced: true });
    const paused = g.events('Journey Paused');
    expect(paused).toHaveLength(1);
    expect(journeyPausedDetail.parse(paused[0])).toMatchObject({
      scope: 'journey',
      journeyId: 'news',
      pauseId: 'news#pause#1',
      figures: { hardBounces: 3 },
      limits: { hardBounceRate: 0.04, complaintRate: 0.0008 },
    });
    expect(paused[0].figures.hardBounceRate).toBeGreaterThan(0.04);
  });

  it('counts each SES event once however often it is delivered', async () => {
    // The bounce whose announcement failed was delivered twice: still counted once.
    expect(total((await g.store.read(journeyScope('news'))).slots)).toEqual({ sends: 60, hardBounces: 3 });
  });

  it("writes no account hour slot: the account's window is the journeys' slots added up", async () => {
    const { Items = [] } = await g.d.local.doc.send(
      new QueryCommand({
        TableName: g.d.local.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.guardrailPk(ACCOUNT_SCOPE) },
      }),
    );
    expect(Items.filter((item) => String(item.SK).startsWith('HOUR#'))).toEqual([]);
    expect(total((await g.store.read(ACCOUNT_SCOPE)).slots)).toEqual({ sends: 60, hardBounces: 3 });
  });

  it('stops new sends of the paused journey and defers them (not dropped); other journeys keep sending', async () => {
    const { d } = g;
    await g.advance(31_000); // past the sender's 30 s view of the guardrail state
    await enqueue(d.local, [
      ...ids(60, 70).map((id) => newsRequest(id)),
      ...ids(60, 70).map((id) => newsRequest(id, { campaignId: 'promo' })),
    ]);
    await g.advance(60_000);
    expect(await g.sentTo('news')).toBe(60);
    expect(await g.sentTo('promo')).toBe(10);
    expect(await ledgerEntry(d.local, 'c-65', 'news', '2026-W01')).toBeUndefined();
    // Still held an hour later: deferred again each time it comes back, never sent, never dropped.
    await g.advance(60 * 60_000);
    expect(await g.sentTo('news')).toBe(60);
    expect(d.local.deadLetters()).toEqual([]);
  });

  it('`campaigns guardrail` shows the paused journey with its window now, and the account its journeys added up', async () => {
    const news = await loyalty(g.d.local, ['--json', 'campaigns', 'guardrail', 'news']);
    expect(news.code).toBe(0);
    expect(news.json()).toMatchObject({ status: 'paused', window: { sends: 60, hardBounces: 3, hardBounceRate: 0.05 } });
    const promo = total((await g.store.read(journeyScope('promo'))).slots);
    expect(promo.sends).toBe(10);
    const account = await loyalty(g.d.local, ['--json', 'campaigns', 'guardrail', '--account']);
    expect(account.json()).toMatchObject({
      status: 'sending',
      window: { sends: 60 + promo.sends, hardBounces: 3 + promo.hardBounces },
    });
    const text = await loyalty(g.d.local, ['campaigns', 'guardrail', 'news']);
    expect(text.stdout).toMatch(
      /^journey news: paused since \S+ — .+\n {2}window since \d{4}-\d\d-\d\d \d\d:00 UTC: 60 sent, 3 hard bounces \(5%\), 0 complaints \(0%\); (pauses above|not judged below) /,
    );
  });

  it('resumes with an operator note: the held sends go out, the old spike does not trip it again', async () => {
    const { d } = g;
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 0, complaintPercent: 0 });
    const resume = (...args: string[]) => loyalty(d.local, ['--json', 'campaigns', 'resume', ...args]);
    expect((await resume('news')).code).toBe(2); // a note is required
    const first = await resume('news', '--note', 'bad list import removed');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ resumed: true, pauseId: 'news#pause#1', why: expect.stringContaining('hard bounces 5%') });
    expect((await resume('news', '--note', 'again')).code).toBe(3); // nothing to resume
    expect(await g.store.state(journeyScope('news'))).toMatchObject({ status: 'sending', note: 'bad list import removed' });
    await d.local.drain();
    const resumed = g.events('Journey Resumed').map((e) => journeyResumedDetail.parse(e));
    expect(resumed).toEqual([
      expect.objectContaining({ journeyId: 'news', pauseId: 'news#pause#1', note: 'bad list import removed' }),
    ]);

    // After the resume 2 of 50 sends bounce (4%, not above): judged on what came after the resume,
    // the journey keeps sending; with the old spike (3 of 60) still counted it would pause again.
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 4, complaintPercent: 0 });
    await g.advance(16 * 60_000); // the deferred sends come back and go out
    expect(await g.sentTo('news')).toBe(70);
    await enqueue(d.local, ids(70, 110).map((id) => newsRequest(id)));
    await g.advance(60_000);
    const { slots } = await g.store.read(journeyScope('news'));
    expect(slots.reduce((sum, slot) => sum + slot.hardBounces, 0)).toBe(5);
    expect((await g.store.state(journeyScope('news'))).status).toBe('sending');
    expect(await g.sentTo('news')).toBe(110);
  });
});

describe('account brake', () => {
  let g: Awaited<ReturnType<typeof startGuarded>>;
  beforeAll(async () => {
    g = await startGuarded(
      'guardrails:\n  journey: { hardBouncePercent: 50, minSends: 20 }\n  account: { minSends: 20, continueCapClasses: [tier-upgrade] }',
    );
  });
  afterAll(() => g?.d.stop());

  it('pauses all marketing near the SES review lines; configured service mail continues; resume lifts it', async () => {
    const { d } = g;
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 10, complaintPercent: 0 });
    await enqueue(d.local, ids(0, 40).map((id) => newsRequest(id)));
    await g.advance(60_000);
    expect(await g.store.state(ACCOUNT_SCOPE)).toMatchObject({ status: 'paused', continueCapClasses: ['tier-upgrade'] });
    expect((await g.store.state(journeyScope('news'))).status).toBe('sending');
    expect(g.events('Journey Paused')).toEqual([expect.objectContaining({ scope: 'account', pauseId: 'account#pause#1' })]);

    await g.advance(31_000);
    await enqueue(d.local, [
      ...ids(40, 45).map((id) => newsRequest(id, { campaignId: 'promo' })),
      ...ids(45, 50).map((id) => newsRequest(id, { campaignId: 'welcome-tier', capClass: 'tier-upgrade' })),
    ]);
    await g.advance(60_000);
    expect(await g.sentTo('promo')).toBe(0);
    expect(await g.sentTo('welcome-tier')).toBe(5);

    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 0, complaintPercent: 0 });
    await resumeSending(g.store, g.publisher, ACCOUNT_SCOPE, { note: 'list cleaned', by: 'ops', at: d.local.clock.now() });
    await g.advance(16 * 60_000);
    expect(await g.sentTo('promo')).toBe(5);
  });
});

describe('account brake over several journeys', () => {
  let g: Awaited<ReturnType<typeof startGuarded>>;
  beforeAll(async () => {
    g = await startGuarded(
      'guardrails:\n  journey: { hardBouncePercent: 50, minSends: 20 }\n  account: { minSends: 30 }',
      true,
    );
  });
  afterAll(() => g?.d.stop());

  it("trips on two journeys' bounces together when each alone is under the account's minimum sample", async () => {
    const { d } = g;
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 10, complaintPercent: 0 });
    d.local.sesEvents.injectFeedback('promo', { hardBouncePercent: 10, complaintPercent: 0 });
    // 20 news emails, 2 bounce (10%): over the account's 4.5%, but 20 sends are below its minimum of 30.
    await enqueue(d.local, ids(0, 20).map((id) => newsRequest(id)));
    await g.advance(60_000);
    expect(total((await g.store.read(journeyScope('news'))).slots)).toEqual({ sends: 20, hardBounces: 2 });
    expect((await g.store.state(ACCOUNT_SCOPE)).status).toBe('sending');

    // Promo's first bounce comes after its 10th send: 30 sends across the two journeys.
    await enqueue(d.local, ids(20, 40).map((id) => newsRequest(id, { campaignId: 'promo' })));
    await g.advance(60_000);
    const state = await g.store.state(ACCOUNT_SCOPE);
    expect(state).toMatchObject({ status: 'paused', reasons: ['hard-bounce-rate'] });
    expect(state.figures!.sends).toBeGreaterThanOrEqual(30);
    expect(state.figures!.sends).toBeGreaterThan(total((await g.store.read(journeyScope('promo'))).slots).sends);
    expect((await g.store.state(journeyScope('news'))).status).toBe('sending');
    expect((await g.store.state(journeyScope('promo'))).status).toBe('sending');

    // The first announcement failed after the pause was recorded; the redelivered bounce announces
    // it once, and pauses nothing twice.
    expect(g.crashes).toEqual(['Journey Paused']);
    await g.advance(5 * 60_000);
    expect(await g.store.state(ACCOUNT_SCOPE)).toMatchObject({ status: 'paused', announced: true, pauseSeq: 1 });
    expect(g.events('Journey Paused')).toEqual([
      expect.objectContaining({ scope: 'account', pauseId: 'account#pause#1', reasons: ['hard-bounce-rate'] }),
    ]);
  });

  it('counts each email once in the sum however often its bounce is delivered', async () => {
    const news = total((await g.store.read(journeyScope('news'))).slots);
    const promo = total((await g.store.read(journeyScope('promo'))).slots);
    expect(news).toEqual({ sends: 20, hardBounces: 2 });
    expect(total((await g.store.read(ACCOUNT_SCOPE)).slots)).toEqual({
      sends: news.sends + promo.sends,
      hardBounces: news.hardBounces + promo.hardBounces,
    });
  });

  it('resumes from the summed hour: the spike that tripped it does not trip it again', async () => {
    const { d } = g;
    d.local.sesEvents.injectFeedback('promo', { hardBouncePercent: 0, complaintPercent: 0 });
    d.local.sesEvents.injectFeedback('news', { hardBouncePercent: 3, complaintPercent: 0 });
    const resumed = await loyalty(d.local, ['--json', 'campaigns', 'resume', '--account', '--note', 'list cleaned']);
    expect(resumed.code).toBe(0);
    expect(resumed.json()).toMatchObject({ resumed: true, pauseId: 'account#pause#1' });
    await g.advance(31_000); // past the sender's 30 s view of the account's state
    // 40 news emails, 1 bounce (2.5%): within the limit on what came after the resume; with the
    // old spike still counted (4 bounces more) it would be over 4.5% and pause again.
    await enqueue(d.local, ids(40, 80).map((id) => newsRequest(id)));
    await g.advance(60_000);
    expect(total((await g.store.read(journeyScope('news'))).slots)).toEqual({ sends: 60, hardBounces: 3 });
    expect(await g.store.state(ACCOUNT_SCOPE)).toMatchObject({ status: 'sending', note: 'list cleaned' });
    const figures = total((await g.store.read(ACCOUNT_SCOPE)).slots);
    expect(figures.hardBounces / figures.sends).toBeGreaterThan(0.045);
  });
});
