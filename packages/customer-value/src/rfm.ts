/**
 * Recency, frequency and monetary value per customer, in the conventions the published
 * customer-base models were estimated with (Fader, Hardie & Lee 2005, both papers; the CDNOW
 * summaries distributed by Hardie and by the `lifetimes` and `BTYD` libraries):
 *
 * - a transaction is a purchase DAY: several purchases by one customer on one calendar day are
 *   one transaction whose value is their sum. The models describe the timing of purchase
 *   occasions, and time is only known to the day;
 * - time is measured in weeks (days / 7) from the customer's first purchase, which is the
 *   customer's "birth" and is not itself counted (the models are for REPEAT transactions);
 * - the calibration period ends on a given day, and that day belongs to it.
 */

const MS_PER_DAY = 86_400_000;
const DAYS_PER_WEEK = 7;

/** A moment: a Date, milliseconds since the epoch, or an ISO 8601 string. */
export type Instant = string | Date | number;

/** The milliseconds since the epoch of an instant; NaN when it is not one. */
export function instantMillis(at: Instant): number {
  if (typeof at === 'number') return at;
  return at instanceof Date ? at.getTime() : Date.parse(at);
}

/** One purchase line. */
export interface Purchase {
  customerId: string;
  /**
   * When it happened: a Date, milliseconds since the epoch, or an ISO 8601 string. A bare date
   * (`1997-03-15`) is that calendar day; otherwise the purchase belongs to the UTC calendar day
   * of the instant (give date-times an offset: without one, JavaScript reads them as local time).
   */
  at: Instant;
  /** The purchase's monetary value (any currency unit, consistently). */
  amount: number;
}

/** Options for {@link rfmSummary}. */
export interface RfmOptions {
  /**
   * Last day of the calibration period, inclusive (a Date is taken at its UTC calendar day).
   * For the CDNOW studies this is 1997-09-30, the end of week 39 of 1997.
   */
  calibrationEnd: string | Date;
}

/** A customer's calibration-period summary: the sufficient statistics of BG/NBD and gamma-gamma. */
export interface CustomerRfm {
  customerId: string;
  /** The first purchase day, YYYY-MM-DD (UTC): time zero for this customer. */
  firstPurchase: string;
  /** Frequency x: repeat transactions (purchase days after the first) in calibration. */
  x: number;
  /** Recency t_x: weeks from the first purchase to the last one in calibration (0 if x = 0). */
  tx: number;
  /** Age T: weeks from the first purchase to the calibration end day. */
  T: number;
  /**
   * Monetary value m_x: the mean value of the x repeat transactions (each a purchase day's
   * total), as in the gamma-gamma spend model, where the first purchase is left out. 0 when x = 0
   * (the published summaries' convention; the spend model ignores it because x = 0).
   */
  monetaryValue: number;
}

/**
 * The UTC day number (days since 1970-01-01) of the calibration end, as {@link customerRfm}
 * takes it.
 *
 * @throws RangeError when `calibrationEnd` is not a valid date.
 */
export function calibrationEndDay(options: RfmOptions): number {
  const ms = instantMillis(options.calibrationEnd);
  if (!Number.isFinite(ms)) {
    throw new RangeError(`calibrationEnd: not a valid date: ${String(options.calibrationEnd)}`);
  }
  return Math.floor(ms / MS_PER_DAY);
}

function isoDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** One purchase of one customer: when (milliseconds since the epoch) and its amount. */
export type TimedAmount = readonly [at: number, amount: number];

const byTime = (x: TimedAmount, y: TimedAmount) => x[0] - y[0];

/**
 * One customer's summary (see {@link rfmSummary}) from their purchases as finite
 * [milliseconds, amount] pairs in any order, with the calibration end from
 * {@link calibrationEndDay}; null when they bought nothing on or before it (not yet a customer).
 */
export function customerRfm(
  customerId: string,
  purchases: readonly TimedAmount[],
  endDay: number,
): CustomerRfm | null {
  if (purchases.length === 0) return null;
  const sorted = purchases.length === 1 ? purchases : [...purchases].sort(byTime);
  const first = Math.floor(sorted[0]![0] / MS_PER_DAY);
  if (first > endDay) return null;
  // Sorted, a purchase day's purchases are consecutive: each day's total is added once it is
  // complete, days after the calibration end are ignored.
  let x = 0;
  let lastDay = first;
  let repeatValue = 0;
  let day = first;
  let dayTotal = 0;
  for (const [at, amount] of sorted) {
    const d = Math.floor(at / MS_PER_DAY);
    if (d > endDay) break;
    if (d !== day) {
      if (day !== first) repeatValue += dayTotal;
      x++;
      day = d;
      lastDay = d;
      dayTotal = 0;
    }
    dayTotal += amount;
  }
  if (day !== first) repeatValue += dayTotal;
  return {
    customerId,
    firstPurchase: isoDay(first),
    x,
    tx: (lastDay - first) / DAYS_PER_WEEK,
    T: (endDay - first) / DAYS_PER_WEEK,
    monetaryValue: x > 0 ? repeatValue / x : 0,
  };
}

/**
 * Summarises purchases into one {@link CustomerRfm} per customer whose first purchase is on or
 * before the calibration end (customers acquired later do not exist yet at calibration time).
 * Purchases after the calibration end are ignored. Customers come out in the order of their
 * first appearance in the input.
 *
 * T is measured in whole days to the calibration end day itself, so a customer whose first
 * purchase was 1997-01-01 has T = 272 / 7 = 38.86 weeks with calibration end 1997-09-30 —
 * exactly the published CDNOW summary. (Counting to the end of that day instead would add 1/7
 * week to every T and no longer reproduce the published data and estimates.) A purchase on the
 * calibration end day counts, with t_x = T.
 *
 * @throws RangeError for an unparseable date or a non-finite amount.
 */
export function rfmSummary(purchases: Iterable<Purchase>, options: RfmOptions): CustomerRfm[] {
  const endDay = calibrationEndDay(options);
  const byCustomer = new Map<string, TimedAmount[]>();
  for (const purchase of purchases) {
    const { customerId, amount } = purchase;
    if (!Number.isFinite(amount)) {
      throw new RangeError(`customer ${customerId}: amount is not a finite number: ${amount}`);
    }
    const at = instantMillis(purchase.at);
    if (!Number.isFinite(at)) {
      throw new RangeError(`customer ${customerId}: not a valid date: ${String(purchase.at)}`);
    }
    const list = byCustomer.get(customerId);
    if (list) list.push([at, amount]);
    else byCustomer.set(customerId, [[at, amount]]);
  }
  const summaries: CustomerRfm[] = [];
  for (const [customerId, list] of byCustomer) {
    const summary = customerRfm(customerId, list, endDay);
    if (summary) summaries.push(summary);
  }
  return summaries;
}
