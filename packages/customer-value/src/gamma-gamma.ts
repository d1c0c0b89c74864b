/**
 * The gamma-gamma model of spend per transaction (Colombo & Jiang 1999, "A stochastic RFM
 * model", Journal of Interactive Marketing 13(3); as used for CLV in Fader, Hardie & Lee 2005,
 * "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing
 * Research 42(4), and Fader & Hardie's note "The Gamma-Gamma Model of Monetary Value").
 *
 * Story: a customer's transaction values are gamma(p, ν) with mean p/ν; across customers
 * ν ~ gamma(q, γ). Spend is assumed independent of the purchase process, so it is fitted
 * separately from BG/NBD, on the customers with at least one repeat transaction: only repeat
 * transactions are used (the first purchase is excluded in the paper's data), and a customer
 * with x = 0 has no observed m_x.
 */
import {
  nelderMead,
  nelderMeadInBox,
  type NelderMeadOptions,
  type ParameterBounds,
} from './optimise';
import { type CustomerRfm } from './rfm';
import { logGamma } from './special';

// Math's functions are bound once per module: a hot loop then resolves a module binding instead
// of the global `Math` on every call, which is ~15x slower inside vm sandboxes such as jest's.
const { exp, log } = Math;

/** Gamma-gamma parameters, all positive: value ~ gamma(p, ν), ν ~ gamma(q, γ). */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** What the spend model needs of a customer: x repeat transactions with mean value m_x. */
export type SpendHistory = Pick<CustomerRfm, 'x' | 'monetaryValue'>;

function checkParams(params: GammaGammaParams): void {
  const { p, q, gamma } = params;
  for (const [name, value] of Object.entries({ p, q, gamma })) {
    if (!(value > 0 && Number.isFinite(value))) {
      throw new RangeError(
        `gamma-gamma parameter ${name} must be positive and finite, got ${value}`,
      );
    }
  }
}

function checkSpend(history: SpendHistory): void {
  const { x, monetaryValue } = history;
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new RangeError(`x must be a non-negative integer, got ${x}`);
  }
  if (x > 0 && !(monetaryValue > 0 && Number.isFinite(monetaryValue))) {
    throw new RangeError(
      `the gamma-gamma model needs a positive mean value when x > 0, got m_x = ${monetaryValue}`,
    );
  }
}

/** The customers that carry spend information (x > 0), checked, as parallel arrays. */
function spendData(histories: readonly SpendHistory[]): { x: number[]; mx: number[] } {
  const x: number[] = [];
  const mx: number[] = [];
  for (const history of histories) {
    checkSpend(history);
    if (history.x === 0) continue;
    x.push(history.x);
    mx.push(history.monetaryValue);
  }
  return { x, mx };
}

function logLikelihoodData(params: GammaGammaParams, data: { x: number[]; mx: number[] }): number {
  const { p, q, gamma } = params;
  const constant = -logGamma(q) + q * log(gamma);
  let sum = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i] as number;
    const mx = data.mx[i] as number;
    const px = p * x;
    sum +=
      constant +
      logGamma(px + q) -
      logGamma(px) +
      (px - 1) * log(mx) +
      px * log(x) -
      (px + q) * log(gamma + mx * x);
  }
  return sum;
}

/**
 * The gamma-gamma log-likelihood of (p, q, γ) given the customers' (x, m_x).
 *
 * The mean of x gamma(p, ν) values is gamma(px, νx); mixing ν over gamma(q, γ) gives the
 * density of m_x
 *
 *   f(m_x | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m_x^{px-1} x^{px} / (γ + m_x x)^{px+q},
 *
 * taken in logs (log-gamma) because px grows with the number of transactions. Customers with
 * x = 0 are skipped: they have no repeat transaction and so no m_x.
 *
 * @throws RangeError when a customer with x > 0 has m_x <= 0 (the model is for positive spend).
 */
export function gammaGammaLogLikelihood(
  params: GammaGammaParams,
  histories: readonly SpendHistory[],
): number {
  checkParams(params);
  return logLikelihoodData(params, spendData(histories));
}

