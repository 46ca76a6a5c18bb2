// Per-customer predictions end to end: the weekly run fits the models from a seeded base, then
// each purchase refreshes that customer's predictions from the stored fit, in its aggregates write —
// idempotently under redelivery and across a crash between the purchase record and that write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/runtime.ts';
import type { CustomerPrediction } from '#shared/domain/customer-predictions.ts';
import type { PredictionSection } from '#shared/flows/prediction-report.ts';
import { expectedRepeatPurchases, PREDICTION_MODEL_TTL_MS } from '#shared/flows/predictions.ts';
import { PredictionStore } from '#shared/store/predictions.ts';
import { SegmentStore } from '#shared/store/segments.ts';
import { simulatePurchases } from '../support/bgnbd-simulation.ts';
import { purchaseEvent } from '../support/fixtures.ts';
import { loyalty } from './cli-support.ts';
import { profileOf } from '../support/table.ts';

const FIT_AT = '2026-06-30T12:00:00Z';
let local: LocalRuntime;
let predictionCrashes = 0;

// 200 buyers drawn from a CDNOW-like world (per day), first purchases in January and February.
const base = simulatePurchases(
  200,
  { bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.4 }, gammaGamma: { p: 6, q: 3.7, gamma: 15 } },
  { seed: 42, windowDays: 180, spreadDays: 60 },
);
const DAY = 86_400_000;
const WINDOW_START = Date.parse('2026-01-01T10:00:00Z');

function seedEvents() {
  return base.flatMap((customer, i) =>
    [{ t: 0, value: customer.firstValue }, ...customer.repeats].map((purchase, k) =>
      purchaseEvent({
        customerId: `base-${i}`,
        orderId: `base-${i}-${k}`,
        amount: purchase.value.toFixed(2),
        purchasedAt: new Date(WINDOW_START + (customer.start + purchase.t) * DAY).toISOString(),
      }),
    ),
  );
}

/** Repeat purchase days of a simulated customer, as the model counts them (distinct UTC days). */
const repeatDays = (i: number) => {
  const customer = base[i];
  if (!customer) throw new Error(`no simulated customer ${i}`);
  const days = new Set([0, ...customer.repeats.map((r) => r.t)].map((t) => Math.floor((WINDOW_START + (customer.start + t) * DAY) / DAY)));
  return days.size - 1;
};
const repeatBuyer = base.findIndex((customer) => customer.repeats.length >= 2);

beforeAll(async () => {
  local = await startLocal({
    now: FIT_AT,
    ports: 'random',
    wrapRuntime: (name, runtime) => {
      if (name !== 'ingest-orders') return runtime;
      // For "crash-*" customers the first write of predictions (the purchase's aggregates write)
      // fails, like a Lambda dying right after the purchase record was stored.
      const send = runtime.doc.send.bind(runtime.doc);
      const doc = new Proxy(runtime.doc, {
        get: (target, key) =>
          key === 'send'
            ? (command: { input: { Key?: { PK?: string }; ExpressionAttributeNames?: Record<string, string> } }) => {
                const input = command.input;
                if (input.ExpressionAttributeNames?.['#pr'] === 'predictions' && input.Key?.PK?.startsWith('CUSTOMER#crash-') && predictionCrashes === 0) {
                  predictionCrashes++;
                  return Promise.reject(new Error('injected crash before the prediction write'));
                }
                return send(command as never);
              }
            : Reflect.get(target, key),
      });
      return { ...runtime, doc };
    },
  });
  local.putEvents(seedEvents());
  await local.drain();
}, 120_000);
afterAll(() => local?.stop());

/** Counts the UpdateItems of customer profiles from now on (every function shares the runtime's client). */
function countProfileWrites(): () => number {
  let writes = 0;
  local.runtimeFor('segment-thresholds').dynamodb.middlewareStack.add(
    (next) => (args) => {
      const input = (args as { input: { UpdateExpression?: string; Key?: { SK?: { S?: string } } } }).input;
      if (input.UpdateExpression && input.Key?.SK?.S === 'PROFILE') writes++;
      return next(args);
    },
    { step: 'initialize', name: `countProfileWrites${Math.random()}` },
  );
  return () => writes;
}

const predictionsOf = async (customerId: string) => (await profileOf(local.doc, local.tableName, customerId))?.predictions as CustomerPrediction | undefined;

