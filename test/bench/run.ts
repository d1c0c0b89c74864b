/**
 * `npm run bench`: how much the federation gateway costs, measured against the subgraphs it
 * calls, in one run on real Neo4j. This machine is shared and small, so absolute figures move
 * from run to run; the ratios between scenarios measured side by side, in alternating rounds,
 * are what to compare. Results also go to .data/bench/latest.json.
 *
 *   npm run bench -- --requests 2000 --concurrency 8 --customers 200
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '@experience-graph/config';
import { closeHttpClient } from './http-client';
import { runLoad, summarize, type LoadResult, type Summary } from './load';
import { parseOptions, USAGE, type BenchOptions } from './options';
import {
  CUSTOMER_VIEW,
  checkAnswer,
  checkCustomerView,
  customerRoot,
  directReplay,
  gatewayCustomerView,
  type Scenario,
} from './scenarios';
import { planData, removeData, seed, type BenchData } from './seed';
import {
  startBenchSystem,
  startRecordingGateway,
  toStages,
  type BenchSystem,
  type RecordedFetch,
} from './system';

const ROOT = path.resolve(__dirname, '..', '..');
const OUTPUT = path.join(ROOT, '.data', 'bench', 'latest.json');

const BASELINE_NOTE = [
  'CustomerView: the baseline sends, for the same customer, the exact subgraph requests the',
  'gateway sent for it (recorded once through a proxy before measuring), straight to the same',
  'subgraph servers, in the same stages. Both sides do the same Neo4j reads and return the same',
  'data; the difference is the gateway: one more HTTP hop, parsing, validation and limits,',
  'query planning (cached), building entity representations and merging the answers.',
  'Root field: customer(id){id displayName} through the gateway vs the customers subgraph alone',
  '(one fetch): the fixed cost of a gateway request.',
  'Everything (client, gateway, subgraphs) shares one Node.js event loop; Neo4j runs beside it.',
  'The client uses keep-alive node:http, as the gateway does for its subgraph fetches.',
].join('\n');

interface Ratio {
  /** Gateway throughput ÷ direct throughput: below 1 means the gateway serves fewer per second. */
  throughput: number;
  /** Gateway latency ÷ direct latency: above 1 means the gateway is slower. */
  p50: number;
  p99: number;
  /** Gateway p50 − direct p50, in ms. */
  p50DifferenceMs: number;
}

const ratio = (gateway: Summary, direct: Summary): Ratio => ({
  throughput: gateway.throughputPerSecond / direct.throughputPerSecond,
  p50: gateway.p50Ms / direct.p50Ms,
  p99: gateway.p99Ms / direct.p99Ms,
  p50DifferenceMs: gateway.p50Ms - direct.p50Ms,
});

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
  const startedAt = new Date();
  const loadAverageBefore = os.loadavg();
  const runId = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const data = planData(runId, options);

  // Ctrl-C stops the load at once but still deletes the seeded data and closes everything.
  // The listener stays on for the whole run: tsx relays the signal to this process a second
  // time, and with no listener left its own handler would exit on the spot, skipping clean-up.
  // A third Ctrl-C is the way out of a clean-up that hangs.
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

  console.log(`Benchmark ${runId}: starting the subgraphs and the gateway in this process...`);
  const system = await startBenchSystem(config);
  // Whatever fails, the seeded data is deleted and every server and connection closed; the
  // first failure is the one reported.
  let failure: { error: unknown } | undefined;
  let measured: Awaited<ReturnType<typeof measure>> | undefined;
  let deleted: Record<string, number> = {};
  try {
    const seedStart = performance.now();
    await seed(system.graph, data, options);
    console.log(
      `Seeded ${data.customerIds.length} customers, ${data.serials.length} devices, ` +
        `${data.skus.length} models and ${data.campaignIds.length} campaigns ` +
        `in ${((performance.now() - seedStart) / 1000).toFixed(1)} s.`,
    );
    measured = await measure(config, system, data, options, interrupt.signal);
  } catch (error) {
    failure = { error };
  }
  try {
    deleted = await removeData(system.graph, data);
    console.log(`Removed the bench data: ${JSON.stringify(deleted)}.`);
  } catch (error) {
    console.error(`Could not remove the data of ${runId}; its keys all start with it.`);
    failure ??= { error };
  }
  try {
    await system.stop();
  } catch (error) {
    failure ??= { error };
  }
  closeHttpClient();
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  if (failure || !measured) throw failure?.error ?? new Error('Nothing was measured');

  const { scenarios, ratios, planShapes, exampleFetches } = measured;
  // An interrupted run's figures are partial, and its aborted requests are not server errors.
  const interrupted = interrupt.signal.aborted;
  const failures = interrupted
    ? ['interrupted: the figures are partial']
    : Object.values(scenarios).flatMap((s) => [
        ...(s.errors ? [`${s.title}: ${s.errors} errors, e.g. ${s.errorSamples[0]}`] : []),
        ...(s.completed < s.requests
          ? [`${s.title}: only ${s.completed} of ${s.requests} requests within --max-seconds`]
          : []),
      ]);
  const finishedAt = new Date();
  const report = {
    runId,
    ok: failures.length === 0,
    failures,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      loadAverageBefore,
      loadAverageAfter: os.loadavg(),
    },
    options,
    data: {
      customers: data.customerIds.length,
      devices: data.serials.length,
      models: data.skus.length,
      campaigns: data.campaignIds.length,
      objectsPerCustomerView: data.nodesPerView,
    },
    baseline: { note: BASELINE_NOTE, planShapes, exampleFetches },
    scenarios,
    ratios,
    deleted,
  };
  printReport(report);
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

