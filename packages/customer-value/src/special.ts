/**
 * Special functions the customer-base models need, written here so the package has no runtime
 * dependencies: log-gamma, log-beta, log-sum-exp and the Gaussian hypergeometric series.
 *
 * Everything the likelihoods touch is kept in log space: the BG/NBD and gamma-gamma likelihoods
 * are ratios of gamma functions of arguments that grow with a customer's purchase count, and
 * the gamma function overflows a double beyond 171.
 */

// Math's functions and Infinity are bound once per module: a hot loop then resolves a module
// binding instead of a global on every call, which is ~15x slower inside vm sandboxes (jest's).
const { PI, abs, exp, log, log1p, max, sin } = Math;
const { isInteger, POSITIVE_INFINITY: INFINITY } = Number;

/** The smallest positive normal double; below it, doubles lose precision. */
const MIN_NORMAL = 2.2250738585072014e-308;
const HALF_LOG_TWO_PI = 0.5 * log(2 * PI);

/** Lanczos approximation, g = 7 with nine coefficients (Godfrey's set): about 15 digits. */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
] as const;

/**
 * ln Γ(x) for real x that is not a non-positive integer (there Γ has a pole: +Infinity).
 *
 * For x < 1/2 it uses the reflection formula Γ(x)Γ(1-x) = π / sin(πx), so the Lanczos sum is
 * only ever evaluated where it is accurate. For negative x it returns ln |Γ(x)|.
 */
export function logGamma(x: number): number {
  if (x < 0.5) {
    if (x <= 0 && isInteger(x)) return INFINITY;
    return log(PI / abs(sin(PI * x))) - logGamma(1 - x);
  }
  if (!(x < INFINITY)) return x; // NaN or +Infinity
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
    sum += (LANCZOS_COEFFICIENTS[i] ?? 0) / (z + i);
  }
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * log(t) - t + log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ln(e^u + e^v) without overflow or underflow: the larger exponent is factored out, so the
 * BG/NBD likelihood's two terms can be added when each alone is far below the smallest double.
 */
export function logSumExp(u: number, v: number): number {
  if (u === -INFINITY) return v;
  if (v === -INFINITY) return u;
  const m = max(u, v);
  return m + log1p(exp(-abs(u - v)));
}

/** Why a special function gave no value. */
export type SpecialFunctionFailure =
  /** The series needed more terms than allowed: the arguments are beyond what it can sum. */
  | 'NOT_CONVERGED'
  /** The arguments are outside the function's domain (|z| >= 1, or a pole). */
  | 'OUT_OF_DOMAIN';

/**
 * A special function could not be evaluated at the arguments given. It is a RangeError, so
 * callers checking for that still catch it; `code` and `args` let a caller that evaluates one
 * customer at a time report the customer and carry on with the others.
 */
export class SpecialFunctionError extends RangeError {
  override readonly name = 'SpecialFunctionError';

  constructor(
    readonly code: SpecialFunctionFailure,
    /** The function, such as `2F1`. */
    readonly fn: string,
    /** The arguments it was evaluated at. */
    readonly args: readonly number[],
    message: string,
  ) {
    super(message);
  }
}

/** Options for {@link hyp2f1}. */
export interface SeriesOptions {
  /** Stop once the estimated remainder is below this fraction of the sum. Default 1e-15. */
  relativeTolerance?: number;
  /** Give up ({@link SpecialFunctionError} `NOT_CONVERGED`) after this many terms. Default 1,000,000. */
  maxTerms?: number;
}

/**
 * Sums Σ_{n ≥ n0} t_n where t_{n+1} = t_n · (a+n)(b+n) z / ((c+n)(n+1)) — the term recurrence of
 * the Gaussian hypergeometric series — starting from t_{n0} = first.
 *
 * Why the stopping rule is a bound on the whole tail and not "the term is small": with a small
 * and b large, the first terms are tiny and then grow by orders of magnitude; with c - a - b < 0
 * and z near 1 they shrink slowly. Once a+m, b+m and c+m are positive, each factor of the ratio,
 * (a+m)/(c+m) and (b+m)/(m+1), is monotone in m and tends to 1, so every later ratio is at most
 * ρ* = |z| · max(1, (a+m)/(c+m)) · max(1, (b+m)/(m+1)). When ρ* < 1 the tail after t_m is at most
 * |t_m| ρ* / (1 - ρ*), and we stop when that is below the tolerance times the sum.
 */
