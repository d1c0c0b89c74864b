/**
 * `npm run bench`: every benchmark, one after another, on real Neo4j and Temporal, each figure
 * with a baseline measured in the same run (this machine is shared and small, so absolute
 * figures move from run to run; the ratios are what to compare):
 *
 *   federation    the gateway's CustomerView against the subgraph fetches it makes
 *   hive          the gateway's CustomerView against Hive Gateway's on the same supergraph
 *   intake        lifecycle events ACCEPTED per second through recordEvents vs raw UNWIND of
 *                 the same touchpoints, at 1 and 4 batches in flight; one customer's 500-event
 *                 batch vs the raw UNWIND of its 500 touchpoints
 *   relay         owed signals delivered per second by the outbox relay vs a raw concurrent
 *                 signalWithStart loop; acknowledgement → lifecycle decision lag under load
 *   telemetry     telemetry readings per second through the gateway vs raw batched MERGE, and
 *                 a fleet backfill of 50,000 readings in one request vs one raw write
 *   intervention  degrading telemetry → intervention visible through the gateway, with and
 *                 without background telemetry load
 *   memory        the worker's RSS with 10,000 live lifecycles vs with none
 *   value-model   the lifetime-value fit job through the graph vs the in-memory fit, on
 *                 CDNOW and on a generated history of 100,000 customers
 *   customer-view the single customer view through the gateway vs the customers subgraph's
 *                 part of it, on 100,000 customers and 1,000,000 touchpoints; referral value
 *                 of deep chains vs a customer who referred no one
 *   funnel        a campaign's funnel (and its attributed revenue under every model) for a
 *                 campaign reaching 10,000 people vs one raw statement counting those people
 *   neo4j-settings the launcher's JVM and page-cache profiles, each on a Neo4j of its own:
 *                 start-up, CustomerView and recordEvents against the baseline profile
 *   segments      defining a segment on 100,000 customers (every one evaluated, memberships
 *                 written) vs one raw statement counting the same members; refresh of a few
 *                 customers with those segments defined
 *
 * Each benchmark seeds its own uniquely keyed data and removes it by those keys (also after a
 * failure or Ctrl-C), deletes what it left owed in the outbox on its own task queue, terminates
 * the workflows it started, and closes what it opened. Figures with a target of the design say
 * whether this run met it; a missed target is reported (with where the time went), an error
 * fails the run. Results go to .data/bench/latest.json; any error makes the exit code non-zero.
 *
 *   npm run bench
 *   npm run bench -- --only intake,relay,telemetry
 *   npm run bench -- --only intake,telemetry --intake-events 400 --telemetry-readings 10000
 *   npm run bench -- --only memory --lifecycles 1000
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@experience-graph/config';
import { runFederation } from './federation';
import { runHive } from './hive';
import { closeHttpClient } from './http-client';
import { runIntake } from './intake';
import { runIntervention } from './intervention';
import { assertLoopback, printTable, type BenchContext, type BenchSection } from './kit';
import { runMemory } from './memory';
import { runRelay } from './relay';
import { parseOptions, USAGE, type Benchmark, type BenchOptions } from './options';
import { runTelemetry } from './telemetry';
import { runValueModel } from './value-model';
import { runCustomerView } from './customer-view';
import { runNeo4jSettings } from './neo4j-settings';
import { runFunnel } from './funnel';
import { runSegments } from './segments';

const ROOT = path.resolve(__dirname, '..', '..');
const OUTPUT = path.join(ROOT, '.data', 'bench', 'latest.json');

const RUNNERS: Record<Benchmark, (ctx: BenchContext) => Promise<BenchSection>> = {
  federation: runFederation,
  hive: runHive,
  intake: runIntake,
  relay: runRelay,
  telemetry: runTelemetry,
  intervention: runIntervention,
  memory: runMemory,
  'value-model': runValueModel,
  'customer-view': runCustomerView,
  funnel: runFunnel,
  'neo4j-settings': runNeo4jSettings,
  segments: runSegments,
};

function describe(error: unknown): string {
  if (error instanceof AggregateError) {
    return `${error.message}: ${error.errors.map((e) => describe(e)).join('; ')}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(process.env);
  assertLoopback(config);
  const startedAt = new Date();
  const loadAverageBefore = os.loadavg();
  const runId = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

  // Ctrl-C stops the measuring at once but still deletes the seeded data, terminates the
  // workflows and closes everything. The listener stays on for the whole run: tsx relays the
  // signal to this process a second time, and with no listener left its own handler would exit
  // on the spot, skipping clean-up. A third Ctrl-C is the way out of a clean-up that hangs.
  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.error(`\n${signal}: stopping, then removing the bench data...`);
      interrupt.abort();
    } else if (signals >= 3) {
      console.error(`Exiting now; the data of ${runId} may remain (every key starts with it).`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  console.log(`Benchmark ${runId}: ${options.only.join(', ')}`);
  const ctx: BenchContext = { config, options, runId, signal: interrupt.signal };
  const sections: BenchSection[] = [];
  const errors: Partial<Record<Benchmark, string>> = {};
  const durations: Partial<Record<Benchmark, number>> = {};
  for (const name of options.only) {
    if (interrupt.signal.aborted) break;
    const started = performance.now();
    console.log(`\n== ${name} ==`);
    try {
      sections.push(await RUNNERS[name](ctx));
    } catch (error) {
      errors[name] = describe(error);
      console.error(`[${name}] FAILED: ${errors[name]}`);
      if (error instanceof Error && error.stack && !error.message.startsWith('Interrupted')) {
        console.error(error.stack);
      }
    }
    durations[name] = (performance.now() - started) / 1000;
    console.log(`[${name}] ${durations[name]?.toFixed(0)} s`);
  }
  closeHttpClient();
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);

  const interrupted = interrupt.signal.aborted;
  const failures = [
    ...(interrupted ? ['interrupted: the figures are partial'] : []),
    ...Object.entries(errors).map(([name, message]) => `${name}: ${message}`),
    ...sections.flatMap((s) => s.failures),
  ];
  const finishedAt = new Date();
  const report = {
    runId,
    ok: failures.length === 0,
    failures,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    benchmarkSeconds: durations,
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      loadAverageBefore,
      loadAverageAfter: os.loadavg(),
    },
    options,
    summary: sections.flatMap((s) => s.summary),
    targets: sections.flatMap((s) => s.targets ?? []),
    benchmarks: Object.fromEntries(
      sections.map((s) => [s.name, { ...s.details, failures: s.failures, cleanup: s.cleanup }]),
    ),
  };

  for (const section of sections) section.print();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `\nBenchmark ${runId} (${report.durationSeconds.toFixed(0)} s; ` +
      `${report.machine.cpus} CPUs, Node ${report.machine.node}; load average ` +
      `${load(loadAverageBefore)} before, ${load(report.machine.loadAverageAfter)} after)`,
  );
  console.log('Every baseline was measured in this run, beside its figure.\n');
  printTable(
    ['benchmark', 'metric', 'measured', 'baseline (same run)', 'ratio', 'target', 'data'],
    report.summary.map((r) => [
      r.benchmark,
      r.metric,
      r.measured,
      r.baseline,
      r.ratio,
      r.target ?? '',
      r.data,
    ]),
    'llrllll',
  );
  if (report.targets.length) {
    const met = report.targets.filter((t) => t.met).length;
    console.log(`
Targets met: ${met} of ${report.targets.length}.`);
    for (const t of report.targets.filter((x) => !x.met)) {
      console.log(`  missed: ${t.benchmark} ${t.what}: ${t.measured} (target ${t.target})`);
    }
  }
  for (const [name, message] of Object.entries(errors)) console.log(`${name}: FAILED (${message})`);

  // A finished run is written even when it failed (ok: false says so); an interrupted one
  // would only overwrite the last real figures with partial ones.
  if (interrupted) {
    console.log(`\nInterrupted: ${path.relative(process.cwd(), OUTPUT)} was not written.`);
  } else {
    mkdirSync(path.dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWritten to ${path.relative(process.cwd(), OUTPUT)}.`);
  }
  if (failures.length) {
    console.error(`\nThe benchmark FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  )
  .finally(() => {
    // Everything is closed by now, so Node exits on its own; if something still holds it open,
    // say so and exit rather than hang a CI job. unref(): this timer alone keeps nothing alive.
    setTimeout(() => {
      console.error('Something was still open 10 s after the benchmark ended; exiting.');
      process.exit(process.exitCode ?? 1);
    }, 10_000).unref();
  });
