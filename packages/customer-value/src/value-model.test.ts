import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseCdnowSample } from './cdnow';
import { bgNbdConditionalExpectedPurchases } from './bg-nbd';
import { rfmSummary, type Purchase } from './rfm';
import { SpecialFunctionError, hyp2f1 } from './special';
import {
  fitValueModels,
  historySummariser,
  predictCustomer,
  screenPurchases,
  type SkipReason,
  type SkippedCustomer,
} from './value-model';

const CALIBRATION_END = '1997-09-30';
const NOW = '1998-01-01T00:00:00Z';
const EARLIEST = '1990-01-01';
const HORIZON_WEEKS = 52;
const DAY = 86_400_000;
const FIRST_DAY = Date.parse('1996-01-01');
const LAST_DAY = Date.parse(CALIBRATION_END);

/** What may be wrong with one customer's history, and the reason it must be skipped for. */
const OUTLIERS: Array<{ reason: SkipReason; purchase: (id: string) => Purchase }> = [
  {
    reason: 'BEFORE_EARLIEST',
    purchase: (id) => ({ customerId: id, at: '0001-01-01', amount: 20 }),
  },
  {
    reason: 'BEFORE_EARLIEST',
    purchase: (id) => ({ customerId: id, at: '1950-06-01', amount: 20 }),
  },
  { reason: 'IN_FUTURE', purchase: (id) => ({ customerId: id, at: '2031-03-01', amount: 20 }) },
  {
    reason: 'INVALID_AMOUNT',
    purchase: (id) => ({ customerId: id, at: '1997-05-01', amount: Number.NaN }),
  },
  {
    reason: 'INVALID_AMOUNT',
    purchase: (id) => ({ customerId: id, at: '1997-05-02', amount: Number.POSITIVE_INFINITY }),
  },
  { reason: 'INVALID_DATE', purchase: (id) => ({ customerId: id, at: 'not a date', amount: 20 }) },
];

const plausiblePurchase = fc.record({
  day: fc.integer({ min: 0, max: (LAST_DAY - FIRST_DAY) / DAY + 60 }), // some after asOf
  amount: fc.double({ min: 0, max: 500, noNaN: true }),
});

const customerArb = fc.record({
  purchases: fc.array(plausiblePurchase, { minLength: 1, maxLength: 8 }),
  outlier: fc.option(fc.integer({ min: 0, max: OUTLIERS.length - 1 }), { freq: 4 }),
});

const populationArb = fc.array(customerArb, { minLength: 1, maxLength: 30 });

type Population = Array<{
  purchases: Array<{ day: number; amount: number }>;
  outlier: number | null;
}>;

function purchasesOf(population: Population): {
  purchases: Purchase[];
  implausible: Map<string, SkipReason>;
} {
  const purchases: Purchase[] = [];
  const implausible = new Map<string, SkipReason>();
  population.forEach((customer, i) => {
    const id = `c${i}`;
    for (const p of customer.purchases) {
      purchases.push({
        customerId: id,
        at: new Date(FIRST_DAY + p.day * DAY).toISOString().slice(0, 10),
        amount: p.amount,
      });
    }
    if (customer.outlier !== null) {
      const outlier = OUTLIERS[customer.outlier];
      if (outlier) {
        purchases.splice(Math.floor(purchases.length / 2), 0, outlier.purchase(id));
        implausible.set(id, outlier.reason);
      }
    }
  });
  return { purchases, implausible };
}

/** The whole job in memory: screen, summarise, fit, predict. */
function run(purchases: Purchase[]) {
  const screened = screenPurchases(purchases, { earliestPurchase: EARLIEST, now: NOW });
  const customers = rfmSummary(screened.purchases, { calibrationEnd: CALIBRATION_END });
  // Small random populations often have their optimum on the boundary, where the search uses
  // every evaluation it may: capped lower than in production to keep the property quick.
  const optimiser = { maxEvaluations: 2_000 };
  const fit = fitValueModels(customers, { bgNbd: { optimiser }, gammaGamma: { optimiser } });
  const skipped: SkippedCustomer[] = [...screened.skipped, ...fit.skipped];
  const predicted = new Map<string, number>();
  for (const c of fit.customers) {
    const outcome = predictCustomer(c, fit, HORIZON_WEEKS);
    if (outcome.ok) predicted.set(c.customerId, outcome.prediction.expectedPurchases);
    else skipped.push(outcome.skipped);
  }
  return { screened, customers, fit, skipped, predicted };
}

