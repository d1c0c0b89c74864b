/**
 * The lifetime-value model over a whole population, robust to the customers it cannot
 * describe: a history that is implausible (a purchase before the earliest plausible date, in
 * the future, a non-finite amount or date) or that makes the fit or the prediction fail is
 * reported and left out, and every other customer is fitted and predicted as usual.
 *
 * Why leave implausible histories out before fitting instead of only catching failures: one
 * order dated 0001-01-01 gives its customer an age of 100,000 weeks. The likelihood is still
 * finite, so the fit does not fail — it moves to parameters that describe that one customer
 * (a and b in the millions), and then the prediction's hypergeometric series fails for
 * everybody. Screening keeps such a customer from pulling the parameters at all; catching
 * {@link SpecialFunctionError} per customer is the net for what the screen cannot foresee.
 */
import {
  type BgNbdFit,
  type BgNbdFitOptions,
  bgNbdConditionalExpectedPurchases,
  bgNbdCustomerLogLikelihood,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from './bg-nbd';
import {
  type GammaGammaFit,
  type GammaGammaFitOptions,
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  gammaGammaLogLikelihood,
} from './gamma-gamma';
import { type ParameterBounds } from './optimise';
import {
  type CustomerRfm,
  type Instant,
  type Purchase,
  type RfmOptions,
  type TimedAmount,
  calibrationEndDay,
  customerRfm,
  instantMillis,
} from './rfm';

/** The farthest a JavaScript Date reaches either side of the epoch (ECMA-262, 21.4.1.1). */
const MAX_DATE_MILLIS = 8.64e15;
import { SpecialFunctionError } from './special';

/** Why a customer was left out of a fit or its predictions. */
export type SkipReason =
  /** A purchase time that is not a valid date. */
  | 'INVALID_DATE'
  /** A purchase before the earliest plausible date (such as a default 0001-01-01). */
  | 'BEFORE_EARLIEST'
  /** A purchase after the moment of the run. */
  | 'IN_FUTURE'
  /** A purchase amount, or a day's total, that is not a finite number. */
  | 'INVALID_AMOUNT'
  /** The customer's likelihood is not finite under the fitted parameters. */
  | 'FIT_FAILED'
  /** The prediction could not be computed, or is not a finite number. */
  | 'PREDICTION_FAILED';

/** A customer left out, and why. */
export interface SkippedCustomer {
  customerId: string;
  reason: SkipReason;
  /** What was wrong, for a person to read. */
  message: string;
}

/**
 * The earliest purchase date taken as plausible by default. Early enough for historical data
 * sets such as CDNOW (1997); late enough to catch the zero dates of systems that fill a missing
 * date with 0001-01-01 or 1900-01-01.
 */
export const DEFAULT_EARLIEST_PURCHASE = '1990-01-01';

/** What counts as a plausible purchase. */
export interface PlausibilityOptions {
  /** Purchases before this day (UTC, a bare date or a Date) are implausible. */
  earliestPurchase?: string | Date;
  /** The moment of the run: purchases after it are in the future, hence implausible. */
  now: string | Date;
}

function checkedInstant(at: string | Date, what: string): number {
  const ms = instantMillis(at);
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a valid date: ${String(at)}`);
  return ms;
}

function shownInstant(at: Instant, ms: number): string {
  if (typeof at === 'string') return at;
  return Math.abs(ms) <= MAX_DATE_MILLIS ? new Date(ms).toISOString() : String(at);
}

/** The first thing implausible about one purchase, or null. */
function implausibility(
  when: Instant,
  amount: number,
  earliest: number,
  now: number,
): Omit<SkippedCustomer, 'customerId'> | null {
  const at = instantMillis(when);
  if (!Number.isFinite(at)) {
    return {
      reason: 'INVALID_DATE',
      message: `purchase date ${shownInstant(when, at)} is not a date`,
    };
  }
  if (at < earliest) {
    return {
      reason: 'BEFORE_EARLIEST',
      message: `purchase on ${shownInstant(when, at)} is before ${new Date(earliest).toISOString().slice(0, 10)}`,
    };
  }
  if (at > now) {
    return {
      reason: 'IN_FUTURE',
      message: `purchase on ${shownInstant(when, at)} is in the future`,
    };
  }
  if (!Number.isFinite(amount)) {
    return {
      reason: 'INVALID_AMOUNT',
      message: `purchase amount ${amount} is not a finite number`,
    };
  }
  return null;
}

function plausibilityBounds(options: PlausibilityOptions): { earliest: number; now: number } {
  return {
    earliest: checkedInstant(
      options.earliestPurchase ?? DEFAULT_EARLIEST_PURCHASE,
      'earliestPurchase',
    ),
    now: checkedInstant(options.now, 'now'),
  };
}

/** The outcome of {@link screenPurchases}. */
export interface ScreenedPurchases {
  /** Every purchase of the customers whose history is plausible, in input order. */
  purchases: Purchase[];
  /** The other customers, each with the first implausible purchase found. */
  skipped: SkippedCustomer[];
}

/**
 * Separates the customers whose purchases are all plausible from the others. A customer is
 * judged on the whole history: one implausible purchase leaves every purchase of theirs out,
 * because the rest no longer says when they became a customer or how often they buy.
 *
 * @throws RangeError when `earliestPurchase` or `now` is not a valid date.
 */
export function screenPurchases(
  purchases: Iterable<Purchase>,
  options: PlausibilityOptions,
): ScreenedPurchases {
  const { earliest, now } = plausibilityBounds(options);
  const all: Purchase[] = [];
  const problems = new Map<string, SkippedCustomer>();
  for (const purchase of purchases) {
    all.push(purchase);
    if (problems.has(purchase.customerId)) continue;
    const problem = implausibility(purchase.at, purchase.amount, earliest, now);
    if (problem) problems.set(purchase.customerId, { customerId: purchase.customerId, ...problem });
  }
  return {
    purchases: all.filter((p) => !problems.has(p.customerId)),
    skipped: [...problems.values()],
  };
}

/** One customer's history judged and summarised: see {@link historySummariser}. */
export type HistoryOutcome =
  /** Plausible; the summary is null when nothing was bought on or before the calibration end. */
  | { summary: CustomerRfm | null; skipped?: undefined }
  | { skipped: SkippedCustomer; summary?: undefined };

/**
 * Judges and summarises one customer's purchases at a time, as {@link screenPurchases} and then
 * {@link rfmSummary} do for a whole population: for histories already grouped by customer
 * (as the graph returns them), without a list of every purchase.
 *
 * @throws RangeError when `earliestPurchase`, `now` or `calibrationEnd` is not a valid date.
 */
export function historySummariser(
  options: PlausibilityOptions & RfmOptions,
): (
  customerId: string,
  purchases: ReadonlyArray<readonly [at: number | null, amount: number]>,
) => HistoryOutcome {
  const { earliest, now } = plausibilityBounds(options);
  const endDay = calibrationEndDay(options);
  return (customerId, purchases) => {
    for (const [at, amount] of purchases) {
      // A missing time is not a date, and the message says it is missing.
      const problem = implausibility(at ?? 'missing', amount, earliest, now);
      if (problem) return { skipped: { customerId, ...problem } };
    }
    // Every time is a finite number now.
    return { summary: customerRfm(customerId, purchases as readonly TimedAmount[], endDay) };
  };
}

/**
 * The box both fits search in unless told otherwise: every shape parameter, and each scale
 * parameter relative to the data's scale (mean age, mean spend), within 1e-6 to 1e4. Published
 * fits sit far inside (CDNOW: r 0.24, α 0.14 × mean T, a 0.79, b 2.43; p 6.25, q 3.74); at 1e4
 * the hypergeometric series still converges in some ten thousand terms, where unbounded
 * degenerate fits (a, b ~ 1e9) make it fail or overflow.
 */
export const DEFAULT_PARAMETER_BOUNDS: Readonly<ParameterBounds> = Object.freeze({
  min: 1e-6,
  max: 1e4,
});

/** Options for {@link fitValueModels}; each fit gets {@link DEFAULT_PARAMETER_BOUNDS} unless given bounds. */
export interface ValueModelFitOptions {
  bgNbd?: BgNbdFitOptions;
  gammaGamma?: GammaGammaFitOptions;
}

/** The outcome of {@link fitValueModels}. */
export interface ValueModelsFit {
  /** The purchase model; null when no customer was left to fit. */
  bgNbd: BgNbdFit | null;
  /** The spend model; null when no customer with a paid repeat purchase was left. */
  gammaGamma: GammaGammaFit | null;
  /** The customers the purchase model was fitted to, in input order. */
  customers: CustomerRfm[];
  /** The customers left out, and why. */
  skipped: SkippedCustomer[];
}

/** Refits after dropping customers with a non-finite likelihood; more rounds never helped. */
const MAX_FIT_ROUNDS = 3;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Fits BG/NBD to the customers and gamma-gamma to those with a paid repeat purchase, leaving
 * out (and reporting) every customer the models cannot take: a non-finite monetary value (a
 * day's total that overflows), or a history whose likelihood is not finite under the fitted
 * parameters — those are dropped and the model refitted without them. Never throws for the
 * population: with nobody left, the fits are null.
 */
export function fitValueModels(
  customers: readonly CustomerRfm[],
  options: ValueModelFitOptions = {},
): ValueModelsFit {
  const bgNbdOptions = { bounds: DEFAULT_PARAMETER_BOUNDS, ...options.bgNbd };
  const gammaGammaOptions = { bounds: DEFAULT_PARAMETER_BOUNDS, ...options.gammaGamma };
  const skipped: SkippedCustomer[] = [];
  let kept: CustomerRfm[] = [];
  for (const c of customers) {
    if (!(Number.isFinite(c.monetaryValue) && Number.isFinite(c.T) && Number.isFinite(c.tx))) {
      skipped.push({
        customerId: c.customerId,
        reason: 'INVALID_AMOUNT',
        message: `monetary value ${c.monetaryValue} is not a finite number`,
      });
    } else {
      kept.push(c);
    }
  }

  let bgNbd: BgNbdFit | null = null;
  for (let round = 0; round < MAX_FIT_ROUNDS && kept.length > 0; round++) {
    const fit = fitBgNbd(kept, bgNbdOptions);
    const failing = new Set<CustomerRfm>();
    for (const c of kept) {
      let ll: number;
      try {
        ll = bgNbdCustomerLogLikelihood(fit.params, c);
      } catch {
        ll = Number.NaN;
      }
      if (!Number.isFinite(ll)) failing.add(c);
    }
    bgNbd = fit;
    if (failing.size === 0) break;
    for (const c of failing) {
      skipped.push({
        customerId: c.customerId,
        reason: 'FIT_FAILED',
        message: 'purchase-model likelihood is not finite under the fitted parameters',
      });
    }
    kept = kept.filter((c) => !failing.has(c));
    bgNbd = null;
  }

  // The spend model needs a positive mean value; repeat days worth 0 carry no spend information.
  let spenders = kept.filter((c) => c.x > 0 && c.monetaryValue > 0);
  let gammaGamma: GammaGammaFit | null = null;
  for (let round = 0; round < MAX_FIT_ROUNDS && spenders.length > 0; round++) {
    const fit = fitGammaGamma(spenders, gammaGammaOptions);
    const failing = new Set(
      spenders.filter((c) => !Number.isFinite(gammaGammaLogLikelihood(fit.params, [c]))),
    );
    gammaGamma = fit;
    if (failing.size === 0) break;
    for (const c of failing) {
      skipped.push({
        customerId: c.customerId,
        reason: 'FIT_FAILED',
        message: 'spend-model likelihood is not finite under the fitted parameters',
      });
    }
    spenders = spenders.filter((c) => !failing.has(c));
    kept = kept.filter((c) => !failing.has(c));
    gammaGamma = null;
  }
  if (bgNbd !== null && bgNbd.customers !== kept.length) {
    // Customers the spend model dropped must not stay in the purchase model's data either.
    bgNbd = kept.length > 0 ? fitBgNbd(kept, bgNbdOptions) : null;
  }
  return { bgNbd, gammaGamma, customers: kept, skipped };
}

/** One customer's predictions. */
export interface CustomerPrediction {
  customerId: string;
  /** P(alive | x, t_x, T) at the calibration end. */
  probabilityAlive: number;
  /** E[Y(horizon) | x, t_x, T]: expected repeat purchases within the horizon. */
  expectedPurchases: number;
  /**
   * E[M | x, m_x]; null without a spend model, or when it is infinite (p·x + q <= 1): the
   * purchase prediction stands, there is just no finite value to put on it.
   */
  expectedAverageValue: number | null;
  /** expectedPurchases × expectedAverageValue; null when the latter is. */
  expectedValue: number | null;
}

/** A prediction, or why there is none. */
export type PredictionOutcome =
  { ok: true; prediction: CustomerPrediction } | { ok: false; skipped: SkippedCustomer };

/**
 * Predicts one customer with fitted models. A failure of the special functions (a typed
 * {@link SpecialFunctionError}) or of the models' checks, and a non-finite result, come back
 * as a skipped customer instead of an exception, so a caller looping over a population carries
 * on with the others.
 */
export function predictCustomer(
  customer: CustomerRfm,
  models: Pick<ValueModelsFit, 'bgNbd' | 'gammaGamma'>,
  horizonWeeks: number,
): PredictionOutcome {
  const fail = (message: string): PredictionOutcome => ({
    ok: false,
    skipped: { customerId: customer.customerId, reason: 'PREDICTION_FAILED', message },
  });
  if (models.bgNbd === null) return fail('no purchase model was fitted');
  let probabilityAlive: number;
  let expectedPurchases: number;
  try {
    probabilityAlive = bgNbdProbabilityAlive(models.bgNbd.params, customer);
    expectedPurchases = bgNbdConditionalExpectedPurchases(
      models.bgNbd.params,
      customer,
      horizonWeeks,
    );
  } catch (error) {
    if (error instanceof RangeError) {
      const code = error instanceof SpecialFunctionError ? `${error.code}: ` : '';
      return fail(`${code}${describe(error)}`);
    }
    throw error;
  }
  if (!(Number.isFinite(probabilityAlive) && Number.isFinite(expectedPurchases))) {
    return fail(`not finite: P(alive) = ${probabilityAlive}, E[Y] = ${expectedPurchases}`);
  }
  let expectedAverageValue: number | null = null;
  if (models.gammaGamma !== null) {
    try {
      const value = gammaGammaExpectedAverageValue(
        models.gammaGamma.params,
        customer.x > 0 && customer.monetaryValue > 0 ? customer : { x: 0, monetaryValue: 0 },
      );
      expectedAverageValue = Number.isFinite(value) ? value : null;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // E[M] is infinite when p·x + q <= 1: no finite value to predict.
    }
  }
  return {
    ok: true,
    prediction: {
      customerId: customer.customerId,
      probabilityAlive,
      expectedPurchases,
      expectedAverageValue,
      expectedValue:
        expectedAverageValue === null ? null : expectedPurchases * expectedAverageValue,
    },
  };
}