describe('per-customer predictions', () => {
  it('are not made before the first fit', async () => {
    expect(await new PredictionStore(local.doc, local.tableName).model()).toBeUndefined();
    expect(await predictionsOf('base-0')).toBeUndefined();
  });

  it('are refreshed for every buyer by the weekly fit, stamped with the fit date', async () => {
    await local.runScheduled('segment-thresholds');
    const stored = await new PredictionStore(local.doc, local.tableName).model();
    expect(stored).toMatchObject({ status: 'fitted', at: '2026-06-30T12:00:00.000Z', model: { bgnbd: { customers: 200 } } });
    const prediction = await predictionsOf(`base-${repeatBuyer}`);
    expect(prediction).toMatchObject({ fittedAt: '2026-06-30T12:00:00.000Z', asOf: '2026-06-30T12:00:00.000Z' });
    expect(prediction?.summary.x).toBe(repeatDays(repeatBuyer));
    expect(['low', 'medium', 'high']).toContain(prediction?.churnRisk);
  });

  it('are not rewritten by a refit that does not move them: a second fit at once writes no profile', async () => {
    const before = await predictionsOf(`base-${repeatBuyer}`);
    const profileWrites = countProfileWrites();
    const run = (await local.runScheduled('segment-thresholds')) as { predictions: { predicted: number; unchanged: number } };
    // The same base at the same instant: the same fit, so nothing moved.
    expect(run.predictions).toEqual({ model: expect.anything(), predicted: 0, unchanged: 200 });
    expect(profileWrites()).toBe(0);
    expect(await predictionsOf(`base-${repeatBuyer}`)).toEqual(before);
  });

  it('move with a purchase once the fit reached the purchase path, and a redelivered purchase changes nothing', async () => {
    const before = await predictionsOf(`base-${repeatBuyer}`);
    // ingest-orders read "no fit yet" for the seed purchases and keeps what it read that long.
    await local.advanceTo(new Date(Date.parse(FIT_AT) + PREDICTION_MODEL_TTL_MS));
    const event = purchaseEvent({ customerId: `base-${repeatBuyer}`, orderId: `base-${repeatBuyer}-new`, amount: '45.00', purchasedAt: FIT_AT });
    local.putEvents([event]);
    await local.drain();
    const after = await predictionsOf(`base-${repeatBuyer}`);
    expect(after?.summary.x).toBe((before?.summary.x ?? 0) + 1);
    expect(after?.summary.tx).toBe(after?.summary.T);
    expect(after?.pAlive).toBeGreaterThan(before?.pAlive ?? 1);
    expect(after?.fittedAt).toBe(before?.fittedAt);
    local.putEvents([event, event]);
    await local.drain();
    expect(await predictionsOf(`base-${repeatBuyer}`)).toEqual(after);
  });

  it('converge after a crash between the purchase record and the write of its aggregates and predictions', async () => {
    local.putEvents([
      purchaseEvent({ customerId: 'crash-1', orderId: 'crash-1-a', amount: '30.00', purchasedAt: '2026-05-01T09:00:00Z' }),
      purchaseEvent({ customerId: 'crash-1', orderId: 'crash-1-b', amount: '50.00', purchasedAt: '2026-06-01T09:00:00Z' }),
    ]);
    await local.drain();
    expect(predictionCrashes).toBe(1);
    expect(await predictionsOf('crash-1')).toMatchObject({ summary: { x: 1, tx: 31, T: 60, meanRepeatValueMilli: 50_000 } });
    expect(local.deadLetters()).toEqual([]);
  });

  it('are not overwritten by a computation older than the one stored', async () => {
    const current = await predictionsOf(`base-${repeatBuyer}`);
    if (!current) throw new Error('expected predictions');
    const stale = { ...current, asOf: '2026-06-01T00:00:00.000Z', pAlive: 0.01 };
    expect(await new PredictionStore(local.doc, local.tableName).savePrediction(`base-${repeatBuyer}`, stale)).toBe(false);
    expect(await predictionsOf(`base-${repeatBuyer}`)).toEqual(current);
  });
});