describe('the value model over a population with outliers', () => {
  it('never throws, skips exactly the implausible and the failing, and is not moved by them', () => {
    fc.assert(
      fc.property(populationArb, (population) => {
        const { purchases, implausible } = purchasesOf(population);
        const result = run(purchases);

        // The implausible customers are skipped, each for its own reason, and nobody else is
        // skipped as implausible.
        const screenedOut = new Map(result.screened.skipped.map((s) => [s.customerId, s.reason]));
        expect(screenedOut).toEqual(implausible);

        // Whoever else is skipped really fails: their likelihood or prediction is not finite.
        for (const s of result.fit.skipped.concat(
          result.skipped.filter((x) => x.reason === 'PREDICTION_FAILED'),
        )) {
          expect(implausible.has(s.customerId)).toBe(false);
          expect(['FIT_FAILED', 'PREDICTION_FAILED', 'INVALID_AMOUNT']).toContain(s.reason);
          if (s.reason === 'PREDICTION_FAILED' && result.fit.bgNbd) {
            const c = result.customers.find((x) => x.customerId === s.customerId);
            expect(c).toBeDefined();
            let value = Number.NaN;
            try {
              value = bgNbdConditionalExpectedPurchases(result.fit.bgNbd.params, c!, HORIZON_WEEKS);
            } catch {
              // failing is what makes it skipped
            }
            expect(Number.isFinite(value)).toBe(false);
          }
        }
        // Everyone fitted and not skipped has a finite prediction; every customer is accounted for.
        for (const value of result.predicted.values()) expect(Number.isFinite(value)).toBe(true);
        const everyone = new Set(purchases.map((p) => p.customerId));
        const calibrated = new Set(
          rfmSummary(result.screened.purchases, { calibrationEnd: CALIBRATION_END }).map(
            (c) => c.customerId,
          ),
        );
        const skippedIds = new Set(result.skipped.map((s) => s.customerId));
        for (const id of everyone) {
          const accounted = result.predicted.has(id) || skippedIds.has(id);
          // Customers whose first plausible purchase is after the calibration end are not yet
          // customers at calibration time: neither predicted nor skipped.
          expect(accounted).toBe(calibrated.has(id) || implausible.has(id));
        }

        // The outliers do not move the fit: it is the fit of the plausible customers alone.
        const clean = run(purchases.filter((p) => !implausible.has(p.customerId)));
        expect(result.fit.bgNbd?.params).toEqual(clean.fit.bgNbd?.params);
        expect(result.fit.gammaGamma?.params).toEqual(clean.fit.gammaGamma?.params);
        expect(result.predicted).toEqual(clean.predicted);
      }),
      { numRuns: 40, seed: 20240501 },
    );
  });

  it('reproduces the reported failure: a 0001-01-01 order no longer breaks everyone', () => {
    const orders: Array<[string, string, number]> = [
      ['a', '2024-01-02', 10],
      ['a', '2024-02-10', 20],
      ['a', '2024-03-15', 30],
      ['b', '2024-01-20', 15],
      ['b', '2024-01-27', 25],
      ['c', '2024-02-01', 40],
      ['d', '0001-01-01', 5],
      ['d', '2024-03-01', 5],
    ];
    const purchases = orders.map(([customerId, at, amount]) => ({ customerId, at, amount }));
    const calibrationEnd = '2024-04-30';

    // Without the screen, the fit runs off to a and b in the millions and 2F1 fails for all.
    const unscreened = fitValueModels(rfmSummary(purchases, { calibrationEnd }));
    const failures = unscreened.customers
      .filter((c) => c.customerId !== 'd')
      .map((c) => predictCustomer(c, unscreened, 90 / 7));
    expect(failures.every((o) => !o.ok && o.skipped.reason === 'PREDICTION_FAILED')).toBe(true);
    expect(failures[0]).toMatchObject({ skipped: { message: /NOT_CONVERGED: .*2F1/ } });

    const screened = screenPurchases(purchases, { now: '2024-05-01T00:00:00Z' });
    expect(screened.skipped).toEqual([
      {
        customerId: 'd',
        reason: 'BEFORE_EARLIEST',
        message: 'purchase on 0001-01-01 is before 1990-01-01',
      },
    ]);
    const fit = fitValueModels(rfmSummary(screened.purchases, { calibrationEnd }));
    const outcomes = fit.customers.map((c) => predictCustomer(c, fit, 90 / 7));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
  });

  it('reproduces the published CDNOW estimates within its bounds, skipping nobody', () => {
    // Beside /work/main is shared/ (see cdnow.test.ts for the sources of the numbers).
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
    const screened = screenPurchases(purchases, { now: '2024-01-01T00:00:00Z' });
    expect(screened.skipped).toEqual([]);
    const fit = fitValueModels(rfmSummary(screened.purchases, { calibrationEnd: CALIBRATION_END }));
    expect(fit.skipped).toEqual([]);
    const within1 = (actual: number | undefined, expected: number) =>
      expect(Math.abs((actual ?? Number.NaN) / expected - 1)).toBeLessThanOrEqual(0.01);
    within1(fit.bgNbd?.params.r, 0.243);
    within1(fit.bgNbd?.params.alpha, 4.414);
    within1(fit.bgNbd?.params.a, 0.793);
    within1(fit.bgNbd?.params.b, 2.426);
    within1(fit.bgNbd?.logLikelihood, -9582.4);
    within1(fit.gammaGamma?.params.p, 6.25);
    within1(fit.gammaGamma?.params.q, 3.74);
    within1(fit.gammaGamma?.params.gamma, 15.44);
    expect(fit.customers).toHaveLength(2357);
  });

  it('fits nobody without failing when nobody is left', () => {
    expect(fitValueModels([])).toEqual({
      bgNbd: null,
      gammaGamma: null,
      customers: [],
      skipped: [],
    });
  });
});

