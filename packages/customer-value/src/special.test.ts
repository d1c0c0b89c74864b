import fc from 'fast-check';
import { hyp2f1, hyp2f1MinusOneOverB, logBeta, logGamma, logSumExp } from './special';

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 10);
    // Small arguments go through the reflection formula: lnΓ(x) ≈ -ln x - γ_Euler x.
    expect(logGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649015329e-8, 12);
    expect(logGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13);
    expect(logGamma(0)).toBe(Infinity);
  });

  it('satisfies the recurrence lnΓ(x+1) = lnΓ(x) + ln x', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (x) => {
        const difference = logGamma(x + 1) - logGamma(x) - Math.log(x);
        expect(Math.abs(difference)).toBeLessThan(1e-12 * Math.max(1, Math.abs(logGamma(x + 1))));
      }),
    );
  });

  it('gives ln B(a, b) with B(1, b) = 1/b', () => {
    expect(logBeta(1, 4)).toBeCloseTo(-Math.log(4), 14);
    expect(logBeta(2.5, 3.5)).toBeCloseTo(logBeta(3.5, 2.5), 14);
  });
});

describe('logSumExp', () => {
  it('adds numbers far below the smallest double', () => {
    expect(logSumExp(-2000, -2000)).toBeCloseTo(-2000 + Math.log(2), 12);
    expect(logSumExp(-2000, -Infinity)).toBe(-2000);
    expect(logSumExp(Math.log(3), Math.log(4))).toBeCloseTo(Math.log(7), 14);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms', () => {
    for (const z of [0, 0.1, 0.5, 0.9, 0.99, -0.7]) {
      // ₂F₁(1, 1; 2; z) = -ln(1-z)/z
      const log = z === 0 ? 1 : -Math.log1p(-z) / z;
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(log, 12);
      // ₂F₁(a, b; b; z) = (1-z)^-a
      expect(hyp2f1(0.3, 2.7, 2.7, z)).toBeCloseTo(Math.pow(1 - z, -0.3), 12);
    }
    // ₂F₁(1/2, 1/2; 3/2; z²) = arcsin(z)/z
    expect(hyp2f1(0.5, 0.5, 1.5, 0.81)).toBeCloseTo(Math.asin(0.9) / 0.9, 12);
    // A terminating series: ₂F₁(-2, b; c; z) is a polynomial.
    expect(hyp2f1(-2, 3, 4, 0.5)).toBeCloseTo(1 - (2 * 3 * 0.5) / 4 + (3 * 4 * 0.25) / (4 * 5), 14);
  });

  it('converges where the terms first grow and c - a - b < 0', () => {
    // ₂F₁(a, b; b; z) again, with a large a: terms rise before they fall.
    expect(hyp2f1(60, 5, 5, 0.95) / Math.pow(0.05, -60)).toBeCloseTo(1, 10);
  });

  it('refuses |z| >= 1 and a pole in c', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError);
  });

  it('gives (₂F₁ - 1)/b without the cancellation near b = 0', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.9, max: 3, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.double({ min: 0.5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        (a, b, c, z) => {
          const direct = (hyp2f1(a, b, c, z) - 1) / b;
          const reduced = hyp2f1MinusOneOverB(a, b, c, z);
          expect(Math.abs(reduced - direct)).toBeLessThan(1e-9 * Math.max(1, Math.abs(direct)));
        },
      ),
    );
    // Continuous through b = 0, where the direct form is 0/0.
    const atZero = hyp2f1MinusOneOverB(1.7, 0, 2.4, 0.6);
    expect(hyp2f1MinusOneOverB(1.7, 1e-9, 2.4, 0.6)).toBeCloseTo(atZero, 8);
    expect(hyp2f1MinusOneOverB(1.7, -1e-9, 2.4, 0.6)).toBeCloseTo(atZero, 8);
  });
});

describe('hyp2f1 stopping rule', () => {
  /** The plain series summed to a fixed, generous number of terms: no stopping rule at all. */
  function bruteForce(a: number, b: number, c: number, z: number, terms = 5000): number {
    let term = 1;
    let sum = 1;
    for (let n = 0; n < terms; n++) {
      term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
      sum += term;
    }
    return sum;
  }

  it('does not stop on tiny first terms that grow by orders of magnitude later', () => {
    // The first term is 1e-20 · 100 · 0.5; the terms then grow past 1e6 before they shrink.
    const value = hyp2f1(1e-20, 100, 1, 0.5);
    expect(value).toBeGreaterThan(1e6);
    expect(value / bruteForce(1e-20, 100, 1, 0.5)).toBeCloseTo(1, 12);
  });

  it('has the closed form -ln(1-z) for (₂F₁(a, b; a; z) - 1)/b at b = 0', () => {
    for (const z of [0.01, 0.5, 0.99]) {
      expect(hyp2f1MinusOneOverB(2.5, 0, 2.5, z)).toBeCloseTo(-Math.log1p(-z), 12);
    }
  });
});
