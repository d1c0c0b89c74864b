/**
 * The models against their published results on the data they were published with: the CDNOW
 * 1/10th sample (2,357 customers; see shared/data/cdnow/README.md), calibration period the 39
 * weeks 1997-01-01 to 1997-09-30.
 *
 * Sources of the reference numbers:
 * - BG/NBD estimates r = 0.243, α = 4.414, a = 0.793, b = 2.426 and log-likelihood -9582.4:
 *   Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science
 *   24(2). Looked up as quoted by CLVTools' tests ("As reported in Fader, Hardie, Lee (2005)";
 *   their own fit on this sample: 0.2425945, 4.4136019, 0.7929199, 2.4258881, LL -9582.429)
 *   and by lifetimes (tests/test_estimation.py `test_params_out_is_close_to_Hardie_paper`;
 *   docs/Quickstart.md: r 0.242593, alpha 4.413532, a 0.792886, b 2.425752 on 2,357 subjects).
 * - Gamma-gamma estimates p = 6.25, q = 3.74, γ = 15.44 on the 946 customers with x > 0:
 *   Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
 *   Analysis", JMR 42(4), and Fader & Hardie's note "The Gamma-Gamma Model of Monetary Value"
 *   (brucehardie.com/notes/025). Looked up as quoted by BTYD's spend.LL documentation ("in
 *   original documentation") and lifetimes' tests; lifetimes' Quickstart prints p 6.25, q 3.74,
 *   v 15.45 for 946 subjects.
 * - E[Y(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226, E[X(t)] at t = 0.1429 … 78 weeks, and E[M]
 *   of customers 1-10: Hardie's Excel sheets for the two papers, as quoted by lifetimes' tests
 *   (`test_conditional_expectation_returns_same_value_as_Hardie_excel_sheet`,
 *   `test_expectation_returns_same_value_Hardie_excel_sheet`,
 *   `test_conditional_expected_average_profit`).
 * - The customer-level summaries (customer 1: x 2, t_x 30.43, T 38.86, m_x 22.35; customer 6:
 *   x 7, t_x 29.43, m_x 73.74): the published summary distributed with lifetimes
 *   (cdnow_customers_summary_with_transactions.csv, shown in its Quickstart).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from './bg-nbd';
import { parseCdnowSample } from './cdnow';
import { customerValues } from './customer-value';
import { fitGammaGamma, gammaGammaExpectedAverageValue } from './gamma-gamma';
import { rfmSummary } from './rfm';

// The repository is checked out beside shared/ (locally /work/main and /work/shared; in CI a
// fresh clone of main with shared/ next to it): src -> package -> packages -> repo -> parent.
const file = path.join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'data',
  'cdnow',
  'CDNOW_sample.txt',
);

const purchases = parseCdnowSample(readFileSync(file, 'utf8'));
const customers = rfmSummary(purchases, { calibrationEnd: '1997-09-30' });
const bgNbd = fitBgNbd(customers);
const gammaGamma = fitGammaGamma(customers);

/** |actual / expected - 1| <= 1%. */
function expectWithinOnePercent(actual: number, expected: number): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(0.01);
}

function customer(id: string) {
  const found = customers.find((c) => c.customerId === id);
  if (!found) throw new Error(`customer ${id} is not in the sample`);
  return found;
}

