/**
 * How much the federation gateway costs, measured against the subgraphs it calls, on real
 * Neo4j: the scenarios take turns in alternating rounds, and the ratios between them are the
 * figures to compare (this machine is shared and small; absolute figures move from run to run).
 */
import type { Config } from '@experience-graph/config';
import {
  atMost,
  num,
  printTable,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
} from './kit';
import { scenarioLoad, summarize, type LoadResult, type Summary } from './load';
import type { BenchOptions } from './options';
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
import { startServerProcess, type ServerProcess } from './server-process';
import {
  startBenchSystem,
  startRecordingGateway,
  toStages,
  type BenchSystem,
  type RecordedFetch,
} from './system';

const BASELINE_NOTE = [
  'CustomerView: the baseline sends, for the same customer, the exact subgraph requests the',
  'gateway sent for it (recorded once through a proxy before measuring), straight to the same',
  'subgraph servers, in the same stages. Both sides do the same Neo4j reads and return the same',
  'data; the difference is the gateway: one more HTTP hop, parsing, validation and limits,',
  'query planning (cached), building entity representations and merging the answers.',
  'Root field: customer(id){id displayName} through the gateway vs the customers subgraph alone',
  '(one fetch): the fixed cost of a gateway request.',
  'Everything (client, gateway, subgraphs) shares one Node.js event loop; Neo4j runs beside it.',
  "So the gateway's CPU queues in front of the subgraph's, and the one-field ratio is close to",
  'the ratio of CPU per request. The deployed shape is measured too: the same one-field query',
  'through a gateway in a process of its own (as `npm start` runs it) in front of the subgraphs',
  'in another, against those subgraphs direct; the client stays in this process. Each process',
  "reports its own CPU, so the gateway process's CPU per request is measured, not inferred.",
  'The client uses keep-alive node:http; the gateway keeps its subgraph connections alive too.',
  "CPU per request is this process's CPU (user + system) over a scenario's rounds divided by the",
  "requests it answered; the gateway's own CPU per request is the gateway scenario's minus that of",
  'the direct one (the same subgraph work; the replay also sends more client requests, so the',
  'difference if anything understates the gateway).',
].join('\n');

/** The design's bound on the fixed cost of a gateway request (one-field query, p50). */
const ROOT_FIELD_P50_TARGET = 1.2;

interface Ratio {
  /** Gateway throughput ÷ direct throughput: below 1 means the gateway serves fewer per second. */
  throughput: number;
  /** Gateway latency ÷ direct latency: above 1 means the gateway is slower. */
  p50: number;
  p99: number;
  /** Gateway p50 − direct p50, in ms. */
  p50DifferenceMs: number;
}

/**
 * A scenario's figures with the CPU this process spent per answered request, and that of each
 * server process of the separate-process layout over the same rounds.
 */
type Measured = Summary & {
  title: string;
  cpuMsPerRequest: number;
  processCpuMsPerRequest: Record<string, number>;
};

/** The separate-process layout: the subgraphs in one process, the gateway in another. */
interface Processes {
  subgraphs: ServerProcess;
  gateway: ServerProcess;
}

const ratio = (gateway: Summary, direct: Summary): Ratio => ({
  throughput: gateway.throughputPerSecond / direct.throughputPerSecond,
  p50: gateway.p50Ms / direct.p50Ms,
  p99: gateway.p99Ms / direct.p99Ms,
  p50DifferenceMs: gateway.p50Ms - direct.p50Ms,
});

