// `on: churn-risk` end to end: with a fitted model, each purchase refreshes the customer's
// predictions, the journeys function arms ONE timer for the day P(alive) will fall below the
// threshold (closed form, no polling), the scheduler fires it that day at send.hour local time,
// and a purchase before then moves it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import { pAlive, pAliveCrossingAge } from '#shared/domain/bgnbd.ts';
import type { CustomerPrediction } from '#shared/domain/customer-predictions.ts';
import { simulatePurchases } from '../support/bgnbd-simulation.ts';
import { customerEvent, purchaseEvent } from '../support/fixtures.ts';
import { customerItems, profileOf } from '../support/table.ts';
import { subjectsTo, textsTo } from '../support/timer-campaigns.ts';
import { publishJourneyFile, writeTemplate } from '../support/journey-files.ts';

const JOURNEY = `id: churn-save
name: Win back when P(alive) drops
trigger: { on: churn-risk, churnRisk: { pAliveBelow: 0.5 } }
exitOn: [Purchase Completed]
send: { hour: 10, defaultTimeZone: America/New_York }
steps:
  - id: save
    send: { template: churn-save }
`;

const DAY = 86_400_000;
const WINDOW_START = Date.parse('2026-01-01T10:00:00Z');
let local: LocalRuntime;

beforeAll(async () => {
  local = await startLocal({ now: '2026-06-30T12:00:00Z', ports: 'random' });
  // A base to fit on (as in predictions.test.ts), then the fit.
  const base = simulatePurchases(
    200,
    { bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.4 }, gammaGamma: { p: 6, q: 3.7, gamma: 15 } },
    { seed: 42, windowDays: 180, spreadDays: 60 },
  );
  local.putEvents(
    base.flatMap((c, i) =>
      [{ t: 0, value: c.firstValue }, ...c.repeats].map((p, k) =>
        purchaseEvent({
          customerId: `base-${i}`,
          orderId: `base-${i}-${k}`,
          amount: p.value.toFixed(2),
          purchasedAt: new Date(WINDOW_START + (c.start + p.t) * DAY).toISOString(),
        }),
      ),
    ),
  );
  await local.drain();
  await local.runScheduled('segment-thresholds');
  const dir = await mkdtemp(path.join(tmpdir(), 'churn-journey-'));
  await writeFile(path.join(dir, 'churn-save.yaml'), JOURNEY);
  await writeTemplate(dir, 'churn-save', {
    subject: 'We miss you, {{ customer.firstName }}',
    text: 'Risk {{ customer.predictions.churnRisk }}, P(alive) {{ customer.predictions.pAlive | round: 2 }}',
  });
  await publishJourneyFile(local, path.join(dir, 'churn-save.yaml'));
  // The running functions read the journey list through a 30-second cache, and ingest-orders the
  // fit (PREDICTION_MODEL_TTL_MS) through a 15-minute one.
  await local.advanceTo('2026-06-30T12:16:00Z');
}, 120_000);
afterAll(() => local?.stop());

/** Only this journey's emails (the shipped fixed-day win-back series runs beside it). */
const saves = async (address: string) => (await subjectsTo(local, address)).filter((subject) => subject.startsWith('We miss you,'));

const predictionsOf = async (id: string) => (await profileOf(local.doc, local.tableName, id))?.predictions as CustomerPrediction;

/** 10:00 New York on the first day P(alive) is below 0.5, from the stored predictions. */
function crossingDueAt(predictions: CustomerPrediction): Date {
  const age = pAliveCrossingAge(predictions.model.bgnbd, predictions.summary, 0.5) ?? Number.NaN;
  const day = new Date(Date.parse(`${predictions.summary.firstPurchaseDay}T00:00:00Z`) + (Math.floor(age) + 1) * DAY);
  // New York is UTC-4 in summer and UTC-5 in winter.
  const offsetHours = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' })
    .format(day)
    .endsWith('EDT')
    ? 4
    : 5;
  return new Date(day.getTime() + (10 + offsetHours) * 3_600_000);
}