describe('the CDNOW sample', () => {
  it('summarises into the published data: purchase days, weeks, T to the end day', () => {
    expect(purchases).toHaveLength(6919);
    expect(customers).toHaveLength(2357);
    expect(customers.filter((c) => c.x > 0)).toHaveLength(946);
    // Customer 1 bought 1997-01-01, -01-18, -08-02 (and in the hold-out): x = 2, t_x = 213 days.
    // T = 272 days = 38.86 weeks, as published; measured to the END of 1997-09-30 (39.0 weeks)
    // it would not match, and the BG/NBD estimates would move by 2-3% (a: 0.814, b: 2.477).
    expect(customer('1')).toEqual({
      customerId: '1',
      firstPurchase: '1997-01-01',
      x: 2,
      tx: 213 / 7,
      T: 272 / 7,
      monetaryValue: (29.73 + 14.96) / 2,
    });
    expect(customer('1').T).toBeCloseTo(38.86, 2);
    expect(customer('1').tx).toBeCloseTo(30.43, 2);
    expect(customer('6').x).toBe(7);
    expect(customer('6').tx).toBeCloseTo(29.43, 2);
    expect(customer('6').monetaryValue).toBeCloseTo(73.74, 2);
  });

  it('fits BG/NBD to the published estimates (Fader, Hardie & Lee 2005)', () => {
    expect(bgNbd.converged).toBe(true);
    expect(bgNbd.customers).toBe(2357);
    expectWithinOnePercent(bgNbd.params.r, 0.243);
    expectWithinOnePercent(bgNbd.params.alpha, 4.414);
    expectWithinOnePercent(bgNbd.params.a, 0.793);
    expectWithinOnePercent(bgNbd.params.b, 2.426);
    // Published to one decimal; CLVTools gets -9582.429.
    expect(Math.abs(bgNbd.logLikelihood - -9582.4)).toBeLessThan(0.05);
  });

  it("reproduces the BG/NBD expectations of Hardie's spreadsheet", () => {
    const expected = bgNbdConditionalExpectedPurchases(
      bgNbd.params,
      { x: 2, tx: 30.43, T: 38.86 },
      39,
    );
    expect(Math.abs(expected - 1.226)).toBeLessThan(0.001);
    const table: [number, number][] = [
      [0.1429, 0.0078],
      [1, 0.0532],
      [3, 0.1506],
      [31.8571, 1.0405],
      [32, 1.0437],
      [78, 1.8576],
    ];
    for (const [t, value] of table) {
      expect(Math.abs(bgNbdExpectedPurchases(bgNbd.params, t) - value)).toBeLessThan(0.001);
    }
  });

  it('fits gamma-gamma to the published estimates on the 946 repeat buyers', () => {
    expect(gammaGamma.converged).toBe(true);
    expect(gammaGamma.customers).toBe(946);
    expectWithinOnePercent(gammaGamma.params.p, 6.25);
    expectWithinOnePercent(gammaGamma.params.q, 3.74);
    expectWithinOnePercent(gammaGamma.params.gamma, 15.44);
  });

  it("reproduces E[M] of customers 1-10 from Hardie's spreadsheet", () => {
    const published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    published.forEach((value, i) => {
      const m = gammaGammaExpectedAverageValue(gammaGamma.params, customer(String(i + 1)));
      expect(Math.abs(m - value)).toBeLessThan(0.01);
    });
  });

  it('values every customer sensibly over the 39-week hold-out', () => {
    const values = customerValues(
      customers,
      { bgNbd: bgNbd.params, gammaGamma: gammaGamma.params },
      { horizonWeeks: 39 },
    );
    expect(values).toHaveLength(2357);
    for (const [i, value] of values.entries()) {
      const c = customers[i];
      expect(value.customerId).toBe(c?.customerId);
      expect(value.probabilityAlive).toBeGreaterThan(0);
      expect(value.probabilityAlive).toBeLessThanOrEqual(1);
      expect(value.expectedPurchases).toBeGreaterThan(0);
      expect(value.expectedValue).toBeCloseTo(
        value.expectedPurchases * value.expectedAverageValue,
        9,
      );
    }
    // One-time buyers are all "alive" under BG/NBD; a buyer silent for long after many
    // purchases is less likely to be.
    expect(bgNbdProbabilityAlive(bgNbd.params, customer('3'))).toBe(1);
    expect(bgNbdProbabilityAlive(bgNbd.params, customer('6'))).toBeLessThan(
      bgNbdProbabilityAlive(bgNbd.params, { ...customer('6'), tx: customer('6').T }),
    );
  });
});
