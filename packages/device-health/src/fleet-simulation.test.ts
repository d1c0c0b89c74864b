import { mulberry32, simulateFleet } from './fleet-simulation';

describe('the fleet simulation', () => {
  it('draws the same numbers for the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const drawn = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(drawn);
    expect(drawn.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(drawn[0]);
  });

  it('is deterministic for a seed, and differs for another', () => {
    const options = { devices: 40, days: 45, seed: 7 };
    const first = simulateFleet(options);
    expect(simulateFleet(options)).toEqual(first);
    expect(simulateFleet({ ...options, seed: 8 })).not.toEqual(first);
    expect(first.readings).toBeGreaterThan(40 * 45 * 4);
  });

  // Seed 42, as specified, is one of the kinder seeds (0.95 / 0.95 / 3.0 days). Pooled over
  // seeds 1 to 10, the same fleet gives precision 0.87, recall 0.81 and a mean lead of 2.7
  // days, and single seeds range down to recall 0.65 (see the notes in fleet-simulation.ts).
  it('predicts failures with precision and recall of at least 0.8, two days ahead', () => {
    const m = simulateFleet({ devices: 200, days: 90, seed: 42 });
    expect(m.faultyDevices).toBeGreaterThanOrEqual(15);
    expect(m.precision).toBeGreaterThanOrEqual(0.8);
    expect(m.recall).toBeGreaterThanOrEqual(0.8);
    expect(m.meanLeadDays).toBeGreaterThanOrEqual(2);
    expect(m.falsePositivesPerDeviceMonth).toBeLessThan(0.02);
    expect(m.failuresSignalled).toBeGreaterThanOrEqual(m.faultyDevices - 1);
    expect(m.outagesSignalled).toBe(m.outages);
  });
});
