// Customers drawn from a known BG/NBD + Gamma-Gamma world with a seeded generator, so a fit can be
// checked against the truth (unit tests) and timed at any size (bench).
import type { BgnbdParams } from '#shared/domain/bgnbd.ts';
import type { PurchaseSummary } from '#shared/domain/customer-predictions.ts';
import type { GammaGammaParams } from '#shared/domain/gamma-gamma.ts';

/** mulberry32: small, fast, reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, scale 1) by Marsaglia & Tsang (boosted for shape < 1). */
function gamma(random: () => number, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(random);
    const v = (1 + c * z) ** 3;
    if (v > 0 && Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SimulatedCustomer {
  /** Day of the first purchase within the window. */
  start: number;
  /** Repeat purchases: days after the first, and value. */
  repeats: { t: number; value: number }[];
  /** Value of the first purchase. */
  firstValue: number;
  /** Days observed (window end minus start). */
  T: number;
}

/**
 * `count` customers whose first purchase fell uniformly in the first `spreadDays` of a window of
 * `windowDays`, with their purchases (continuous time) up to its end.
 */
export function simulatePurchases(
  count: number,
  truth: { bgnbd: BgnbdParams; gammaGamma: GammaGammaParams },
  options: { seed: number; windowDays: number; spreadDays: number },
): SimulatedCustomer[] {
  const random = seededRandom(options.seed);
  const { r, alpha, a, b } = truth.bgnbd;
  const { p, q, gamma: scale } = truth.gammaGamma;
  return Array.from({ length: count }, () => {
    const start = Math.floor(random() * options.spreadDays);
    const T = options.windowDays - start;
    const rate = gamma(random, r) / alpha;
    const ga = gamma(random, a);
    const dropout = ga / (ga + gamma(random, b));
    const nu = gamma(random, q) / scale;
    const firstValue = gamma(random, p) / nu;
    const repeats: { t: number; value: number }[] = [];
    let t = 0;
    for (;;) {
      t += -Math.log(1 - random()) / rate;
      if (t > T) break;
      repeats.push({ t, value: gamma(random, p) / nu });
      if (random() < dropout) break;
    }
    return { start, repeats, firstValue, T };
  });
}

/** The simulated customers as the models see them (per fractional day, as the model assumes). */
export function simulateCustomers(
  count: number,
  truth: { bgnbd: BgnbdParams; gammaGamma: GammaGammaParams },
  options: { seed: number; windowDays: number; spreadDays: number },
): PurchaseSummary[] {
  return simulatePurchases(count, truth, options).map(({ start, repeats, T }) => ({
    x: repeats.length,
    tx: repeats.at(-1)?.t ?? 0,
    T,
    firstPurchaseDay: new Date(Date.UTC(2025, 0, 1) + start * 86_400_000).toISOString().slice(0, 10),
    meanRepeatValueMilli: repeats.length ? Math.round((repeats.reduce((sum, repeat) => sum + repeat.value, 0) / repeats.length) * 1000) : 0,
  }));
}
