// The fit as the purchase path sees it: read once per warm function and kept for a while, so a
// purchase stores its predictions without a read of the model item each time.
import { describe, expect, it } from 'vitest';
import { CurrentPredictionModel, PREDICTION_MODEL_TTL_MS } from '#shared/flows/predictions.ts';
import type { StoredPredictionModel } from '#shared/store/predictions.ts';

const fitted = (at: string): StoredPredictionModel => ({
  status: 'fitted',
  at,
  model: { bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.4, logLikelihood: -1, customers: 200 } },
});

function setup(initial: StoredPredictionModel | undefined) {
  let now = Date.parse('2026-06-30T12:00:00Z');
  let stored = initial;
  let reads = 0;
  const current = new CurrentPredictionModel(
    { model: async () => (reads++, stored) },
    { now: () => new Date(now) },
  );
  return {
    current,
    reads: () => reads,
    advance: (ms: number) => void (now += ms),
    store: (model: StoredPredictionModel | undefined) => void (stored = model),
  };
}

describe('the fit a purchase predicts with', () => {
  it('is read once and kept for PREDICTION_MODEL_TTL_MS, then read again', async () => {
    const world = setup(fitted('2026-06-29T00:00:00.000Z'));
    expect((await world.current.fitted())?.at).toBe('2026-06-29T00:00:00.000Z');
    world.store(fitted('2026-06-30T12:00:00.000Z'));
    world.advance(PREDICTION_MODEL_TTL_MS - 1);
    expect((await world.current.fitted())?.at).toBe('2026-06-29T00:00:00.000Z');
    expect(world.reads()).toBe(1);
    world.advance(1);
    expect((await world.current.fitted())?.at).toBe('2026-06-30T12:00:00.000Z');
    expect(world.reads()).toBe(2);
  });

  it('is none before the first fit and after a fit that found none, each kept as long', async () => {
    const world = setup(undefined);
    expect(await world.current.fitted()).toBeUndefined();
    world.store({ status: 'not-fitted', at: '2026-06-30T12:00:00.000Z', reason: 'not enough purchase history' });
    world.advance(PREDICTION_MODEL_TTL_MS);
    expect(await world.current.fitted()).toBeUndefined();
    expect(world.reads()).toBe(2);
  });

  it('reads again when the clock went back (a test or a local runtime moved it)', async () => {
    const world = setup(fitted('2026-06-29T00:00:00.000Z'));
    await world.current.fitted();
    world.advance(-1);
    await world.current.fitted();
    expect(world.reads()).toBe(2);
  });
});