/** Options for {@link fitGammaGamma}. */
export interface GammaGammaFitOptions {
  /** Where the search starts. Default p = q = 2 and γ = the mean m_x (sets the money scale). */
  start?: GammaGammaParams;
  /** Passed to the Nelder–Mead search (in log-parameter space). */
  optimiser?: NelderMeadOptions;
  /**
   * Keeps p, q and γ / (mean m_x) within these bounds; unbounded when left out (see
   * `BgNbdFitOptions.bounds`: nearly constant spend sends p and q to infinity together).
   */
  bounds?: ParameterBounds;
}

/** The maximum-likelihood fit. */
export interface GammaGammaFit {
  params: GammaGammaParams;
  /** The maximised log-likelihood. */
  logLikelihood: number;
  /** Customers the fit used: those with x > 0. */
  customers: number;
  /** Log-likelihood evaluations the search used. */
  evaluations: number;
  /** False when the search hit a limit before its tolerances: the estimate may be off. */
  converged: boolean;
}

/**
 * Maximum-likelihood estimates of (p, q, γ) from the customers with x > 0 (others are skipped,
 * so the whole RFM summary can be passed). Searched in log-parameter space, as for BG/NBD.
 *
 * @throws RangeError when no customer has x > 0, or one with x > 0 has m_x <= 0.
 */
export function fitGammaGamma(
  histories: readonly SpendHistory[],
  options: GammaGammaFitOptions = {},
): GammaGammaFit {
  const data = spendData(histories);
  if (data.x.length === 0) {
    throw new RangeError('fitGammaGamma needs at least one customer with x > 0');
  }
  const meanMx = data.mx.reduce((s, m) => s + m, 0) / data.mx.length;
  const start = options.start ?? { p: 2, q: 2, gamma: meanMx };
  checkParams(start);
  const fromLog = (theta: readonly number[]): GammaGammaParams => ({
    p: exp(theta[0] ?? 0),
    q: exp(theta[1] ?? 0),
    gamma: exp(theta[2] ?? 0),
  });
  const objective = (theta: readonly number[]) => -logLikelihoodData(fromLog(theta), data);
  const x0 = [log(start.p), log(start.q), log(start.gamma)];
  const { bounds } = options;
  const scale = [0, 0, log(meanMx)];
  const result = bounds
    ? nelderMeadInBox(
        objective,
        x0,
        scale.map((s) => s + log(bounds.min)),
        scale.map((s) => s + log(bounds.max)),
        options.optimiser,
      )
    : nelderMead(objective, x0, options.optimiser);
  return {
    params: fromLog(result.point),
    logLikelihood: -result.value,
    customers: data.x.length,
    evaluations: result.evaluations,
    converged: result.converged,
  };
}

/**
 * E[M | p, q, γ, x, m_x]: the expected value of this customer's future transactions.
 *
 * The posterior of ν is gamma(px+q, γ + x m_x), so E[p/ν] = p (γ + x m_x) / (px + q - 1) — a
 * weighted average of the population mean pγ/(q-1) and the customer's own m_x, with weight
 * px/(px+q-1) on m_x: the more repeat transactions, the more their average is trusted. For
 * x = 0 it is the population mean (m_x is then irrelevant).
 *
 * @throws RangeError when px + q <= 1 (the posterior mean is infinite; for x = 0 that is q <= 1).
 */
export function gammaGammaExpectedAverageValue(
  params: GammaGammaParams,
  history: SpendHistory,
): number {
  checkParams(params);
  checkSpend(history);
  const { p, q, gamma } = params;
  const { x } = history;
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) {
    throw new RangeError(`E[M] is infinite when px + q <= 1 (p = ${p}, q = ${q}, x = ${x})`);
  }
  const spent = x > 0 ? x * history.monetaryValue : 0;
  return (p * (gamma + spent)) / denominator;
}

/** The population mean transaction value pγ/(q-1): E[M] of a customer with no repeat purchase. */
export function gammaGammaPopulationMean(params: GammaGammaParams): number {
  return gammaGammaExpectedAverageValue(params, { x: 0, monetaryValue: 0 });
}
