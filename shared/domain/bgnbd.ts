// BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while alive a
// customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out
// with probability p ~ Beta(a, b). From a customer's repeat count x, time of last purchase tₓ and
// age T (all measured from their first purchase, in days) it gives P(alive) and expected purchases.
import { lnGamma, hyp2f1 } from './special-functions.ts';
import { nelderMead } from './nelder-mead.ts';

export interface BgnbdParams {
  r: number;
  /** Scale of the purchase-rate distribution, in days (the paper's weekly α × 7). */
  alpha: number;
  a: number;
  b: number;
}

/** Repeat purchases x (distinct days after the first), last repeat at tₓ, observed for T days. */
export interface RepeatSummary {
  x: number;
  tx: number;
  T: number;
}

/** Customers sharing (x, tₓ, T) contribute identically: the fit evaluates each triple once. */
export interface WeightedSummary extends RepeatSummary {
  count: number;
}

export function groupSummaries(summaries: readonly RepeatSummary[]): WeightedSummary[] {
  const groups = new Map<string, WeightedSummary>();
  for (const s of summaries) {
    const key = `${s.x}|${s.tx}|${s.T}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { ...s, count: 1 });
  }
  return [...groups.values()];
}

/** The customers as columns, each distinct repeat count once: what the likelihood loops over. */
interface Columns {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  /** Index into `distinctX` of each row's x. */
  xIndex: Uint32Array;
  distinctX: number[];
}

function columns(customers: readonly WeightedSummary[]): Columns {
  const distinctX = [...new Set(customers.map((c) => c.x))];
  const position = new Map(distinctX.map((x, i) => [x, i]));
  const n = customers.length;
  const data: Columns = {
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    count: new Float64Array(n),
    xIndex: new Uint32Array(n),
    distinctX,
  };
  customers.forEach((c, i) => {
    data.x[i] = c.x;
    data.tx[i] = c.tx;
    data.T[i] = c.T;
    data.count[i] = c.count;
    data.xIndex[i] = position.get(c.x) ?? 0;
  });
  return data;
}

function logLikelihoodOf(params: BgnbdParams, data: Columns): number {
  const { r, alpha, a, b } = params;
  // The Γ-ratios depend on x alone: computed once per distinct repeat count.
  const constant = data.distinctX.map(
    (x) => lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x),
  );
  const logA = Math.log(a);
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i] as number;
    const stillAlive = -(r + x) * Math.log(alpha + (data.T[i] as number));
    let mixed = stillAlive;
    if (x > 0) {
      const droppedOut = logA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + (data.tx[i] as number));
      // log(e^u + e^v), stable.
      mixed = stillAlive > droppedOut ? stillAlive + Math.log1p(Math.exp(droppedOut - stillAlive)) : droppedOut + Math.log1p(Math.exp(stillAlive - droppedOut));
    }
    total += (data.count[i] as number) * ((constant[data.xIndex[i] as number] as number) + mixed);
  }
  return total;
}

/** The sample log-likelihood (paper eq. 6), in the time unit of α, tₓ and T. */
export function bgnbdLogLikelihood(params: BgnbdParams, customers: readonly WeightedSummary[]): number {
  return logLikelihoodOf(params, columns(customers));
}

export interface BgnbdFit {
  params: BgnbdParams;
  logLikelihood: number;
  iterations: number;
  /** Parameters the data pushed to the search bound (see fitBgnbd). */
  atBound: (keyof BgnbdParams)[];
}

const PARAM_NAMES = ['r', 'alpha', 'a', 'b'] as const;
/** Search box for the log-parameters: every parameter within [1e-4, 1e4]. */
export const LOG_PARAM_BOUND = Math.log(1e4);

/**
 * A soft wall outside the search box. On small or homogeneous bases the likelihood can keep
 * rising along a ridge to infinity (a, b → ∞ at a fixed ratio: everyone drops out with the same
 * probability); the wall stops the search there, where predictions equal the limit's, instead of
 * failing to converge. Inside the box it is zero, so a fit like CDNOW's is untouched.
 */
export function boundPenalty(logParams: readonly number[]): number {
  return logParams.reduce((sum, v) => sum + 1e3 * Math.max(0, Math.abs(v) - LOG_PARAM_BOUND) ** 2, 0);
}

/**
 * Maximum likelihood by Nelder–Mead on the log-parameters (so they stay positive), started at
 * r = α = a = b = 1, with one restart; throws if the simplex does not converge.
 */
export function fitBgnbd(customers: readonly WeightedSummary[]): BgnbdFit {
  const toParams = (v: readonly number[]): BgnbdParams => ({
    r: Math.exp(v[0] as number),
    alpha: Math.exp(v[1] as number),
    a: Math.exp(v[2] as number),
    b: Math.exp(v[3] as number),
  });
  const data = columns(customers);
  const result = nelderMead((v) => -logLikelihoodOf(toParams(v), data) + boundPenalty(v), [0, 0, 0, 0], { maxIterations: 5000 });
  if (!result.converged) throw new Error(`BG/NBD fit did not converge in ${result.iterations} iterations`);
  const params = toParams(result.x);
  return {
    params,
    logLikelihood: logLikelihoodOf(params, data),
    iterations: result.iterations,
    atBound: PARAM_NAMES.filter((_, i) => Math.abs(result.x[i] as number) > LOG_PARAM_BOUND - 0.01),
  };
}

/** P(alive | x, tₓ, T) (paper eq. 13). 1 for a customer with no repeat purchase (a model limit). */
export function pAlive(params: BgnbdParams, s: RepeatSummary): number {
  if (s.x === 0) return 1;
  const { r, alpha, a, b } = params;
  return 1 / (1 + (a / (b + s.x - 1)) * ((alpha + s.T) / (alpha + s.tx)) ** (r + s.x));
}

/**
 * The age T (days since the first purchase) at which P(alive) falls below `threshold` if no
 * further purchase happens — P(alive) only decays between purchases, so this is the one instant a
 * churn-risk timer needs. Undefined when it never does (no repeat purchase yet).
 */
export function pAliveCrossingAge(params: BgnbdParams, s: Omit<RepeatSummary, 'T'>, threshold: number): number | undefined {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be in (0, 1), got ${threshold}`);
  if (s.x === 0) return undefined;
  const { r, alpha, a, b } = params;
  // Solve ((α+T)/(α+tₓ))^(r+x) = (1/θ − 1)(b+x−1)/a for T.
  const ratio = ((1 / threshold - 1) * (b + s.x - 1)) / a;
  return Math.max(s.tx, (alpha + s.tx) * ratio ** (1 / (r + s.x)) - alpha);
}

/** E[purchases in the next t days | x, tₓ, T] (paper eq. 10). */
export function expectedPurchases(params: BgnbdParams, s: RepeatSummary, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const { x, tx, T } = s;
  const head = (a + b + x - 1) / (a - 1);
  const tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const alive = x > 0 ? 1 + (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 1;
  return (head * tail) / alive;
}

/**
 * Days from now until one purchase is expected (E[purchases] reaches 1), searched up to
 * `withinDays`; undefined if the model does not expect one that soon.
 */
export function daysUntilNextPurchase(params: BgnbdParams, s: RepeatSummary, withinDays: number): number | undefined {
  if (expectedPurchases(params, s, withinDays) < 1) return undefined;
  let low = 0;
  let high = withinDays;
  // Bisection to within an hour: E[purchases] is increasing in t.
  while (high - low > 1 / 24) {
    const mid = (low + high) / 2;
    if (expectedPurchases(params, s, mid) < 1) low = mid;
    else high = mid;
  }
  return high;
}
