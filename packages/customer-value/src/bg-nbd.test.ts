import fc from 'fast-check';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdCustomerLogLikelihood,
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  type BgNbdParams,
  fitBgNbd,
} from './bg-nbd';
import { hyp2f1 } from './special';

// The published CDNOW estimates (Fader, Hardie & Lee 2005), as plausible parameters.
const cdnow: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

const params = fc.record({
  r: fc.double({ min: 0.05, max: 5, noNaN: true }),
  alpha: fc.double({ min: 0.1, max: 50, noNaN: true }),
  a: fc.double({ min: 0.05, max: 5, noNaN: true }),
  b: fc.double({ min: 0.05, max: 5, noNaN: true }),
});
const history = fc
  .record({
    x: fc.integer({ min: 0, max: 40 }),
    T: fc.double({ min: 0.5, max: 80, noNaN: true }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ x, T, share }) => ({ x, T, tx: x === 0 ? 0 : share * T }));

/** The paper's conditional expectation written out literally, to check the transformed form. */
function literalConditionalExpectation(
  p: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  t: number,
) {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  const bracket =
    ((a + b + x - 1) / (a - 1)) *
    (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z));
  const denominator =
    1 + (x > 0 ? (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 0);
  return bracket / denominator;
}

describe('BG/NBD log-likelihood', () => {
  it('equals the likelihood worked out by hand for r = a = b = 1', () => {
    // B(1, 1) = 1, B(1, 1+x) = 1/(1+x), B(2, x) = 1/(x(x+1)), Γ(1+x)/Γ(1) = x!.
    const p = { r: 1, alpha: 2, a: 1, b: 1 };
    const expected = (1 / 3) * ((2 * 2) / 12 ** 3) + (1 / 6) * ((2 * 2) / 8 ** 3);
    expect(bgNbdCustomerLogLikelihood(p, { x: 2, tx: 6, T: 10 })).toBeCloseTo(
      Math.log(expected),
      12,
    );
    // x = 0: only "alive at T" with probability (α/(α+T))^r.
    expect(bgNbdCustomerLogLikelihood(p, { x: 0, tx: 0, T: 10 })).toBeCloseTo(Math.log(2 / 12), 12);
  });

  it('sums over customers and stays finite for heavy buyers', () => {
    const a = { x: 3, tx: 20, T: 30 };
    const b = { x: 0, tx: 0, T: 12 };
    expect(bgNbdLogLikelihood(cdnow, [a, b])).toBeCloseTo(
      bgNbdCustomerLogLikelihood(cdnow, a) + bgNbdCustomerLogLikelihood(cdnow, b),
      10,
    );
    expect(Number.isFinite(bgNbdCustomerLogLikelihood(cdnow, { x: 500, tx: 70, T: 78 }))).toBe(
      true,
    );
  });

  it('rejects invalid parameters and histories', () => {
    expect(() => bgNbdLogLikelihood({ ...cdnow, a: 0 }, [])).toThrow(RangeError);
    expect(() => bgNbdLogLikelihood(cdnow, [{ x: 1.5, tx: 1, T: 2 }])).toThrow(RangeError);
    expect(() => bgNbdLogLikelihood(cdnow, [{ x: 1, tx: 3, T: 2 }])).toThrow(RangeError);
    expect(() => fitBgNbd([])).toThrow(RangeError);
  });
});

describe('BG/NBD fit', () => {
  /** A small deterministic generator (mulberry32), so the simulated data never changes. */
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  /** Gamma(shape, 1) by Marsaglia & Tsang, with the usual boost for shape < 1. */
  function gamma(u: () => number, shape: number): number {
    if (shape < 1) return gamma(u, shape + 1) * Math.pow(u(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      // A standard normal by Box–Muller.
      const n = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
      const v = (1 + c * n) ** 3;
      if (v > 0 && Math.log(1 - u()) < 0.5 * n * n + d - d * v + d * Math.log(v)) return d * v;
    }
  }
  /** Histories simulated from the model's own story, observed for T weeks (default 26 to 39). */
  function simulate(p: BgNbdParams, customers: number, seed: number, weeks?: number) {
    const u = random(seed);
    return Array.from({ length: customers }, () => {
      const T = weeks ?? 26 + 13 * u();
      const lambda = gamma(u, p.r) / p.alpha;
      const ga = gamma(u, p.a);
      const dropout = ga / (ga + gamma(u, p.b));
      let x = 0;
      let tx = 0;
      let t = 0;
      for (;;) {
        t += -Math.log(1 - u()) / lambda;
        if (t > T) break;
        x++;
        tx = t;
        if (u() < dropout) break;
      }
      return { x, tx, T };
    });
  }

  const truth: BgNbdParams = { r: 0.5, alpha: 5, a: 0.8, b: 2.5 };
  const histories = simulate(truth, 4000, 20050401);
  const fit = fitBgNbd(histories);

  it('converges to a maximum: no nearby parameter set has a higher likelihood', () => {
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(4000);
    expect(fit.logLikelihood).toBeCloseTo(bgNbdLogLikelihood(fit.params, histories), 8);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      for (const factor of [0.995, 1.005]) {
        const nudged = { ...fit.params, [key]: fit.params[key] * factor };
        expect(bgNbdLogLikelihood(nudged, histories)).toBeLessThan(fit.logLikelihood);
      }
    }
    // The true parameters explain the data, but not better than the estimate.
    expect(bgNbdLogLikelihood(truth, histories)).toBeLessThan(fit.logLikelihood);
  });

  it('recovers the parameters the data were simulated with', () => {
    // Sampling error on 4,000 customers: a few percent for r and α, more for a and b, which the
    // likelihood pins down less sharply (their published standard errors are large too).
    expect(fit.params.r).toBeGreaterThan(truth.r * 0.9);
    expect(fit.params.r).toBeLessThan(truth.r * 1.1);
    expect(fit.params.alpha).toBeGreaterThan(truth.alpha * 0.85);
    expect(fit.params.alpha).toBeLessThan(truth.alpha * 1.15);
    expect(fit.params.a).toBeGreaterThan(truth.a * 0.6);
    expect(fit.params.a).toBeLessThan(truth.a * 1.4);
    expect(fit.params.b).toBeGreaterThan(truth.b * 0.6);
    expect(fit.params.b).toBeLessThan(truth.b * 1.4);
  });

  it('has E[X(t)] equal to the mean count of simulated new customers', () => {
    const weeks = 20;
    const counts = simulate(truth, 20000, 7, weeks).map((h) => h.x);
    const mean = counts.reduce((s, x) => s + x, 0) / counts.length;
    const variance = counts.reduce((s, x) => s + (x - mean) ** 2, 0) / (counts.length - 1);
    const standardError = Math.sqrt(variance / counts.length);
    expect(Math.abs(mean - bgNbdExpectedPurchases(truth, weeks))).toBeLessThan(4 * standardError);
  });
});

