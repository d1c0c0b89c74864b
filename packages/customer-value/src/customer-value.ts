/**
 * Per-customer value over a horizon: BG/NBD for how many purchases, gamma-gamma for how much
 * each is worth. Multiplying the two expectations is valid because the spend model assumes a
 * customer's transaction values are independent of their purchase process (Fader, Hardie &
 * Lee 2005, "RFM and CLV", where this product is the building block of CLV).
 */
import {
  type BgNbdParams,
  bgNbdConditionalExpectedPurchases,
  bgNbdProbabilityAlive,
} from './bg-nbd';
import { type GammaGammaParams, gammaGammaExpectedAverageValue } from './gamma-gamma';
import { type CustomerRfm } from './rfm';

/** The fitted models to combine. */
export interface CustomerValueModels {
  bgNbd: BgNbdParams;
  gammaGamma: GammaGammaParams;
}

/** Options for {@link customerValue}. */
export interface CustomerValueOptions {
  /** How far ahead of the calibration end to look, in weeks (the models' time unit). */
  horizonWeeks: number;
  /**
   * Discount rate per week, default 0 (no discounting). With d > 0, purchases expected in week
   * k after the calibration end are worth (1 + d)^-k: the expected purchases of each week,
   * E[Y(k)] - E[Y(k-1)], are valued at the end of that week (a final part week at the horizon
   * itself). This is the discrete cash-flow discounting commonly used with BG/NBD (which has
   * no closed-form discounted expectation); an annual rate R corresponds to
   * d = (1 + R)^(1/52) - 1. With d = 0 it reduces exactly to E[Y(horizon)] · E[M].
   */
  discountRatePerWeek?: number;
}

/** What the models say about one customer. */
export interface CustomerValue {
  customerId: string;
  /** P(alive | x, t_x, T) at the calibration end. */
  probabilityAlive: number;
  /** E[Y(horizon) | x, t_x, T]: expected repeat purchases within the horizon (undiscounted). */
  expectedPurchases: number;
  /** E[M | x, m_x]: expected value of each of those purchases. */
  expectedAverageValue: number;
  /** Expected purchases × expected average value, discounted when a rate is given. */
  expectedValue: number;
}

function checkOptions(options: CustomerValueOptions): { horizon: number; rate: number } {
  const horizon = options.horizonWeeks;
  const rate = options.discountRatePerWeek ?? 0;
  if (!(Number.isFinite(horizon) && horizon >= 0)) {
    throw new RangeError(`horizonWeeks must be finite and non-negative, got ${horizon}`);
  }
  if (!(Number.isFinite(rate) && rate >= 0)) {
    throw new RangeError(`discountRatePerWeek must be finite and non-negative, got ${rate}`);
  }
  return { horizon, rate };
}

/**
 * Expected purchases within the horizon, each discounted to the calibration end at the end of
 * the week it falls in (see {@link CustomerValueOptions.discountRatePerWeek}).
 */
function discountedExpectedPurchases(
  params: BgNbdParams,
  customer: CustomerRfm,
  horizon: number,
  rate: number,
): number {
  let total = 0;
  let previous = 0;
  for (let week = 1; week - 1 < horizon; week++) {
    const t = Math.min(week, horizon);
    const cumulative = bgNbdConditionalExpectedPurchases(params, customer, t);
    total += (cumulative - previous) / Math.pow(1 + rate, t);
    previous = cumulative;
  }
  return total;
}

/** Combines the two models for one customer. */
export function customerValue(
  customer: CustomerRfm,
  models: CustomerValueModels,
  options: CustomerValueOptions,
): CustomerValue {
  const { horizon, rate } = checkOptions(options);
  const expectedPurchases = bgNbdConditionalExpectedPurchases(models.bgNbd, customer, horizon);
  const expectedAverageValue = gammaGammaExpectedAverageValue(models.gammaGamma, customer);
  const valuedPurchases =
    rate === 0
      ? expectedPurchases
      : discountedExpectedPurchases(models.bgNbd, customer, horizon, rate);
  return {
    customerId: customer.customerId,
    probabilityAlive: bgNbdProbabilityAlive(models.bgNbd, customer),
    expectedPurchases,
    expectedAverageValue,
    expectedValue: valuedPurchases * expectedAverageValue,
  };
}

/** {@link customerValue} for every customer, in input order. */
export function customerValues(
  customers: readonly CustomerRfm[],
  models: CustomerValueModels,
  options: CustomerValueOptions,
): CustomerValue[] {
  return customers.map((customer) => customerValue(customer, models, options));
}
