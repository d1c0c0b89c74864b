/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "'Counting Your Customers'
 * the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2)).
 *
 * Story: while alive, a customer buys as a Poisson process with rate λ; after each purchase they
 * drop out with probability p. Across customers λ ~ gamma(r, α) and p ~ beta(a, b). Everything a
 * customer's history says about them is in (x, t_x, T) — see {@link CustomerRfm}.
 */
import {
  nelderMead,
  nelderMeadInBox,
  type NelderMeadOptions,
  type ParameterBounds,
} from './optimise';
import { type CustomerRfm } from './rfm';
import { hyp2f1MinusOneOverB, logBeta, logGamma, logSumExp } from './special';

// Math's functions are bound once per module: a hot loop then resolves a module binding instead
// of the global `Math` on every call, which is ~15x slower inside vm sandboxes such as jest's.
const { exp, expm1, log, max } = Math;

/** BG/NBD parameters, all positive: λ ~ gamma(shape r, rate α); p ~ beta(a, b). */
export interface BgNbdParams {
  r: number;
  /** Rate of the gamma mixing distribution, in the same time unit as t_x and T (weeks here). */
  alpha: number;
  a: number;
  b: number;
}

/** The sufficient statistics of one customer's calibration history. */
export type RepeatHistory = Pick<CustomerRfm, 'x' | 'tx' | 'T'>;

function checkParams(params: BgNbdParams): void {
  const { r, alpha, a, b } = params;
  for (const [name, value] of Object.entries({ r, alpha, a, b })) {
    if (!(value > 0 && Number.isFinite(value))) {
      throw new RangeError(`BG/NBD parameter ${name} must be positive and finite, got ${value}`);
    }
  }
}

function checkHistory(history: RepeatHistory): void {
  const { x, tx, T } = history;
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new RangeError(`x must be a non-negative integer, got ${x}`);
  }
  if (!(Number.isFinite(T) && T >= 0 && Number.isFinite(tx) && tx >= 0 && tx <= T)) {
    throw new RangeError(`need 0 <= t_x <= T, both finite; got t_x = ${tx}, T = ${T}`);
  }
}

function checkHorizon(t: number): void {
  if (!(Number.isFinite(t) && t >= 0)) {
    throw new RangeError(`the horizon t must be finite and non-negative, got ${t}`);
  }
}

/** Histories checked once and laid out for repeated likelihood evaluation during a fit. */
interface PreparedHistories {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** The distinct values of x, and for each customer the index of its x among them. */
  distinctX: number[];
  xIndex: Uint32Array;
}

function prepare(histories: readonly RepeatHistory[]): PreparedHistories {
  const n = histories.length;
  const prepared: PreparedHistories = {
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    distinctX: [],
    xIndex: new Uint32Array(n),
  };
  const indexOfX = new Map<number, number>();
  histories.forEach((history, i) => {
    checkHistory(history);
    prepared.x[i] = history.x;
    prepared.tx[i] = history.tx;
    prepared.T[i] = history.T;
    let k = indexOfX.get(history.x);
    if (k === undefined) {
      k = prepared.distinctX.length;
      indexOfX.set(history.x, k);
      prepared.distinctX.push(history.x);
    }
    prepared.xIndex[i] = k;
  });
  return prepared;
}

/**
 * The BG/NBD log-likelihood, from the paper's individual-level likelihood
 *
 *   L = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^{r+x})
 *     + [x > 0] B(a+1, b+x-1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+t_x)^{r+x}),
 *
 * the first term for "still alive at T", the second for "dropped out right after the last
 * purchase at t_x". Each term is formed as a logarithm (log-gamma, log-beta) and they are added
 * with log-sum-exp: for a frequent buyer each term alone underflows a double. The gamma and
 * beta parts depend only on x, so they are computed once per distinct x.
 */