/** Records the gateway's fetches, warms up, then runs the scenarios in alternating rounds. */
async function measure(
  config: Config,
  system: BenchSystem,
  data: BenchData,
  options: BenchOptions,
  signal: AbortSignal,
) {
  const { plans, planShapes, exampleFetches } = await recordPlans(config, system, data, signal);
  const shapes = Object.entries(planShapes);
  console.log(
    `Recorded the gateway's fetches for each customer; plan: ${shapes
      .map(([shape, n]) => (shapes.length > 1 ? `${shape} (${n} customers)` : shape))
      .join('; ')}.`,
  );

  const scenarios: Scenario[] = [
    gatewayCustomerView(system.gatewayUrl, data),
    directReplay(system.subgraphUrls, data, plans, options.replay),
    customerRoot(
      'gatewayCustomerRoot',
      'gateway: customer(id){id displayName}',
      system.gatewayUrl,
      data,
    ),
    customerRoot(
      'directCustomerRoot',
      'direct: customers subgraph, same query',
      system.subgraphUrls.customers,
      data,
    ),
  ];
  // One limit for everything from here on, so the run ends even if a server stalls.
  const deadline = performance.now() + options.maxSeconds * 1000;
  const load = (scenario: Scenario, count: number, offset: number) =>
    runLoad({
      count,
      offset,
      concurrency: options.concurrency,
      deadline,
      signal,
      timeoutMs: options.timeoutMs,
      send: (index, requestSignal) => scenario.send(index, requestSignal),
    });

  if (options.warmup > 0) {
    console.log(`Warming up: ${options.warmup} requests per scenario...`);
    for (const scenario of scenarios) {
      const warm = await load(scenario, options.warmup, 0);
      if (signal.aborted) throw new Error('Interrupted during the warm-up');
      if (warm.errors) {
        throw new Error(`Warm-up of "${scenario.title}" failed: ${warm.errorSamples.join('; ')}`);
      }
    }
  }

  const results = new Map<string, LoadResult[]>(scenarios.map((s) => [s.key, []]));
  let offset = 0;
  for (let round = 0; round < options.rounds; round++) {
    const count =
      Math.floor(options.requests / options.rounds) +
      (round < options.requests % options.rounds ? 1 : 0);
    // Rotate the order each round, so no scenario always runs first (or last).
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length] as Scenario);
    const line: string[] = [];
    for (const scenario of order) {
      const result = await load(scenario, count, offset);
      results.get(scenario.key)?.push(result);
      line.push(`${scenario.key} ${((result.completed / result.elapsedMs) * 1000).toFixed(0)}/s`);
    }
    offset += count;
    console.log(
      `Round ${round + 1}/${options.rounds} (${count} requests each): ${line.join(', ')}`,
    );
    if (signal.aborted) break;
  }

  const summaries: Record<string, Summary & { title: string }> = {};
  for (const scenario of scenarios) {
    summaries[scenario.key] = {
      title: scenario.title,
      ...summarize(options.requests, options.concurrency, results.get(scenario.key) ?? []),
    };
  }
  const at = (key: string) => summaries[key] as Summary;
  return {
    scenarios: summaries,
    ratios: {
      customerView: ratio(at('gatewayCustomerView'), at('directCustomerViewReplay')),
      customerRoot: ratio(at('gatewayCustomerRoot'), at('directCustomerRoot')),
    },
    planShapes,
    exampleFetches,
  };
}

