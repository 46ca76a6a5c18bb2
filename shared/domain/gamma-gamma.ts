// Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): a customer's
// spend per transaction is Gamma(p, ν) around their own mean, with ν ~ Gamma(q, γ) across
// customers. Fitted on customers with at least one repeat purchase, from the mean value of their
// repeat transactions; it assumes spend is independent of purchase frequency.
import { boundPenalty } from './bgnbd.ts';
import { lnGamma } from './special-functions.ts';
import { nelderMead } from './nelder-mead.ts';

export interface GammaGammaParams {
  p: number;
  q: number;
  /** Scale, in the currency unit the mean values were given in. */
  gamma: number;
}

/** x repeat transactions with mean value `meanValue` (> 0). */
export interface SpendSummary {
  x: number;
  meanValue: number;
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly SpendSummary[]): number {
  const { p, q, gamma } = params;
  // The Γ-ratio and x-power terms depend on x alone: computed once per distinct repeat count.
  const byX = new Map<number, number>();
  const constant = (x: number) => {
    let value = byX.get(x);
    if (value === undefined) {
      value = lnGamma(p * x + q) - lnGamma(p * x) - lnGamma(q) + q * Math.log(gamma) + p * x * Math.log(x);
      byX.set(x, value);
    }
    return value;
  };
  let total = 0;
  for (const { x, meanValue } of customers) {
    const px = p * x;
    total += constant(x) + (px - 1) * Math.log(meanValue) - (px + q) * Math.log(gamma + meanValue * x);
  }
  return total;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  iterations: number;
}

/**
 * Maximum likelihood by Nelder–Mead on log-parameters from p = q = γ = 1, inside the same search
 * box as BG/NBD; throws if not converged.
 */
export function fitGammaGamma(customers: readonly SpendSummary[]): GammaGammaFit {
  const toParams = (v: readonly number[]): GammaGammaParams => ({
    p: Math.exp(v[0] as number),
    q: Math.exp(v[1] as number),
    gamma: Math.exp(v[2] as number),
  });
  const result = nelderMead((v) => -gammaGammaLogLikelihood(toParams(v), customers) + boundPenalty(v), [0, 0, 0], { maxIterations: 5000 });
  if (!result.converged) throw new Error(`Gamma-Gamma fit did not converge in ${result.iterations} iterations`);
  const params = toParams(result.x);
  return { params, logLikelihood: gammaGammaLogLikelihood(params, customers), iterations: result.iterations };
}

/**
 * E[spend per transaction | x, mean] (eq. 5): a weighted mean of the population mean pγ/(q−1)
 * and the customer's own mean, the more repeat purchases the more their own. Needs q > 1.
 */
export function expectedSpendPerTransaction(params: GammaGammaParams, s: SpendSummary): number | undefined {
  const { p, q, gamma } = params;
  if (q <= 1) return undefined;
  return (p * (gamma + s.x * s.meanValue)) / (p * s.x + q - 1);
}
