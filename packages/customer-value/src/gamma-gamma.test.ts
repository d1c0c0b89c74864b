import fc from 'fast-check';
import {
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  gammaGammaLogLikelihood,
  gammaGammaPopulationMean,
} from './gamma-gamma';

const cdnow = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('gamma-gamma log-likelihood', () => {
  it('equals the density worked out by hand', () => {
    // p = 1, q = 2, γ = 3, x = 1, m = 4: Γ(3)/(Γ(1)Γ(2)) · 3² · 4⁰ · 1¹ / (3 + 4)³
    const ll = gammaGammaLogLikelihood({ p: 1, q: 2, gamma: 3 }, [{ x: 1, monetaryValue: 4 }]);
    expect(ll).toBeCloseTo(Math.log((2 * 9) / 343), 12);
  });

  it('skips customers with no repeat transaction', () => {
    const withZero = gammaGammaLogLikelihood(cdnow, [
      { x: 2, monetaryValue: 20 },
      { x: 0, monetaryValue: 0 },
    ]);
    expect(withZero).toBeCloseTo(gammaGammaLogLikelihood(cdnow, [{ x: 2, monetaryValue: 20 }]), 12);
  });

  it('rejects non-positive spend and fits that have nothing to fit', () => {
    expect(() => gammaGammaLogLikelihood(cdnow, [{ x: 1, monetaryValue: 0 }])).toThrow(RangeError);
    expect(() => fitGammaGamma([{ x: 0, monetaryValue: 0 }])).toThrow(RangeError);
  });
});

describe('E[M | x, m_x]', () => {
  it('is the population mean for x = 0', () => {
    const mean = (6.25 * 15.44) / (3.74 - 1);
    expect(gammaGammaPopulationMean(cdnow)).toBeCloseTo(mean, 12);
    expect(gammaGammaExpectedAverageValue(cdnow, { x: 0, monetaryValue: 0 })).toBeCloseTo(mean, 12);
  });

  it('is the weighted average of population mean and m_x, moving to m_x as x grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        (x, mx) => {
          const { p, q } = cdnow;
          const weight = (p * x) / (p * x + q - 1);
          const expected = (1 - weight) * gammaGammaPopulationMean(cdnow) + weight * mx;
          const value = gammaGammaExpectedAverageValue(cdnow, { x, monetaryValue: mx });
          expect(value).toBeCloseTo(expected, 8);
          const more = gammaGammaExpectedAverageValue(cdnow, { x: x + 1, monetaryValue: mx });
          expect(Math.abs(more - mx)).toBeLessThanOrEqual(Math.abs(value - mx) + 1e-9);
        },
      ),
    );
  });

  it('refuses an infinite expectation (q <= 1 and x = 0)', () => {
    expect(() => gammaGammaPopulationMean({ p: 2, q: 0.9, gamma: 10 })).toThrow(RangeError);
  });
});
