import { describe, expect, it } from 'vitest';
import {
  type BgnbdParams,
  bgnbdLogLikelihood,
  daysUntilNextPurchase,
  expectedPurchases,
  fitBgnbd,
  groupSummaries,
  pAlive,
  pAliveCrossingAge,
} from '#shared/domain/bgnbd.ts';
import {
  churnRiskBand,
  fitPredictionModel,
  type PredictionModel,
  predictCustomer,
  predictionAt,
  predictionMoved,
  type PurchaseSummary,
  purchaseSummary,
} from '#shared/domain/customer-predictions.ts';
import { expectedSpendPerTransaction, fitGammaGamma, gammaGammaLogLikelihood } from '#shared/domain/gamma-gamma.ts';
import { nelderMead } from '#shared/domain/nelder-mead.ts';
import { hyp2f1, lnGamma } from '#shared/domain/special-functions.ts';
import { simulateCustomers } from '../support/bgnbd-simulation.ts';

// The CDNOW fit as published (Fader, Hardie & Lee 2005), per WEEK.
const PAPER_WEEKS: BgnbdParams = { r: 0.242594, alpha: 4.413604, a: 0.792919, b: 2.425907 };

describe('special functions', () => {
  it('ln Γ matches factorials and Γ(½) = √π', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lnGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 10);
    expect(lnGamma(171)).toBeCloseTo(706.5730622457874, 8);
  });

  it('2F1 matches its closed forms, near z = 1 too', () => {
    for (const z of [0, 0.3, 0.9, 0.999]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 9);
      // 2F1(a, b; b; z) = (1 − z)^−a
      expect(hyp2f1(2.7, 3.1, 3.1, z) / (1 - z) ** -2.7).toBeCloseTo(1, 9);
    }
  });

  it('refuses z outside [0, 1)', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/z must be in \[0, 1\)/);
  });
});

