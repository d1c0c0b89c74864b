/**
 * Derivative-free minimisation for the maximum-likelihood fits.
 *
 * Nelder–Mead is enough here: the models have three or four parameters, the likelihoods are
 * smooth, and fitting in log-parameter space makes the problem unconstrained. Its known weakness
 * — stalling on a degenerate simplex before the true minimum — is handled by restarting from the
 * best point with a fresh simplex until a restart no longer improves the value (the usual
 * remedy; see Lagarias, Reeds, Wright & Wright 1998 on the method's convergence properties).
 */

/** Options for {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Edge length of each (re)started simplex along every coordinate. Default 0.5. */
  initialStep?: number;
  /**
   * Converged when the spread of f over the simplex is at most this times (1 + |f_best|), and
   * a restart improves f by no more than that. Default 1e-12.
   */
  functionTolerance?: number;
  /** ... and every vertex is within this distance (max norm) of the best. Default 1e-9. */
  pointTolerance?: number;
  /** Hard limit on objective evaluations over all restarts. Default 20,000. */
  maxEvaluations?: number;
  /** Hard limit on restarts after the first run. Default 20. */
  maxRestarts?: number;
}

/** Outcome of {@link nelderMead}. */
export interface NelderMeadResult {
  /** The best point found. */
  point: number[];
  /** The objective at {@link NelderMeadResult.point}. */
  value: number;
  /** Objective evaluations used. */
  evaluations: number;
  /** Restarts performed after the first run. */
  restarts: number;
  /** False when a limit stopped the search before the tolerances were met. */
  converged: boolean;
}

interface Vertex {
  point: number[];
  value: number;
}

/**
 * Minimises f from x0 by the Nelder–Mead simplex method with restarts.
 *
 * The reflection, expansion, contraction and shrink coefficients adapt to the dimension n
 * (1, 1 + 2/n, 3/4 - 1/(2n), 1 - 1/n; Gao & Han 2012), which keeps the simplex from collapsing
 * early in four dimensions; for n = 2 they are the classic 1, 2, 1/2, 1/2. A non-finite
 * objective (a NaN from a parameter combination where the model is undefined) counts as
 * +Infinity, so the simplex simply moves away from it.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const n = x0.length;
  if (n === 0) throw new RangeError('nelderMead needs at least one dimension');
  const step = options.initialStep ?? 0.5;
  const fTol = options.functionTolerance ?? 1e-12;
  const xTol = options.pointTolerance ?? 1e-9;
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  const maxRestarts = options.maxRestarts ?? 20;

  const reflect = 1;
  const expand = 1 + 2 / n;
  const contract = 0.75 - 1 / (2 * n);
  const shrink = 1 - 1 / n;

  let evaluations = 0;
  const evaluate = (point: number[]): Vertex => {
    evaluations++;
    const value = f(point);
    return { point, value: Number.isNaN(value) ? Infinity : value };
  };
  // Points along the line from the centroid through the worst vertex: c + k (c - worst).
  const along = (centroid: number[], worst: number[], k: number): number[] =>
    centroid.map((ci, i) => ci + k * (ci - (worst[i] ?? 0)));

  const runSimplex = (start: Vertex): { best: Vertex; converged: boolean } => {
    const simplex: Vertex[] = [start];
    for (let i = 0; i < n; i++) {
      const point = [...start.point];
      point[i] = (point[i] ?? 0) + step;
      simplex.push(evaluate(point));
    }
    for (;;) {
      simplex.sort((u, v) => u.value - v.value);
      const best = simplex[0] as Vertex;
      const worst = simplex[n] as Vertex;
      const secondWorst = simplex[n - 1] as Vertex;
      const spread = worst.value - best.value;
      let size = 0;
      for (const vertex of simplex) {
        for (let i = 0; i < n; i++) {
          size = Math.max(size, Math.abs((vertex.point[i] ?? 0) - (best.point[i] ?? 0)));
        }
      }
      if (spread <= fTol * (1 + Math.abs(best.value)) && size <= xTol) {
        return { best, converged: true };
      }
      if (evaluations >= maxEvaluations) return { best, converged: false };

      const centroid = new Array<number>(n).fill(0);
      for (let j = 0; j < n; j++) {
        const point = (simplex[j] as Vertex).point;
        for (let i = 0; i < n; i++) centroid[i] = (centroid[i] ?? 0) + (point[i] ?? 0) / n;
      }

      const reflected = evaluate(along(centroid, worst.point, reflect));
      if (reflected.value < best.value) {
        const expanded = evaluate(along(centroid, worst.point, reflect * expand));
        simplex[n] = expanded.value < reflected.value ? expanded : reflected;
        continue;
      }
      if (reflected.value < secondWorst.value) {
        simplex[n] = reflected;
        continue;
      }
      // Contract: outside when the reflection beat the worst vertex, inside otherwise.
      const outside = reflected.value < worst.value;
      const contracted = evaluate(
        along(centroid, worst.point, outside ? reflect * contract : -contract),
      );
      if (contracted.value < (outside ? reflected.value : worst.value)) {
        simplex[n] = contracted;
        continue;
      }
      for (let j = 1; j <= n; j++) {
        const vertex = simplex[j] as Vertex;
        simplex[j] = evaluate(
          vertex.point.map((xi, i) => {
            const bi = best.point[i] ?? 0;
            return bi + shrink * (xi - bi);
          }),
        );
      }
    }
  };

  let { best, converged } = runSimplex(evaluate([...x0]));
  let restarts = 0;
  // With restarts disabled the first run's verdict stands; otherwise we are done only once a
  // restart no longer improves the value.
  let settled = maxRestarts === 0;
  while (converged && !settled && restarts < maxRestarts && evaluations < maxEvaluations) {
    restarts++;
    const next = runSimplex(best);
    const improvement = best.value - next.best.value;
    if (next.best.value <= best.value) best = next.best;
    converged = next.converged;
    settled = improvement <= fTol * (1 + Math.abs(best.value));
  }
  return {
    point: best.point,
    value: best.value,
    evaluations,
    restarts,
    converged: converged && settled,
  };
}

/** A box for positive parameters fitted in log space: every parameter within [min, max]. */
export interface ParameterBounds {
  min: number;
  max: number;
}

/**
 * Minimises f over the box lower <= x <= upper (per coordinate) with {@link nelderMead}: f is
 * evaluated at the point clamped into the box, plus the distance outside it, so the simplex is
 * pulled back to the boundary and the minimum over the box is where it settles. Returns the
 * clamped point. Inside the box the objective is f itself, so an interior optimum is the same.
 */
export function nelderMeadInBox(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const clamp = (x: readonly number[]) =>
    x.map((v, i) => Math.min(upper[i] ?? Infinity, Math.max(lower[i] ?? -Infinity, v)));
  const result = nelderMead(
    (x) => {
      const inside = clamp(x);
      let outside = 0;
      for (let i = 0; i < x.length; i++) outside += Math.abs((x[i] ?? 0) - (inside[i] ?? 0));
      return f(inside) + outside;
    },
    clamp(x0),
    options,
  );
  const point = clamp(result.point);
  return { ...result, point, value: f(point) };
}