describe('churn-risk trigger', () => {
  it('fires once, at send.hour on the day P(alive) falls below the threshold', async () => {
    local.putEvents([customerEvent({ customerId: 'lapser', email: 'lapser@example.com', firstName: 'Lee', locale: 'en-US', timeZone: 'America/New_York', birthday: undefined })]);
    await local.drain();
    // A weekly buyer: silence outlasts their rhythm within weeks, before the fixed 60-day win-back.
    for (const [i, day] of ['2026-06-08', '2026-06-15', '2026-06-22', '2026-06-29'].entries()) {
      local.putEvents([purchaseEvent({ customerId: 'lapser', orderId: `lapser-${i}`, amount: '30.00', purchasedAt: `${day}T15:00:00Z` })]);
      await local.drain();
    }
    const predictions = await predictionsOf('lapser');
    expect(predictions.summary).toMatchObject({ x: 3, tx: 21 });
    expect(crossingDueAt(predictions).getTime()).toBeLessThan(Date.parse('2026-08-28T00:00:00Z'));
    const dueAt = crossingDueAt(predictions);
    const dayBefore = new Date(dueAt.getTime() - DAY);
    // The day before, P(alive) is still at or above 0.5; on the day it is below.
    const T = (at: Date) => Math.floor(at.getTime() / DAY) - Date.parse(`${predictions.summary.firstPurchaseDay}T00:00:00Z`) / DAY;
    expect(pAlive(predictions.model.bgnbd, { ...predictions.summary, T: T(dayBefore) })).toBeGreaterThanOrEqual(0.5);
    expect(pAlive(predictions.model.bgnbd, { ...predictions.summary, T: T(dueAt) })).toBeLessThan(0.5);

    // ONE timer, armed for that instant by the purchase.
    const trigger = (await customerItems(local.doc, local.tableName, 'lapser')).find((item) => item.SK === 'JOURNEY#TRIGGERS');
    expect(trigger?.data).toMatchObject({ journeys: { 'churn-save': { dueAt: dueAt.toISOString() } } });
    await local.advanceTo(new Date(dueAt.getTime() - 60_000));
    expect(await saves('lapser@example.com')).toEqual([]);
    // Weekly refits on the way may have moved the day: the timer is re-armed for a later one when
    // it fires (an earlier one is honoured at the armed time — refits do not re-arm timers).
    const current = crossingDueAt(await predictionsOf('lapser'));
    const due = new Date(Math.max(dueAt.getTime(), current.getTime()));
    await local.advanceTo(new Date(due.getTime() + 30 * 60_000));
    expect(await saves('lapser@example.com')).toEqual(['We miss you, Lee']);
    expect((await textsTo(local, 'lapser@example.com')).find((text) => text.startsWith('Risk'))).toMatch(/Risk (high|medium), P\(alive\) 0\.\d\d/);
    await local.advanceTo(new Date(due.getTime() + 7 * DAY));
    expect(await saves('lapser@example.com')).toHaveLength(1);
  }, 300_000);

  it('moves the timer when the customer buys before the crossing', async () => {
    local.putEvents([customerEvent({ customerId: 'returner', email: 'returner@example.com', firstName: 'Ria', locale: 'en-US', timeZone: 'America/New_York', birthday: undefined })]);
    await local.drain();
    const now = local.clock.now().getTime();
    local.putEvents([purchaseEvent({ customerId: 'returner', orderId: 'returner-1', amount: '30.00', purchasedAt: new Date(now - 20 * DAY).toISOString() })]);
    local.putEvents([purchaseEvent({ customerId: 'returner', orderId: 'returner-2', amount: '30.00', purchasedAt: new Date(now).toISOString() })]);
    await local.drain();
    const first = crossingDueAt(await predictionsOf('returner'));
    await local.advanceTo(new Date(first.getTime() - DAY));
    local.putEvents([purchaseEvent({ customerId: 'returner', orderId: 'returner-3', amount: '30.00', purchasedAt: local.clock.now().toISOString() })]);
    await local.drain();
    const moved = crossingDueAt(await predictionsOf('returner'));
    expect(moved.getTime()).toBeGreaterThan(first.getTime());
    await local.advanceTo(new Date(first.getTime() + 2 * 3_600_000));
    expect(await saves('returner@example.com')).toEqual([]);
    await local.advanceTo(new Date(moved.getTime() + 2 * 3_600_000));
    expect(await saves('returner@example.com')).toEqual(['We miss you, Ria']);
  }, 300_000);
});