function logLikelihoodPrepared(params: BgNbdParams, data: PreparedHistories): number {
  const { r, alpha, a, b } = params;
  const logBetaAB = logBeta(a, b);
  const common = -logGamma(r) + r * log(alpha);
  const aliveConst = new Float64Array(data.distinctX.length);
  const droppedConst = new Float64Array(data.distinctX.length);
  data.distinctX.forEach((x, k) => {
    const base = logGamma(r + x) + common - logBetaAB;
    aliveConst[k] = base + logBeta(a, b + x);
    droppedConst[k] = x > 0 ? base + logBeta(a + 1, b + x - 1) : Number.NEGATIVE_INFINITY;
  });
  let sum = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i] as number;
    const k = data.xIndex[i] as number;
    const alive = (aliveConst[k] as number) - (r + x) * log(alpha + (data.T[i] as number));
    if (x === 0) {
      sum += alive;
    } else {
      const dropped = (droppedConst[k] as number) - (r + x) * log(alpha + (data.tx[i] as number));
      sum += logSumExp(alive, dropped);
    }
  }
  return sum;
}

/** The BG/NBD log-likelihood of one customer's history (see {@link bgNbdLogLikelihood}). */
export function bgNbdCustomerLogLikelihood(params: BgNbdParams, history: RepeatHistory): number {
  return bgNbdLogLikelihood(params, [history]);
}

/**
 * The BG/NBD log-likelihood of (r, α, a, b) given the customers' (x, t_x, T): the sum over
 * customers of the log of the paper's individual-level likelihood.
 */
export function bgNbdLogLikelihood(
  params: BgNbdParams,
  histories: readonly RepeatHistory[],
): number {
  checkParams(params);
  return logLikelihoodPrepared(params, prepare(histories));
}

/** Options for {@link fitBgNbd}. */
export interface BgNbdFitOptions {
  /** Where the search starts. Default r = a = b = 1 and α = the mean T. */
  start?: BgNbdParams;
  /** Passed to the Nelder–Mead search (in log-parameter space). */
  optimiser?: NelderMeadOptions;
  /**
   * Keeps r, a, b and α / (mean T) within these bounds; unbounded when left out. A small or odd
   * population can have its likelihood maximum at infinity (a and b growing together, r and α
   * too: a degenerate limit of the model); bounded, the fit stops at the boundary, where the
   * predictions can still be computed.
   */
  bounds?: ParameterBounds;
}

/** The maximum-likelihood fit. */
export interface BgNbdFit {
  params: BgNbdParams;
  /** The maximised log-likelihood. */
  logLikelihood: number;
  /** Customers the fit used. */
  customers: number;
  /** Log-likelihood evaluations the search used. */
  evaluations: number;
  /** False when the search hit a limit before its tolerances: the estimate may be off. */
  converged: boolean;
}

/**
 * Maximum-likelihood estimates of (r, α, a, b).
 *
 * The search runs over the logarithms of the parameters, so every point it tries is a valid
 * (positive) parameter set without constraints, and parameters of very different scales (α in
 * weeks, r well below 1) get comparable step sizes. The default start puts α on the scale of
 * the data (the mean customer age), which makes the fit independent of the time unit.
 *
 * @throws RangeError for an empty list or an invalid history.
 */
export function fitBgNbd(
  histories: readonly RepeatHistory[],
  options: BgNbdFitOptions = {},
): BgNbdFit {
  if (histories.length === 0) throw new RangeError('fitBgNbd needs at least one customer');
  const data = prepare(histories);
  const meanT = data.T.reduce((s, T) => s + T, 0) / data.T.length;
  const start = options.start ?? { r: 1, alpha: meanT > 0 ? meanT : 1, a: 1, b: 1 };
  checkParams(start);
  const fromLog = (theta: readonly number[]): BgNbdParams => ({
    r: exp(theta[0] ?? 0),
    alpha: exp(theta[1] ?? 0),
    a: exp(theta[2] ?? 0),
    b: exp(theta[3] ?? 0),
  });
  const objective = (theta: readonly number[]) => -logLikelihoodPrepared(fromLog(theta), data);
  const x0 = [log(start.r), log(start.alpha), log(start.a), log(start.b)];
  const { bounds } = options;
  const alphaScale = log(meanT > 0 ? meanT : 1);
  const result = bounds
    ? nelderMeadInBox(
        objective,
        x0,
        [0, alphaScale, 0, 0].map((s) => s + log(bounds.min)),
        [0, alphaScale, 0, 0].map((s) => s + log(bounds.max)),
        options.optimiser,
      )
    : nelderMead(objective, x0, options.optimiser);
  return {
    params: fromLog(result.point),
    logLikelihood: -result.value,
    customers: histories.length,
    evaluations: result.evaluations,
    converged: result.converged,
  };
}

