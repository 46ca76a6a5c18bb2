// Nelder–Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients:
// reflection 1, expansion 2, contraction ½, shrink ½). Derivative-free, so the model
// log-likelihoods need no gradients; callers optimise log-parameters to keep them positive.

export interface MinimizeOptions {
  /** Converged when every vertex is within this distance of the best (max-norm)... */
  xTolerance?: number;
  /**
   * ...and every vertex's value within this of the best, relative to 1 + |best| (a likelihood
   * summed over many customers carries rounding noise far above any absolute tolerance).
   */
  fTolerance?: number;
  maxIterations?: number;
  /** Initial simplex: the start point plus one step of this size along each axis. */
  initialStep?: number;
  /**
   * Fresh simplexes built around the converged point: a simplex can collapse before reaching
   * the minimum, and restarting is the standard guard (the answer stands when a restart agrees).
   */
  restarts?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const { restarts = 1, maxIterations = 10_000 } = options;
  let result = simplexSearch(f, start, options);
  let iterations = result.iterations;
  for (let restart = 0; restart < restarts && result.converged; restart++) {
    result = simplexSearch(f, result.x, { ...options, maxIterations: maxIterations - iterations });
    iterations += result.iterations;
  }
  return { ...result, iterations };
}

function simplexSearch(f: (x: readonly number[]) => number, start: readonly number[], options: MinimizeOptions): MinimizeResult {
  const { xTolerance = 1e-7, fTolerance = 1e-10, maxIterations = 10_000, initialStep = 0.5 } = options;
  const n = start.length;
  const evaluate = (x: number[]) => {
    const value = f(x);
    // A point outside the model's domain (overflow, log of 0) counts as infinitely bad.
    return { x, value: Number.isFinite(value) ? value : Number.POSITIVE_INFINITY };
  };
  let simplex = [evaluate([...start])];
  for (let i = 0; i < n; i++) simplex.push(evaluate(start.map((v, j) => (j === i ? v + initialStep : v))));
  const combine = (p: readonly number[], q: readonly number[], t: number) => p.map((v, j) => v + t * ((q[j] as number) - v));

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0] as { x: number[]; value: number };
    const worst = simplex[n] as { x: number[]; value: number };
    const spreadX = Math.max(...simplex.slice(1).map((v) => Math.max(...v.x.map((c, j) => Math.abs(c - (best.x[j] as number))))));
    const spreadF = Math.max(...simplex.slice(1).map((v) => Math.abs(v.value - best.value)));
    if (spreadX <= xTolerance && spreadF <= fTolerance * (1 + Math.abs(best.value))) return { x: best.x, value: best.value, iterations: iteration, converged: true };

    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, v) => s + (v.x[j] as number), 0) / n);
    const reflected = evaluate(combine(centroid, worst.x, -1));
    const secondWorst = simplex[n - 1] as { value: number };
    if (reflected.value < best.value) {
      const expanded = evaluate(combine(centroid, worst.x, -2));
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < secondWorst.value) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.value < worst.value;
      const contracted = evaluate(combine(centroid, outside ? reflected.x : worst.x, 0.5));
      if (contracted.value < (outside ? reflected.value : worst.value)) simplex[n] = contracted;
      else simplex = simplex.map((v, i) => (i === 0 ? v : evaluate(combine(best.x, v.x, 0.5))));
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  const best = simplex[0] as { x: number[]; value: number };
  return { x: best.x, value: best.value, iterations: maxIterations, converged: false };
}
