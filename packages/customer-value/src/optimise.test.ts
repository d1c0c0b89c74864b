import { nelderMead } from './optimise';

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock valley', () => {
    const rosenbrock = ([x = 0, y = 0]: readonly number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    const result = nelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.point[0]).toBeCloseTo(1, 5);
    expect(result.point[1]).toBeCloseTo(1, 5);
  });

  it('minimises a badly scaled four-dimensional quadratic', () => {
    const centre = [3, -2, 0.5, 10];
    const scales = [1, 100, 0.01, 5];
    const f = (p: readonly number[]) =>
      p.reduce((s, v, i) => s + (scales[i] ?? 1) * (v - (centre[i] ?? 0)) ** 2, 0);
    const result = nelderMead(f, [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    result.point.forEach((v, i) => expect(v).toBeCloseTo(centre[i] ?? 0, 4));
  });

  it('treats NaN as +Infinity and reports a limit as not converged', () => {
    const f = ([x = 0]: readonly number[]) => (x < 0 ? NaN : (x - 2) ** 2);
    expect(nelderMead(f, [5]).point[0]).toBeCloseTo(2, 6);
    expect(nelderMead(f, [5], { maxEvaluations: 5 }).converged).toBe(false);
  });
});