/**
 * Sends each customer's CustomerView once through a recording gateway and keeps the subgraph
 * fetches it made, grouped into the stages of its query plan, for the baseline to replay.
 */
async function recordPlans(
  config: Config,
  system: BenchSystem,
  data: BenchData,
  signal: AbortSignal,
) {
  const recorder = await startRecordingGateway(config, system);
  const plans = new Map<string, RecordedFetch[][]>();
  const planShapes: Record<string, number> = {};
  try {
    for (const id of data.customerIds) {
      if (signal.aborted) throw new Error('Interrupted');
      const { response, fetches } = await recorder.record(CUSTOMER_VIEW, { id });
      checkCustomerView(
        checkAnswer(response as Parameters<typeof checkAnswer>[0]),
        id,
        data.nodesPerView,
      );
      const stages = toStages(fetches);
      plans.set(id, stages);
      const shape = stages.map((stage) => stage.map((f) => f.subgraph).join(' ∥ ')).join(' → ');
      planShapes[shape] = (planShapes[shape] ?? 0) + 1;
    }
  } finally {
    await recorder.stop();
  }
  // The first customer's fetches, for the report: what exactly the baseline sends.
  const first = plans.get(data.customerIds[0] as string) ?? [];
  const exampleFetches = first.flatMap((stage, i) =>
    stage.map((f) => {
      const body = JSON.parse(f.body) as { query: string; variables?: Record<string, unknown> };
      return { stage: i + 1, subgraph: f.subgraph, query: body.query, variables: body.variables };
    }),
  );
  return { plans, planShapes, exampleFetches };
}

function printReport(report: {
  runId: string;
  durationSeconds: number;
  machine: { cpus: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  data: Record<string, number>;
  scenarios: Record<string, Summary & { title: string }>;
  ratios: Record<string, Ratio>;
}) {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const { data, machine } = report;
  console.log(`
Benchmark ${report.runId} (${report.durationSeconds.toFixed(0)} s)
  machine   ${machine.cpus} CPUs, Node ${machine.node}; load average ${load(machine.loadAverageBefore)} before, ${load(machine.loadAverageAfter)} after
  data      ${data['customers']} customers, ${data['devices']} devices, ${data['models']} models, ${data['campaigns']} campaigns; one CustomerView answer has ${data['objectsPerCustomerView']} objects
  baseline  ${BASELINE_NOTE.replace(/\n/g, '\n            ')}
`);
  const rows = Object.values(report.scenarios).map((s) => [
    s.title,
    String(s.completed),
    String(s.concurrency),
    s.throughputPerSecond.toFixed(1),
    s.p50Ms.toFixed(2),
    s.p99Ms.toFixed(2),
    String(s.errors),
  ]);
  printTable(['scenario', 'requests', 'conc.', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows);
  console.log(
    '\nGateway ÷ direct (throughput below 1 and latency above 1: the gateway costs that much)',
  );
  printTable(
    ['comparison', 'throughput', 'p50', 'p99', 'p50 +ms'],
    [
      ['CustomerView vs replayed fetches', report.ratios['customerView']],
      ['customer root field vs customers', report.ratios['customerRoot']],
    ].map(([name, r]) => {
      const { throughput, p50, p99, p50DifferenceMs } = r as Ratio;
      return [
        name as string,
        throughput.toFixed(2),
        p50.toFixed(2),
        p99.toFixed(2),
        p50DifferenceMs.toFixed(2),
      ];
    }),
  );
}

/** Left-aligns the first column and right-aligns the figures. */
function printTable(headers: string[], rows: string[][]) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const interrupted = error instanceof Error && error.message.startsWith('Interrupted');
      console.error(interrupted ? error.message : error);
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