describe('loyalty predict (CLI)', () => {
  it('prints the stored fit per day and the base’s expected repeat purchases over the horizon', async () => {
    const stored = await new PredictionStore(local.doc, local.tableName).model();
    if (stored?.status !== 'fitted') throw new Error('expected a fit');
    const run = await loyalty(local, ['predict', '--horizon', '30', '--json']);
    expect(run.code).toBe(0);
    const snapshot = await new SegmentStore(local.doc, local.tableName).scanSnapshot(2);
    const expected = expectedRepeatPurchases(stored.model, snapshot.customers, new Date(stored.at), 30);
    const { bgnbd, gammaGamma } = stored.model;
    expect(run.json()).toEqual({
      bgnbd: { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b, timeUnit: 'day', logLikelihood: bgnbd.logLikelihood, customers: bgnbd.customers },
      gammaGamma: { p: gammaGamma?.p, q: gammaGamma?.q, gamma: gammaGamma?.gamma, customers: gammaGamma?.customers },
      expected: { horizonDays: 30, repeatPurchases: Math.round(expected * 100) / 100 },
    });
    expect(expected).toBeGreaterThan(0);
  });

  it('refuses a horizon that is not a whole number of days, naming the flag and value', async () => {
    const run = await loyalty(local, ['predict', '--horizon', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--horizon: "soon" must be a whole number of days');
  });

  it('`predict fit` runs the weekly analytics run now through the local runtime and waits for it', async () => {
    await local.advanceTo('2026-07-01T09:00:00Z');
    const run = await loyalty(local, ['predict', 'fit', '--json']);
    expect(run.code).toBe(0);
    const { predicted, unchanged } = run.json() as { predicted: number; unchanged: number };
    expect(run.json()).toMatchObject({ model: { status: 'fitted', at: '2026-07-01T09:00:00.000Z' } });
    expect(predicted + unchanged).toBe(201); // the 200 seeded buyers and crash-1
    expect(await new PredictionStore(local.doc, local.tableName).model()).toMatchObject({ status: 'fitted', at: '2026-07-01T09:00:00.000Z' });
    // A day on, every buyer's T grew: the ones this fit moved carry it, the others keep theirs.
    const all = await Promise.all(base.map((_, i) => predictionsOf(`base-${i}`)));
    const refreshed = all.filter((p) => p?.fittedAt === '2026-07-01T09:00:00.000Z');
    expect(refreshed.length).toBeGreaterThan(0);
    expect(refreshed.length).toBeLessThanOrEqual(predicted);
    expect(all.every((p) => p?.fittedAt === '2026-07-01T09:00:00.000Z' || p?.fittedAt === '2026-06-30T12:00:00.000Z')).toBe(true);
  });
});

describe('loyalty report: predictions section', () => {
  it('shows churn-risk bands, the predicted CLV distribution, calibration and the predicted top 20%', async () => {
    const run = await loyalty(local, ['report', '--from', '2026-04-01', '--to', '2026-07-01', '--json']);
    expect(run.code).toBe(0);
    const { predictions } = run.json<{ predictions: PredictionSection }>();
    if (predictions.status !== 'fitted') throw new Error(`expected a fitted section: ${predictions.reason}`);
    const buyers = predictions.customers;
    expect(buyers).toBe(201);
    expect(Object.values(predictions.churnRisk).reduce((a, b) => a + b, 0)).toBe(buyers);
    const clv = predictions.clv;
    expect(clv && clv.p20 <= clv.p40 && clv.p40 <= clv.p60 && clv.p60 <= clv.p80 && clv.p80 <= clv.max).toBe(true);
    const top = predictions.topByPredictedValue;
    expect(top?.customers).toBe(Math.ceil(buyers / 5));
    const values = top?.top.map((t) => t.predictedValueMilli) ?? [];
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(top?.shareOfPredictedValue).toBeGreaterThan(0.2);
    // Calibration: everyone who had bought before April, with the purchase days they made in the period.
    const beforeApril = base.filter((c) => c.start < 90).length;
    expect(predictions.calibration.rows.reduce((sum, row) => sum + row.customers, 0)).toBe(beforeApril);
    const actualInPeriod = base.reduce((sum, customer) => {
      const days = [0, ...customer.repeats.map((r) => r.t)]
        .map((t) => WINDOW_START + (customer.start + t) * DAY)
        .filter((at) => at >= Date.parse('2026-04-01T00:00:00Z') && at < Date.parse('2026-07-01T00:00:00Z'))
        .map((at) => Math.floor(at / DAY));
      return sum + (customer.start < 90 ? new Set(days).size : 0);
    }, 0);
    const reported = predictions.calibration.rows.reduce((sum, row) => sum + row.actual * row.customers, 0);
    // base-${repeatBuyer} bought once more on 06-30 (the redelivery test) and crash-1 bought in May/June.
    expect(Math.round(reported)).toBe(actualInPeriod + (base[repeatBuyer] && base[repeatBuyer].start < 90 ? 1 : 0));
  });

  it('prints the section in the terminal report', async () => {
    const run = await loyalty(local, ['report', '--from', '2026-04-01', '--to', '2026-07-01']);
    expect(run.stdout).toContain('Predictions as of 2026-06-30');
    expect(run.stdout).toMatch(/Top 20% by predicted value: 41 customers/);
  });
});

describe('loyalty customers show: predictions', () => {
  it('shows P(alive), churn risk, expected purchases, predicted value and next purchase as of now', async () => {
    const run = await loyalty(local, ['--json', 'customers', 'show', `base-${repeatBuyer}`]);
    expect(run.code).toBe(0);
    const { predictions } = run.json<{ predictions: Record<string, unknown> | null }>();
    const stored = await predictionsOf(`base-${repeatBuyer}`);
    expect(predictions).toMatchObject({ fittedAt: stored?.fittedAt, churnRisk: expect.stringMatching(/^(low|medium|high)$/) });
    expect(predictions?.pAlive).toBeGreaterThan(0);
    expect(predictions?.predictedValue12m).toMatch(/^\$/);
    const text = await loyalty(local, ['customers', 'show', `base-${repeatBuyer}`]);
    expect(text.stdout).toMatch(/predicted: P\(alive\) 0\.\d\d \((low|medium|high) churn risk\)/);
  });
});