export async function runFederation(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const data = planData(`${ctx.runId}-f`, options);
  console.log('[federation] starting the subgraphs and the gateway in this process...');
  const system = await startBenchSystem(config);
  // The same servers without access control, to tell what signing and authorization cost.
  const unchecked = await startBenchSystem(config, { withoutAccessChecks: true });
  // Whatever fails, the seeded data is deleted and every server closed; the first failure is
  // the one reported.
  let failure: { error: unknown } | undefined;
  let measured: Awaited<ReturnType<typeof measure>> | undefined;
  let deleted: Record<string, number> = {};
  const spawned: ServerProcess[] = [];
  try {
    const seedStart = performance.now();
    await seed(system.graph, data, options);
    console.log(
      `[federation] seeded ${data.customerIds.length} customers, ${data.serials.length} devices, ` +
        `${data.skus.length} models and ${data.campaignIds.length} campaigns ` +
        `in ${((performance.now() - seedStart) / 1000).toFixed(1)} s.`,
    );
    console.log('[federation] starting the subgraphs and a gateway in processes of their own...');
    const subgraphs = await startServerProcess(['subgraphs']);
    spawned.push(subgraphs);
    const gateway = await startServerProcess(['gateway', JSON.stringify(subgraphs.urls)]);
    spawned.push(gateway);
    const processes = { subgraphs, gateway };
    measured = await measure(config, system, unchecked, processes, data, options, signal);
  } catch (error) {
    failure = { error };
  }
  // The spawned servers go first, whatever happened: none may outlive the run.
  for (const child of spawned.reverse()) {
    try {
      await child.stop();
    } catch (error) {
      failure ??= { error };
    }
  }
  try {
    deleted = await removeData(system.graph, data);
    console.log(`[federation] removed the bench data: ${JSON.stringify(deleted)}.`);
  } catch (error) {
    console.error(`[federation] could not remove the data; its keys all start with ${ctx.runId}.`);
    failure ??= { error };
  }
  for (const servers of [system, unchecked]) {
    try {
      await servers.stop();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure || !measured) throw failure?.error ?? new Error('Nothing was measured');

  const { scenarios, ratios, planShapes, exampleFetches } = measured;
  const failures = Object.values(scenarios).flatMap((s) => [
    ...(s.errors ? [`${s.title}: ${s.errors} errors, e.g. ${s.errorSamples[0]}`] : []),
    ...(s.completed < s.requests
      ? [`${s.title}: only ${s.completed} of ${s.requests} requests within --max-seconds`]
      : []),
  ]);
  const dataSize = {
    customers: data.customerIds.length,
    devices: data.serials.length,
    models: data.skus.length,
    campaigns: data.campaignIds.length,
    objectsPerCustomerView: data.nodesPerView,
  };
  const size = `${dataSize.customers} customers, ${dataSize.devices} devices, ${dataSize.objectsPerCustomerView} objects/answer`;
  const at = (key: string) => scenarios[key] as Measured;
  const ownCpu = {
    customerView:
      at('gatewayCustomerView').cpuMsPerRequest - at('directCustomerViewReplay').cpuMsPerRequest,
    customerRoot:
      at('gatewayCustomerRoot').cpuMsPerRequest - at('directCustomerRoot').cpuMsPerRequest,
    /** Measured in the gateway's own process (separate-process layout). */
    customerRootGatewayProcess:
      at('processGatewayCustomerRoot').processCpuMsPerRequest['gateway'] ?? NaN,
  };
  const processRootTarget = atMost(
    'federation',
    'one-field query p50, gateway ÷ subgraph direct, separate processes',
    ratios.processCustomerRoot.p50,
    ROOT_FIELD_P50_TARGET,
    times,
  );
  const rootTarget = atMost(
    'federation',
    'one-field query p50, gateway ÷ subgraph direct',
    ratios.customerRoot.p50,
    ROOT_FIELD_P50_TARGET,
    times,
  );
  return {
    name: 'federation',
    failures,
    targets: [rootTarget, processRootTarget],
    summary: [
      {
        benchmark: 'federation',
        metric: 'CustomerView req/s, gateway (3 subgraphs)',
        measured: num(at('gatewayCustomerView').throughputPerSecond),
        baseline: `${num(at('directCustomerViewReplay').throughputPerSecond)} replayed fetches`,
        ratio: `${times(ratios.customerView.throughput)} thr, ${times(ratios.customerView.p50)} p50`,
        data: size,
      },
      {
        benchmark: 'federation',
        metric: 'customer root field req/s, gateway',
        measured: num(at('gatewayCustomerRoot').throughputPerSecond),
        baseline: `${num(at('directCustomerRoot').throughputPerSecond)} customers subgraph`,
        ratio: `${times(ratios.customerRoot.throughput)} thr, ${times(ratios.customerRoot.p50)} p50`,
        target: verdict(rootTarget),
        data: `${options.requests} req, concurrency ${options.concurrency}`,
      },
      {
        benchmark: 'federation',
        metric: 'customer root field req/s, gateway process (separate processes)',
        measured: num(at('processGatewayCustomerRoot').throughputPerSecond),
        baseline: `${num(at('processDirectCustomerRoot').throughputPerSecond)} subgraphs process`,
        ratio: `${times(ratios.processCustomerRoot.throughput)} thr, ${times(ratios.processCustomerRoot.p50)} p50`,
        target: verdict(processRootTarget),
        data: `${options.requests} req, concurrency ${options.concurrency}`,
      },
      {
        benchmark: 'federation',
        metric: 'CPU ms per root-field request, separate processes: gateway process',
        measured: num(ownCpu.customerRootGatewayProcess, 2),
        baseline: `${num(at('processDirectCustomerRoot').processCpuMsPerRequest['subgraphs'] ?? NaN, 2)} subgraphs process, direct`,
        ratio: times(
          ownCpu.customerRootGatewayProcess /
            (at('processDirectCustomerRoot').processCpuMsPerRequest['subgraphs'] ?? NaN),
        ),
        data: `${options.requests} req, concurrency ${options.concurrency}`,
      },
      {
        benchmark: 'federation',
        metric: "gateway's own CPU ms per request: CustomerView / root field",
        measured: `${num(ownCpu.customerView, 2)} / ${num(ownCpu.customerRoot, 2)}`,
        baseline: `${num(at('directCustomerViewReplay').cpuMsPerRequest, 2)} / ${num(at('directCustomerRoot').cpuMsPerRequest, 2)} direct`,
        ratio: `${times(at('gatewayCustomerView').cpuMsPerRequest / at('directCustomerViewReplay').cpuMsPerRequest)} / ${times(at('gatewayCustomerRoot').cpuMsPerRequest / at('directCustomerRoot').cpuMsPerRequest)}`,
        data: size,
      },
      {
        benchmark: 'federation',
        metric: 'access control: CustomerView req/s with signing and authorization',
        measured: num(at('gatewayCustomerView').throughputPerSecond),
        baseline: `${num(at('uncheckedCustomerView').throughputPerSecond)} without them`,
        ratio: `${times(ratios.accessCustomerView.throughput)} thr, ${times(ratios.accessCustomerView.p50)} p50`,
        data: size,
      },
      {
        benchmark: 'federation',
        metric: 'access control: customer root field req/s with signing and authorization',
        measured: num(at('gatewayCustomerRoot').throughputPerSecond),
        baseline: `${num(at('uncheckedCustomerRoot').throughputPerSecond)} without them`,
        ratio: `${times(ratios.accessCustomerRoot.throughput)} thr, ${times(ratios.accessCustomerRoot.p50)} p50`,
        data: `${options.requests} req, concurrency ${options.concurrency}`,
      },
    ],
    details: {
      options: {
        requests: options.requests,
        concurrency: options.concurrency,
        warmup: options.warmup,
        rounds: options.rounds,
        replay: options.replay,
      },
      data: dataSize,
      baseline: { note: BASELINE_NOTE, planShapes, exampleFetches },
      scenarios,
      ratios,
      gatewayOwnCpuMsPerRequest: ownCpu,
    },
    cleanup: { deleted },
    print: () => printFederation(data, scenarios, ratios),
  };
}

/** Records the gateway's fetches, warms up, then runs the scenarios in alternating rounds. */
async function measure(
  config: Config,
  system: BenchSystem,
  unchecked: BenchSystem,
  processes: Processes,
  data: BenchData,
  options: BenchOptions,
  signal: AbortSignal,
) {
  const { plans, planShapes, exampleFetches } = await recordPlans(config, system, data, signal);
  const shapes = Object.entries(planShapes);
  console.log(
    `[federation] recorded the gateway's fetches for each customer; plan: ${shapes
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
    {
      ...gatewayCustomerView(unchecked.gatewayUrl, data),
      key: 'uncheckedCustomerView',
      title: 'gateway without access control: CustomerView',
    },
    customerRoot(
      'uncheckedCustomerRoot',
      'gateway without access control: customer(id){id displayName}',
      unchecked.gatewayUrl,
      data,
    ),
    customerRoot(
      'processGatewayCustomerRoot',
      'separate processes: gateway → subgraphs, customer(id){id displayName}',
      processes.gateway.urls['gateway'] ?? '',
      data,
    ),
    customerRoot(
      'processDirectCustomerRoot',
      'separate processes: customers subgraph direct, same query',
      processes.subgraphs.urls['customers'] ?? '',
      data,
    ),
  ];
  const children = Object.entries(processes);
  const childCpu = async () =>
    Object.fromEntries(
      await Promise.all(children.map(async ([name, p]) => [name, await p.cpuMicros()] as const)),
    );
  // One limit for everything from here on, so the run ends even if a server stalls.
  const deadline = performance.now() + options.maxSeconds * 1000;
  const load = scenarioLoad(options, deadline, signal);

  if (options.warmup > 0) {
    console.log(`[federation] warming up: ${options.warmup} requests per scenario...`);
    for (const scenario of scenarios) {
      const warm = await load(scenario, options.warmup, 0);
      if (signal.aborted) throw new Error('Interrupted during the warm-up');
      if (warm.errors) {
        throw new Error(`Warm-up of "${scenario.title}" failed: ${warm.errorSamples.join('; ')}`);
      }
    }
  }

  const results = new Map<string, LoadResult[]>(scenarios.map((s) => [s.key, []]));
  const cpuMicros = new Map<string, number>(scenarios.map((s) => [s.key, 0]));
  const childMicros = new Map<string, Record<string, number>>(
    scenarios.map((s) => [s.key, Object.fromEntries(children.map(([name]) => [name, 0]))]),
  );
  let offset = 0;
  for (let round = 0; round < options.rounds; round++) {
    const count =
      Math.floor(options.requests / options.rounds) +
      (round < options.requests % options.rounds ? 1 : 0);
    // Rotate the order each round, so no scenario always runs first (or last).
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length] as Scenario);
    const line: string[] = [];
    for (const scenario of order) {
      const childBefore = await childCpu();
      const cpuBefore = process.cpuUsage();
      const result = await load(scenario, count, offset);
      const cpu = process.cpuUsage(cpuBefore);
      const childAfter = await childCpu();
      cpuMicros.set(scenario.key, (cpuMicros.get(scenario.key) ?? 0) + cpu.user + cpu.system);
      const spent = childMicros.get(scenario.key) ?? {};
      for (const [name] of children) {
        spent[name] = (spent[name] ?? 0) + (childAfter[name] ?? 0) - (childBefore[name] ?? 0);
      }
      results.get(scenario.key)?.push(result);
      line.push(`${scenario.key} ${((result.completed / result.elapsedMs) * 1000).toFixed(0)}/s`);
    }
    offset += count;
    console.log(
      `[federation] round ${round + 1}/${options.rounds} (${count} requests each): ${line.join(', ')}`,
    );
    if (signal.aborted) break;
  }

  const summaries: Record<string, Measured> = {};
  for (const scenario of scenarios) {
    const summary = summarize(
      options.requests,
      options.concurrency,
      results.get(scenario.key) ?? [],
    );
    summaries[scenario.key] = {
      title: scenario.title,
      ...summary,
      cpuMsPerRequest: (cpuMicros.get(scenario.key) ?? 0) / 1000 / Math.max(1, summary.completed),
      processCpuMsPerRequest: Object.fromEntries(
        Object.entries(childMicros.get(scenario.key) ?? {}).map(([name, micros]) => [
          name,
          micros / 1000 / Math.max(1, summary.completed),
        ]),
      ),
    };
  }
  const at = (key: string) => summaries[key] as Summary;
  return {
    scenarios: summaries,
    ratios: {
      customerView: ratio(at('gatewayCustomerView'), at('directCustomerViewReplay')),
      customerRoot: ratio(at('gatewayCustomerRoot'), at('directCustomerRoot')),
      accessCustomerView: ratio(at('gatewayCustomerView'), at('uncheckedCustomerView')),
      accessCustomerRoot: ratio(at('gatewayCustomerRoot'), at('uncheckedCustomerRoot')),
      processCustomerRoot: ratio(at('processGatewayCustomerRoot'), at('processDirectCustomerRoot')),
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

function printFederation(
  data: BenchData,
  scenarios: Record<string, Measured>,
  ratios: Record<string, Ratio>,
) {
  console.log(`
federation: the gateway against the subgraphs it calls
  data      ${data.customerIds.length} customers, ${data.serials.length} devices, ${data.skus.length} models, ${data.campaignIds.length} campaigns; one CustomerView answer has ${data.nodesPerView} objects
  baseline  ${BASELINE_NOTE.replace(/\n/g, '\n            ')}
`);
  const rows = Object.values(scenarios).map((s) => [
    s.title,
    String(s.completed),
    String(s.concurrency),
    s.throughputPerSecond.toFixed(1),
    s.p50Ms.toFixed(2),
    s.p99Ms.toFixed(2),
    s.cpuMsPerRequest.toFixed(2),
    (s.processCpuMsPerRequest['gateway'] ?? 0).toFixed(2),
    (s.processCpuMsPerRequest['subgraphs'] ?? 0).toFixed(2),
    String(s.errors),
  ]);
  printTable(
    [
      'scenario',
      'requests',
      'conc.',
      'req/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/req',
      'gateway proc.',
      'subgraphs proc.',
      'errors',
    ],
    rows,
  );
  console.log(
    '\nGateway ÷ direct (throughput below 1 and latency above 1: the gateway costs that much)',
  );
  printTable(
    ['comparison', 'throughput', 'p50', 'p99', 'p50 +ms'],
    [
      ['CustomerView vs replayed fetches', ratios['customerView']],
      ['customer root field vs customers', ratios['customerRoot']],
      ['CustomerView, access control on vs off', ratios['accessCustomerView']],
      ['root field, access control on vs off', ratios['accessCustomerRoot']],
      ['root field, separate processes', ratios['processCustomerRoot']],
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
