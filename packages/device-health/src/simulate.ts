/**
 * Prints how well the health evaluation predicts failures on a simulated fleet.
 *
 *   npx tsx packages/device-health/src/simulate.ts [--devices=1000] [--days=120] [--seed=42]
 *     [--faulty=0.1] [--interval-hours=6]
 *
 * With `--seeds=<n>`, the same fleet under seeds 1 to n instead of one seed (or from
 * `--first-seed=<m>`, seeds m to m + n − 1): a line per seed, the spread of precision, recall
 * and lead time over them, and precision and recall pooled over all seeds (as the
 * fleet-simulation test checks with `--devices=200 --days=90 --seeds=40`).
 */
import { DEFAULT_FLEET_OPTIONS, simulateFleet, type FleetOptions } from './fleet-simulation';

const FLAGS: Record<string, keyof FleetOptions> = {
  devices: 'devices',
  days: 'days',
  seed: 'seed',
  faulty: 'faultyFraction',
  'interval-hours': 'readingIntervalHours',
};

function parseArgs(args: string[]): Partial<FleetOptions> {
  const options: Record<string, number> = {};
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    const name = match?.[1];
    const key = name !== undefined && Object.hasOwn(FLAGS, name) ? FLAGS[name] : undefined;
    const value = Number(match?.[2]);
    if (key === undefined || !Number.isFinite(value)) {
      throw new Error(
        `unknown or invalid argument ${arg}; known: ${Object.keys(FLAGS).join(', ')}`,
      );
    }
    options[key] = value;
  }
  return options as Partial<FleetOptions>;
}

const fixed = (value: number | null, digits = 2) =>
  value === null ? 'n/a' : value.toFixed(digits);

/** Smallest, median and largest of some numbers. */
function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return `min ${fixed(sorted[0] ?? null, 3)}, median ${fixed(median, 3)}, max ${fixed(sorted[sorted.length - 1] ?? null, 3)}`;
}

function seeds(count: number, first: number, options: FleetOptions): void {
  const runs = Array.from({ length: count }, (_, i) =>
    simulateFleet({ ...options, seed: first + i }),
  );
  runs.forEach((m, i) => {
    process.stdout.write(
      `seed ${String(first + i).padStart(3)}: ${String(m.faultyDevices).padStart(3)} faulty, precision ${fixed(m.precision, 3)}, recall ${fixed(m.recall, 3)}, lead ${fixed(m.meanLeadDays)} days, ${m.falsePositives} false\n`,
    );
  });
  const both = runs.filter((m) => m.precision >= 0.9 && m.recall >= 0.9).length;
  const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
  const truePositives = sum(runs.map((m) => m.truePositives));
  const predictions = truePositives + sum(runs.map((m) => m.falsePositives));
  const predicted = sum(runs.map((m) => Math.round(m.recall * m.faultyDevices)));
  const faulty = sum(runs.map((m) => m.faultyDevices));
  process.stdout.write(
    [
      `${count} seeds (${first} to ${first + count - 1}) of ${options.devices} devices over ${options.days} days`,
      `precision: ${spread(runs.map((m) => m.precision))}, pooled ${fixed(predictions === 0 ? 1 : truePositives / predictions, 3)}`,
      `recall:    ${spread(runs.map((m) => m.recall))}, pooled ${fixed(faulty === 0 ? 1 : predicted / faulty, 3)}`,
      `lead days: ${spread(runs.map((m) => m.meanLeadDays ?? 0))}`,
      `false positives per device-month: ${spread(runs.map((m) => m.falsePositivesPerDeviceMonth))}`,
      `seeds with precision and recall of at least 0.9: ${both} of ${count}`,
    ].join('\n') + '\n',
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const seedCount = args.find((arg) => arg.startsWith('--seeds='));
  const firstSeed = args.find((arg) => arg.startsWith('--first-seed='));
  const options = {
    ...DEFAULT_FLEET_OPTIONS,
    ...parseArgs(args.filter((arg) => arg !== seedCount && arg !== firstSeed)),
  };
  if (firstSeed !== undefined && seedCount === undefined) {
    throw new Error('--first-seed goes with --seeds');
  }
  if (seedCount !== undefined) {
    const count = Number(seedCount.slice('--seeds='.length));
    const first = firstSeed === undefined ? 1 : Number(firstSeed.slice('--first-seed='.length));
    if (!Number.isInteger(count) || count < 1) throw new Error(`invalid argument ${seedCount}`);
    if (!Number.isInteger(first)) throw new Error(`invalid argument ${firstSeed}`);
    seeds(count, first, options);
    return;
  }
  const started = performance.now();
  const m = simulateFleet(options);
  const seconds = (performance.now() - started) / 1000;
  const lines = [
    `fleet: ${m.devices} devices over ${options.days} days, a reading every ${options.readingIntervalHours} h, seed ${options.seed}`,
    `       ${m.faultyDevices} faulty, ${m.noisyDevices} healthy but noisy, ${m.outages} with an outage`,
    `       ${m.readings} readings in ${m.batches} batches, evaluated in ${seconds.toFixed(1)} s`,
    `predicted failures: ${m.truePositives} true, ${m.falsePositives} false, ${m.latePredictions} late`,
    `precision:          ${fixed(m.precision, 3)} (${fixed(m.strictPrecision, 3)} counting late ones as wrong)`,
    `recall:             ${fixed(m.recall, 3)}`,
    `lead time (days):   mean ${fixed(m.meanLeadDays)}, median ${fixed(m.medianLeadDays)}`,
    `horizon error:      mean ${fixed(m.meanHorizonErrorDays)} days at the first prediction`,
    `false positives:    ${m.falsePositivesPerDeviceMonth.toFixed(4)} per device-month`,
    `failures signalled: ${m.failuresSignalled} of ${m.faultyDevices}, ${m.falseFailures} FAILED at other times`,
    `outages signalled:  ${m.outagesSignalled} of ${m.outages}`,
    `ink run-outs:       ${m.inkRunOuts}, ${m.inkRunOutsWarned} warned by INK_LOW first`,
    `changes signalled:  ${Object.entries(m.changes)
      .map(([change, count]) => `${change} ${count}`)
      .join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