describe('Nelder–Mead', () => {
  it('finds the Rosenbrock minimum at (1, 1) and says it converged', () => {
    const result = nelderMead(([x = 0, y = 0]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it('reports non-convergence when the iteration budget runs out', () => {
    const result = nelderMead(([x = 0, y = 0]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, [-1.2, 1], { maxIterations: 5 });
    expect(result.converged).toBe(false);
  });
});

describe('BG/NBD closed forms', () => {
  it('reproduces the published conditional expectation: x = 2, tₓ = 30.43, T = 38.86 weeks -> 1.226 in 39 weeks', () => {
    // Fader, Hardie & Lee, "Implementing the BG/NBD model ... in Excel" (2005), worked example.
    expect(expectedPurchases(PAPER_WEEKS, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
  });

  it('gives the same answers in days once α is scaled by 7', () => {
    const days = { ...PAPER_WEEKS, alpha: PAPER_WEEKS.alpha * 7 };
    const weekly = { x: 4, tx: 20, T: 35 };
    const daily = { x: 4, tx: 140, T: 245 };
    expect(expectedPurchases(days, daily, 273)).toBeCloseTo(expectedPurchases(PAPER_WEEKS, weekly, 39), 10);
    expect(pAlive(days, daily)).toBeCloseTo(pAlive(PAPER_WEEKS, weekly), 12);
  });

  it('risks a drop-out right after each purchase and lowers P(alive) as silence grows', () => {
    const at = (T: number) => pAlive(PAPER_WEEKS, { x: 5, tx: 10, T });
    // The customer may drop out right after a purchase: P(alive) = 1 / (1 + a / (b + x − 1)).
    expect(at(10)).toBeCloseTo(1 / (1 + PAPER_WEEKS.a / (PAPER_WEEKS.b + 4)), 12);
    expect(at(20)).toBeLessThan(at(10));
    expect(at(60)).toBeLessThan(at(20));
    expect(pAlive(PAPER_WEEKS, { x: 0, tx: 0, T: 500 })).toBe(1);
  });

  it('finds the age at which P(alive) crosses a threshold, exactly', () => {
    const s = { x: 3, tx: 12 };
    const age = pAliveCrossingAge(PAPER_WEEKS, s, 0.5) ?? Number.NaN;
    expect(pAlive(PAPER_WEEKS, { ...s, T: age })).toBeCloseTo(0.5, 10);
    expect(pAlive(PAPER_WEEKS, { ...s, T: age - 0.01 })).toBeGreaterThan(0.5);
    expect(pAliveCrossingAge(PAPER_WEEKS, { x: 0, tx: 0 }, 0.5)).toBeUndefined();
  });

  it('expects the next purchase when E[purchases] reaches one', () => {
    const s = { x: 20, tx: 30, T: 31 };
    const days = daysUntilNextPurchase(PAPER_WEEKS, s, 104) ?? Number.NaN;
    expect(expectedPurchases(PAPER_WEEKS, s, days)).toBeCloseTo(1, 2);
    expect(daysUntilNextPurchase(PAPER_WEEKS, { x: 1, tx: 1, T: 80 }, 104)).toBeUndefined();
  });
});

describe('model fits', () => {
  const truth = {
    bgnbd: { r: 0.5, alpha: 20, a: 0.8, b: 2.5 },
    gammaGamma: { p: 6, q: 4, gamma: 15 },
  };
  const simulated = simulateCustomers(4000, truth, { seed: 7, windowDays: 365, spreadDays: 90 });
  const population = groupSummaries(simulated);

  it('BG/NBD: recovers the parameters of a simulated population, at a maximum of the likelihood', () => {
    const fit = fitBgnbd(population);
    expect(fit.params.r).toBeGreaterThan(truth.bgnbd.r * 0.8);
    expect(fit.params.r).toBeLessThan(truth.bgnbd.r * 1.2);
    expect(fit.params.alpha).toBeGreaterThan(truth.bgnbd.alpha * 0.75);
    expect(fit.params.alpha).toBeLessThan(truth.bgnbd.alpha * 1.25);
    expect(fit.logLikelihood).toBeCloseTo(bgnbdLogLikelihood(fit.params, population), 8);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      for (const factor of [0.97, 1.03]) {
        const nearby = { ...fit.params, [key]: fit.params[key] * factor };
        expect(bgnbdLogLikelihood(nearby, population)).toBeLessThan(fit.logLikelihood);
      }
    }
  });

  it('BG/NBD: stops at the search bound, and says so, when a small base shows no spread in drop-out', () => {
    const small = simulateCustomers(200, { bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.4 }, gammaGamma: truth.gammaGamma }, { seed: 42, windowDays: 180, spreadDays: 60 });
    const fit = fitBgnbd(groupSummaries(small));
    expect(fit.atBound).toEqual(['b']);
    expect(fit.params.b).toBeCloseTo(1e4, -1);
    expect(fit.logLikelihood).toBeCloseTo(bgnbdLogLikelihood(fit.params, groupSummaries(small)), 8);
  });

  it('Gamma-Gamma: recovers the population mean spend, at a maximum, and shrinks a customer towards it', () => {
    const spenders = simulated.filter((s) => s.x > 0).map((s) => ({ x: s.x, meanValue: s.meanRepeatValueMilli / 1000 }));
    const fit = fitGammaGamma(spenders);
    const truthMean = (truth.gammaGamma.p * truth.gammaGamma.gamma) / (truth.gammaGamma.q - 1);
    const fittedMean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(Math.abs(fittedMean / truthMean - 1)).toBeLessThan(0.1);
    for (const key of ['p', 'q', 'gamma'] as const) {
      const nearby = { ...fit.params, [key]: fit.params[key] * 1.03 };
      expect(gammaGammaLogLikelihood(nearby, spenders)).toBeLessThan(fit.logLikelihood);
    }
    const populationMean = expectedSpendPerTransaction(fit.params, { x: 0, meanValue: 0 }) ?? Number.NaN;
    const own = 200;
    const one = expectedSpendPerTransaction(fit.params, { x: 1, meanValue: own }) ?? Number.NaN;
    const many = expectedSpendPerTransaction(fit.params, { x: 30, meanValue: own }) ?? Number.NaN;
    expect(one).toBeGreaterThan(populationMean);
    expect(many).toBeGreaterThan(one);
    expect(many).toBeLessThan(own);
  });
});

describe('customer purchase summary', () => {
  const now = new Date('2026-03-01T15:00:00Z');
  it('counts repeat purchases per distinct UTC day and measures time in whole days', () => {
    const summary = purchaseSummary(
      [
        { at: '2026-01-01T09:00:00Z', amountMilli: 10_000 },
        { at: '2026-01-01T20:00:00Z', amountMilli: 5_000 },
        { at: '2026-01-11T10:00:00Z', amountMilli: 20_000 },
        { at: '2026-01-11T11:00:00Z', amountMilli: 10_000 },
        { at: '2026-01-31T23:59:00Z', amountMilli: 10_000 },
        { at: '2026-04-01T00:00:00Z', amountMilli: 99_000 },
      ],
      now,
    );
    expect(summary).toEqual({ x: 2, tx: 30, T: 59, firstPurchaseDay: '2026-01-01', meanRepeatValueMilli: 20_000 });
  });

  it('counts a free order as a purchase occasion and has no summary before a purchase', () => {
    expect(purchaseSummary([{ at: '2026-01-01T09:00:00Z', amountMilli: 0 }], now)).toMatchObject({ x: 0, T: 59 });
    expect(purchaseSummary([{ at: '2026-03-02T09:00:00Z', amountMilli: 10 }], now)).toBeUndefined();
    expect(purchaseSummary([], now)).toBeUndefined();
  });
});

describe('fit with the minimum-data rule', () => {
  it('refuses to fit below the minimum and says what is missing', () => {
    const few = [{ x: 1, tx: 5, T: 20, firstPurchaseDay: '2026-01-01', meanRepeatValueMilli: 1000 }];
    const outcome = fitPredictionModel(few);
    expect(outcome).toEqual({
      ok: false,
      reason: expect.stringMatching(/1 customer\(s\) with a purchase \(need 100\), 1 with a repeat purchase \(need 30\)/),
    });
  });
});

describe('per-customer predictions', () => {
  const model: PredictionModel = {
    bgnbd: { ...PAPER_WEEKS, alpha: PAPER_WEEKS.alpha * 7, logLikelihood: -1, customers: 2357 },
    gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44, customers: 946 },
  };
  const purchases = [
    { at: '2026-01-01T10:00:00Z', amountMilli: 30_000 },
    { at: '2026-01-15T10:00:00Z', amountMilli: 40_000 },
    { at: '2026-02-01T10:00:00Z', amountMilli: 20_000 },
  ];

  it('are computed from the closed forms and banded by P(alive)', () => {
    const now = new Date('2026-02-01T12:00:00Z');
    const summary = purchaseSummary(purchases, now);
    if (!summary) throw new Error('expected a summary');
    const prediction = predictCustomer(model, '2026-01-31T00:00:00Z', summary, now);
    // Bought today: only the drop-out right after a purchase counts against them.
    expect(prediction.pAlive).toBeCloseTo(1 / (1 + model.bgnbd.a / (model.bgnbd.b + 1)), 12);
    expect(prediction.churnRisk).toBe('low');
    expect(prediction.expectedPurchases90d).toBeCloseTo(expectedPurchases(model.bgnbd, summary, 90), 12);
    const perOrder = (6.25 * (15.44 + 2 * 30)) / (6.25 * 2 + 3.74 - 1);
    expect(prediction.predictedValue12mMilli).toBe(Math.round(expectedPurchases(model.bgnbd, summary, 365) * perOrder * 1000));
    const crossing = pAliveCrossingAge(model.bgnbd, summary, 0.5) ?? Number.NaN;
    expect(prediction.atRiskFrom).toBe(new Date(Date.parse('2026-01-01T00:00:00Z') + Math.ceil(crossing) * 86_400_000).toISOString());
  });

  it('drift to high churn risk as the silence outlasts the customer’s own rhythm', () => {
    const later = new Date('2026-09-01T12:00:00Z');
    const summary = purchaseSummary(purchases, later);
    if (!summary) throw new Error('expected a summary');
    const prediction = predictCustomer(model, '2026-01-31T00:00:00Z', summary, later);
    expect(prediction.churnRisk).toBe('high');
    expect(Date.parse(prediction.atRiskFrom ?? '')).toBeLessThan(later.getTime());
  });

  it('move to a later day from the profile alone, as if computed then', () => {
    const at = new Date('2026-02-01T12:00:00Z');
    const later = new Date('2026-09-01T12:00:00Z');
    const stored = predictCustomer(model, '2026-01-31T00:00:00Z', purchaseSummary(purchases, at) as PurchaseSummary, at);
    const direct = predictCustomer(model, '2026-01-31T00:00:00Z', purchaseSummary(purchases, later) as PurchaseSummary, later);
    expect(predictionAt(stored, later)).toEqual(direct);
    expect(predictionAt(stored, at)).toBe(stored);
  });

  it('are rewritten by a refit only when it moved them: summary, band, a point of P(alive), 2%, a day', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const current = predictCustomer(model, '2026-01-31T00:00:00Z', purchaseSummary(purchases, at) as PurchaseSummary, at);
    const refit = (bgnbd: Partial<BgnbdParams>) =>
      predictCustomer({ ...model, bgnbd: { ...model.bgnbd, ...bgnbd } }, '2026-02-28T00:00:00Z', current.summary, at);
    // The same parameters from a later fit: nothing to write.
    expect(predictionMoved(current, refit({}))).toBe(false);
    // A hair's change of the parameters moves every figure by far less than the thresholds.
    const hair = refit({ r: model.bgnbd.r * 1.0005 });
    expect(hair.expectedPurchases90d).not.toBe(current.expectedPurchases90d); // it did move
    expect(predictionMoved(current, hair)).toBe(false);
    // A real change of the fit does.
    expect(predictionMoved(current, refit({ r: model.bgnbd.r * 1.3 }))).toBe(true);
    expect(predictionMoved(current, refit({ a: model.bgnbd.a * 2 }))).toBe(true);
    // Each rule on its own.
    const moved = (change: Partial<typeof current>) => predictionMoved(current, { ...current, ...change });
    expect(moved({ summary: { ...current.summary, x: current.summary.x + 1 } })).toBe(true);
    expect(moved({ churnRisk: current.churnRisk === 'low' ? 'medium' : 'low' })).toBe(true);
    expect(moved({ pAlive: current.pAlive - 0.009 })).toBe(false);
    expect(moved({ pAlive: current.pAlive - 0.011 })).toBe(true);
    expect(moved({ expectedPurchases90d: current.expectedPurchases90d * 1.019 })).toBe(false);
    expect(moved({ expectedPurchases90d: current.expectedPurchases90d * 1.021 })).toBe(true);
    expect(moved({ predictedValue12mMilli: undefined })).toBe(true);
    const later = (iso: string | undefined, hours: number) => new Date(Date.parse(iso ?? '') + hours * 3_600_000).toISOString();
    expect(moved({ atRiskFrom: later(current.atRiskFrom, 23) })).toBe(false);
    expect(moved({ atRiskFrom: later(current.atRiskFrom, 25) })).toBe(true);
  });

  it('bands P(alive) at 0.5 and 0.8', () => {
    expect([0.49, 0.5, 0.79, 0.8, 1].map(churnRiskBand)).toEqual(['high', 'medium', 'medium', 'low', 'low']);
  });
});