function hypergeometricTail(
  a: number,
  b: number,
  c: number,
  z: number,
  n0: number,
  first: number,
  options: SeriesOptions,
): number {
  const tolerance = options.relativeTolerance ?? 1e-15;
  const maxTerms = options.maxTerms ?? 1_000_000;
  let term = first;
  let sum = first;
  for (let n = n0; n < n0 + maxTerms; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (term === 0) return sum; // a or b is a non-positive integer: a polynomial, now complete
    // term is t_m with m = n + 1; bound the ratios from m on.
    const m = n + 1;
    if (a + m > 0 && b + m > 0 && c + m > 0) {
      const rho = abs(z) * max(1, (a + m) / (c + m)) * max(1, (b + m) / (m + 1));
      if (rho < 1) {
        if ((abs(term) * rho) / (1 - rho) <= tolerance * abs(sum)) return sum;
        // A subnormal term has no precision left (and may round to itself forever): the
        // geometric tail after it is below anything a double can add to the sum accurately.
        if (abs(term) < MIN_NORMAL) return sum;
      }
    }
  }
  throw new SpecialFunctionError(
    'NOT_CONVERGED',
    '2F1',
    [a, b, c, z],
    `hypergeometric series 2F1(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`,
  );
}

function checkHypergeometricArguments(a: number, b: number, c: number, z: number): void {
  const args = [a, b, c, z];
  if (!(abs(z) < 1)) {
    throw new SpecialFunctionError(
      'OUT_OF_DOMAIN',
      '2F1',
      args,
      `2F1 series needs |z| < 1, got z = ${z}`,
    );
  }
  if (c <= 0 && isInteger(c)) {
    throw new SpecialFunctionError(
      'OUT_OF_DOMAIN',
      '2F1',
      args,
      `2F1 is undefined for c = ${c} (a non-positive integer)`,
    );
  }
  if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c))) {
    throw new SpecialFunctionError(
      'OUT_OF_DOMAIN',
      '2F1',
      args,
      `2F1 needs finite parameters, got a = ${a}, b = ${b}, c = ${c}`,
    );
  }
}

/**
 * The Gaussian hypergeometric function ₂F₁(a, b; c; z) by its defining power series
 * Σ (a)_n (b)_n / ((c)_n n!) zⁿ, for |z| < 1.
 *
 * The BG/NBD expectations only ever need z = t / (α + T + t) in [0, 1), where the series
 * converges, so it is summed term by term — each term from the previous one by the term ratio —
 * until a bound on the rest is negligible. Convergence slows as z approaches 1: about
 * ln(tolerance) / ln z terms, some 3,400 at z = 0.99 (a horizon of 99 α beyond T); the cap on
 * terms turns a hopeless case into an error instead of a hang.
 *
 * @throws SpecialFunctionError `OUT_OF_DOMAIN` outside |z| < 1 or at a pole of c, and
 *   `NOT_CONVERGED` when the series needs more than `maxTerms` terms (huge a or b: the terms
 *   keep growing for about b·z of them).
 */
export function hyp2f1(
  a: number,
  b: number,
  c: number,
  z: number,
  options: SeriesOptions = {},
): number {
  checkHypergeometricArguments(a, b, c, z);
  return hypergeometricTail(a, b, c, z, 0, 1, options);
}

/**
 * (₂F₁(a, b; c; z) - 1) / b, summed directly as Σ_{n≥1} (a)_n (b+1)_{n-1} / ((c)_n n!) zⁿ.
 *
 * Why it exists: the BG/NBD expectations contain 1 - (…)·₂F₁(…, a-1; …) divided by (a - 1). At
 * a = 1 that is 0/0 (a removable singularity), and near it the subtraction loses every digit.
 * Factoring b = a - 1 out of the series removes the division and keeps full precision at and
 * around a = 1.
 */
export function hyp2f1MinusOneOverB(
  a: number,
  b: number,
  c: number,
  z: number,
  options: SeriesOptions = {},
): number {
  checkHypergeometricArguments(a, b, c, z);
  if (z === 0) return 0;
  // The n = 1 term is a z / c; from there the term ratio is the ordinary one.
  return hypergeometricTail(a, b, c, z, 1, (a * z) / c, options);
}