describe('P(alive)', () => {
  it('is 1 for a customer with no repeat purchase', () => {
    expect(bgNbdProbabilityAlive(cdnow, { x: 0, tx: 0, T: 38.86 })).toBe(1);
  });

  it('falls as the time since the last purchase grows, for fixed x and t_x', () => {
    fc.assert(
      fc.property(
        params,
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.double({ min: 0.01, max: 40, noNaN: true }),
        (p, x, tx, gap, more) => {
          const nearer = bgNbdProbabilityAlive(p, { x, tx, T: tx + gap });
          const farther = bgNbdProbabilityAlive(p, { x, tx, T: tx + gap + more });
          expect(nearer).toBeGreaterThan(0);
          expect(nearer).toBeLessThan(1);
          expect(farther).toBeLessThanOrEqual(nearer);
        },
      ),
    );
  });

  it('is a clean 0, not NaN, after a very long silence', () => {
    expect(bgNbdProbabilityAlive(cdnow, { x: 400, tx: 1, T: 5000 })).toBe(0);
  });
});

describe('expected purchases', () => {
  it('E[Y(t) | …] grows with t from 0', () => {
    fc.assert(
      fc.property(
        params,
        history,
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (p, h, t, more) => {
          expect(bgNbdConditionalExpectedPurchases(p, h, 0)).toBe(0);
          const sooner = bgNbdConditionalExpectedPurchases(p, h, t);
          const later = bgNbdConditionalExpectedPurchases(p, h, t + more);
          expect(sooner).toBeGreaterThanOrEqual(0);
          expect(later).toBeGreaterThan(sooner);
        },
      ),
    );
  });

  it("agrees with the paper's formula written out literally", () => {
    fc.assert(
      fc.property(
        params.filter((p) => Math.abs(p.a - 1) > 0.05),
        history.filter((h) => h.x <= 10),
        fc.double({ min: 0.1, max: 60, noNaN: true }),
        (p, h, t) => {
          const literal = literalConditionalExpectation(p, h.x, h.tx, h.T, t);
          const ours = bgNbdConditionalExpectedPurchases(p, h, t);
          expect(Math.abs(ours - literal)).toBeLessThan(1e-8 * Math.max(1, literal));
        },
      ),
    );
  });

  it('is continuous through a = 1, where the formula is 0/0', () => {
    const h = { x: 3, tx: 20, T: 30 };
    const at = bgNbdConditionalExpectedPurchases({ ...cdnow, a: 1 }, h, 26);
    expect(bgNbdConditionalExpectedPurchases({ ...cdnow, a: 1 + 1e-9 }, h, 26)).toBeCloseTo(at, 8);
    expect(bgNbdConditionalExpectedPurchases({ ...cdnow, a: 1 - 1e-9 }, h, 26)).toBeCloseTo(at, 8);
    expect(bgNbdExpectedPurchases({ ...cdnow, a: 1 }, 26)).toBeCloseTo(
      bgNbdExpectedPurchases({ ...cdnow, a: 1 + 1e-9 }, 26),
      8,
    );
  });

  it('E[X(t)] is the conditional expectation of a customer just acquired', () => {
    for (const t of [0.5, 10, 52, 520]) {
      expect(bgNbdExpectedPurchases(cdnow, t)).toBeCloseTo(
        bgNbdConditionalExpectedPurchases(cdnow, { x: 0, tx: 0, T: 0 }, t),
        12,
      );
    }
    // For small t, purchases accrue at the mean rate r/α while everyone is alive.
    expect(bgNbdExpectedPurchases(cdnow, 1e-4) / 1e-4).toBeCloseTo(cdnow.r / cdnow.alpha, 4);
  });

  it('handles heavy buyers and long horizons', () => {
    const value = bgNbdConditionalExpectedPurchases(cdnow, { x: 300, tx: 77, T: 78 }, 520);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
  });

  it('rejects a negative horizon', () => {
    expect(() => bgNbdExpectedPurchases(cdnow, -1)).toThrow(RangeError);
  });
});
