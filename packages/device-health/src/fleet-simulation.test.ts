import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mulberry32, simulateFleet, type FleetMetrics } from './fleet-simulation';

const run = promisify(execFile);

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
});

/** Seeds 1 to 40: every seed of a range, none chosen for its result. */
const FLEET = { devices: 200, days: 90 };

/** Runs `simulateFleet` on the fleet for each seed in a child process; ended on a timeout. */
async function simulateElsewhere(
  seeds: number[],
): Promise<Array<{ seed: number; m: FleetMetrics }>> {
  const script = `
    const { simulateFleet } = require(process.argv[1]);
    const seeds = JSON.parse(process.argv[2]);
    const fleet = JSON.parse(process.argv[3]);
    process.stdout.write(JSON.stringify(seeds.map((seed) => ({ seed, m: simulateFleet({ ...fleet, seed }) }))));`;
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      script,
      join(__dirname, 'fleet-simulation.ts'),
      JSON.stringify(seeds),
      JSON.stringify(FLEET),
    ],
    { timeout: 840_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Array<{ seed: number; m: FleetMetrics }>;
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

// The same fleet under every seed, and what the model achieves over them rather than on one
// kind seed. Measured (npx tsx packages/device-health/src/simulate.ts --devices=200 --days=90
// --seeds=40): precision min 0.765 (seed 9), median 0.908, max 1, pooled 0.908; recall min
// 0.765 (seed 9), median 0.887, max 1, pooled 0.882; mean lead 2.0 to 3.6 days (2.7 on average);
// 13 seeds reach 0.9 on both. On seeds 41 to 120 (add --seeds=80 --first-seed=41), never tuned
// on: precision min 0.650, median 0.905, pooled 0.897; recall min 0.636, median 0.880, pooled
// 0.872; lead 1.9 to 4.1 days. (The CUSUM this replaced: precision pooled 0.855 and recall
// 0.817 on seeds 1 to 40.) Recall of 0.9 is out of reach: of the misses, most are printers that
// print little (median 43 pages a day against 82 for the predicted ones), and more than half
// are predicted only after the failure, because their errors climb in the hours between the
// last evaluation and the failure. A lower threshold (evidenceScale 4.37, AT_RISK from an
// evidence of 4 rather than 4.25) catches 5 more of them for 24 more false alarms: precision
// 0.88, recall 0.89. The false alarms are genuine clusters of errors, mostly on healthy
// printers with a high rate of their own (a median of 1% against 0.7% for all). A seed has
// only 10 to 25 faulty printers, so one miss or false alarm moves it by 0.04 or more: the
// floor per seed is set below the worst seed, not at 0.9.
describe('predictions over 40 seeds of a fleet of 200 printers over 90 days', () => {
  let runs: Array<{ seed: number; m: FleetMetrics }> = [];
  // Forty fleets are a minute of arithmetic in plain Node and three times that inside jest's
  // module sandbox, so two child processes (tsx, this source) run half the seeds each.
  beforeAll(async () => {
    const halves = [SEEDS.filter((s) => s % 2 === 1), SEEDS.filter((s) => s % 2 === 0)];
    const results = await Promise.all(halves.map((seeds) => simulateElsewhere(seeds)));
    runs = results.flat().sort((a, b) => a.seed - b.seed);
    expect(runs.map(({ seed }) => seed)).toEqual(SEEDS);
  }, 900_000);

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return sorted.length % 2 === 1
      ? sorted[Math.floor(mid)]!
      : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);

  it('has precision of at least 0.9 and recall of at least 0.87, pooled over the seeds and at the median seed', () => {
    expect(runs.every(({ m }) => m.faultyDevices >= 10)).toBe(true);
    const truePositives = sum(runs.map(({ m }) => m.truePositives));
    const predictions = truePositives + sum(runs.map(({ m }) => m.falsePositives));
    const predicted = sum(runs.map(({ m }) => Math.round(m.recall * m.faultyDevices)));
    const faulty = sum(runs.map(({ m }) => m.faultyDevices));
    expect(truePositives / predictions).toBeGreaterThanOrEqual(0.9);
    expect(predicted / faulty).toBeGreaterThanOrEqual(0.87);
    expect(median(runs.map(({ m }) => m.precision))).toBeGreaterThanOrEqual(0.9);
    expect(median(runs.map(({ m }) => m.recall))).toBeGreaterThanOrEqual(0.87);
  });

  it('has no seed with precision or recall under 0.7', () => {
    const poor = runs.filter(({ m }) => m.precision < 0.7 || m.recall < 0.7);
    expect(poor.map(({ seed, m }) => ({ seed, precision: m.precision, recall: m.recall }))).toEqual(
      [],
    );
  });

  it('warns two and a half days ahead on average, and at least 1.75 days ahead on every seed', () => {
    const leads = runs.map(({ m }) => m.meanLeadDays ?? 0);
    expect(sum(leads) / leads.length).toBeGreaterThanOrEqual(2.5);
    expect(runs.filter(({ m }) => (m.meanLeadDays ?? 0) < 1.75).map(({ seed }) => seed)).toEqual(
      [],
    );
  });

  it('raises few false alarms and signals hard failures and outages on every seed', () => {
    const failing = runs.filter(
      ({ m }) =>
        m.falsePositivesPerDeviceMonth >= 0.012 ||
        m.failuresSignalled < 0.8 * m.faultyDevices ||
        m.outagesSignalled < m.outages - 1,
    );
    expect(failing.map(({ seed }) => seed)).toEqual([]);
    const outages = sum(runs.map(({ m }) => m.outages));
    expect(sum(runs.map(({ m }) => m.outagesSignalled))).toBeGreaterThanOrEqual(0.95 * outages);
  });
});