describe('historySummariser', () => {
  it('judges and summarises each customer as screenPurchases and rfmSummary do the population', () => {
    const options = { earliestPurchase: EARLIEST, now: NOW, calibrationEnd: CALIBRATION_END };
    fc.assert(
      fc.property(populationArb, (population) => {
        const { purchases } = purchasesOf(population);
        const screened = screenPurchases(purchases, options);
        const expected = rfmSummary(screened.purchases, options);

        const byCustomer = new Map<string, Array<[number, number]>>();
        for (const p of purchases) {
          const list = byCustomer.get(p.customerId) ?? [];
          list.push([Date.parse(String(p.at)), p.amount]);
          byCustomer.set(p.customerId, list);
        }
        const summarise = historySummariser(options);
        const summaries = [];
        const skipped = [];
        for (const [id, history] of byCustomer) {
          const outcome = summarise(id, history);
          if (outcome.skipped) skipped.push(outcome.skipped);
          else if (outcome.summary) summaries.push(outcome.summary);
        }
        expect(summaries).toEqual(expected);
        expect(skipped.map((s) => [s.customerId, s.reason])).toEqual(
          screened.skipped.map((s) => [s.customerId, s.reason]),
        );
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });

  it('takes the histories in any order, and a customer without purchases as not yet one', () => {
    const summarise = historySummariser({ now: NOW, calibrationEnd: CALIBRATION_END });
    const history: Array<[number, number]> = [
      [Date.parse('1997-02-12T10:00:00Z'), 25],
      [Date.parse('1997-01-15T18:00:00Z'), 5],
      [Date.parse('1997-10-02T00:00:00Z'), 99], // after the calibration end: ignored
      [Date.parse('1997-01-01T09:00:00Z'), 30],
      [Date.parse('1997-01-15T08:00:00Z'), 10],
    ];
    expect(summarise('c1', history).summary).toEqual({
      customerId: 'c1',
      firstPurchase: '1997-01-01',
      x: 2,
      tx: 6,
      T: 272 / 7,
      monetaryValue: 20,
    });
    expect(summarise('c2', [])).toEqual({ summary: null });
    expect(summarise('c3', [[Date.parse('1997-10-05'), 1]])).toEqual({ summary: null });
    expect(summarise('c4', [[Date.parse('1980-01-01'), 1]]).skipped).toMatchObject({
      customerId: 'c4',
      reason: 'BEFORE_EARLIEST',
      message: 'purchase on 1980-01-01T00:00:00.000Z is before 1990-01-01',
    });
    expect(
      summarise('c5', [
        [Date.parse('1997-01-01'), 1],
        [null, 2],
      ]).skipped,
    ).toMatchObject({
      customerId: 'c5',
      reason: 'INVALID_DATE',
    });
    expect(() => historySummariser({ now: NOW, calibrationEnd: 'never' })).toThrow(RangeError);
  });
});

describe('screenPurchases', () => {
  it('judges instants given in milliseconds, including ones no Date can hold', () => {
    const now = '2026-01-01T00:00:00Z';
    const { purchases, skipped } = screenPurchases(
      [
        { customerId: 'ok', at: Date.parse('2025-05-01T00:00:00Z'), amount: 5 },
        { customerId: 'old', at: Date.parse('1950-06-01T00:00:00Z'), amount: 5 },
        { customerId: 'far', at: 9e15, amount: 5 },
        { customerId: 'nan', at: Number.NaN, amount: 5 },
      ],
      { now },
    );
    expect(purchases.map((p) => p.customerId)).toEqual(['ok']);
    expect(skipped.map((s) => [s.customerId, s.reason])).toEqual([
      ['old', 'BEFORE_EARLIEST'],
      ['far', 'IN_FUTURE'],
      ['nan', 'INVALID_DATE'],
    ]);
    expect(skipped[0]?.message).toBe('purchase on 1950-06-01T00:00:00.000Z is before 1990-01-01');
    expect(skipped[1]?.message).toBe('purchase on 9000000000000000 is in the future');
  });
});

describe('the special functions fail with a typed error', () => {
  it('says when the series does not converge, and with which arguments', () => {
    let caught: unknown;
    try {
      hyp2f1(10425878, 5996283, 10425880, 0.42, { maxTerms: 1_000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecialFunctionError);
    expect(caught).toBeInstanceOf(RangeError);
    expect(caught).toMatchObject({
      code: 'NOT_CONVERGED',
      fn: '2F1',
      args: [10425878, 5996283, 10425880, 0.42],
    });
  });

  it('says when the arguments are outside the domain', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(expect.objectContaining({ code: 'OUT_OF_DOMAIN' }));
    expect(() => hyp2f1(Number.NaN, 1, 2, 0.5)).toThrow(SpecialFunctionError);
  });
});