/**
 * P(alive | x, t_x, T): the probability the customer has not dropped out by T.
 *
 * From the paper: 1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^{r+x}). A customer with no
 * repeat purchase has had no chance to drop out (the model's drop-out happens right after a
 * purchase), so P(alive) = 1 for x = 0. The odds are formed in logs so that a long silence after
 * many purchases gives a clean 0 instead of Infinity / Infinity.
 */
export function bgNbdProbabilityAlive(params: BgNbdParams, history: RepeatHistory): number {
  checkParams(params);
  checkHistory(history);
  const { r, alpha, a, b } = params;
  const { x, tx, T } = history;
  if (x === 0) return 1;
  const logOdds = log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + tx));
  return 1 / (1 + exp(logOdds));
}

/**
 * (a+b+x-1)/(a-1) · [1 - ((α+age)/(α+age+t))^{r+x} · ₂F₁(r+x, b+x; a+b+x-1; z)],
 * z = t/(α+age+t): the bracket shared by E[X(t)] (x = 0, age = 0) and E[Y(t) | …] (age = T),
 * the expected purchases in the next t of a customer known to be alive.
 *
 * Evaluated in an equivalent form. Euler's transformation ₂F₁(A, B; C; z) =
 * (1-z)^{C-A-B} ₂F₁(C-A, C-B; C; z) turns the product into (1-z)^{a-1} ₂F₁(a+b-1-r, a-1;
 * a+b+x-1; z): the new upper parameters do not grow with x, so the series neither overflows for
 * heavy buyers nor needs more terms for them. Writing ₂F₁(…, a-1; …) = 1 + (a-1)·G then lets the
 * division by (a-1) be done analytically, so a at or near 1 (where the paper's form is 0/0) costs
 * no precision:
 *
 *   bracket = (a+b+x-1) · [ -expm1((a-1)L)/(a-1) - e^{(a-1)L} G ],   L = ln(1-z).
 */
function expectedWhileAlive(params: BgNbdParams, x: number, age: number, t: number): number {
  const { r, alpha, a, b } = params;
  if (t === 0) return 0;
  const z = t / (alpha + age + t);
  const logOneMinusZ = log(alpha + age) - log(alpha + age + t);
  const eps = a - 1;
  const g = hyp2f1MinusOneOverB(a + b - 1 - r, eps, a + b + x - 1, z);
  const firstPart = eps === 0 ? -logOneMinusZ : -expm1(eps * logOneMinusZ) / eps;
  const expected = (a + b + x - 1) * (firstPart - exp(eps * logOneMinusZ) * g);
  // For t near 0 both parts are nearly equal; rounding must not make a count negative.
  return max(0, expected);
}

/**
 * E[Y(t) | x, t_x, T]: the expected number of repeat purchases in the next t time units (the
 * interval (T, T+t]) of a customer with history (x, t_x, T) — the paper's conditional
 * expectation, whose Gaussian hypergeometric term ₂F₁(r+x, b+x; a+b+x-1; t/(α+T+t)) is summed as
 * its series (see `hyp2f1` in special.ts; z < 1 always, so the series converges). Its denominator
 * 1 + [x>0] a/(b+x-1)·(…)^{r+x} is 1 / P(alive), so this is P(alive) times the expectation for a
 * customer known to be alive.
 */
export function bgNbdConditionalExpectedPurchases(
  params: BgNbdParams,
  history: RepeatHistory,
  t: number,
): number {
  checkHorizon(t);
  const alive = bgNbdProbabilityAlive(params, history);
  return alive * expectedWhileAlive(params, history.x, history.T, t);
}

/**
 * E[X(t)]: the expected number of repeat purchases in the first t time units of a customer
 * just acquired (time 0 = first purchase) — the paper's unconditional expectation
 * (a+b-1)/(a-1) · [1 - (α/(α+t))ʳ ₂F₁(r, b; a+b-1; t/(α+t))].
 */
export function bgNbdExpectedPurchases(params: BgNbdParams, t: number): number {
  checkParams(params);
  checkHorizon(t);
  return expectedWhileAlive(params, 0, 0, t);
}
