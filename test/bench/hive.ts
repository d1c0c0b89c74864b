/**
 * Our gateway against Hive Gateway on the same supergraph: the federated CustomerView of
 * scenarios.ts, for varied seeded customers, through both, in alternating rounds at the same
 * concurrency; the throughput ratio (ours ÷ Hive) is checked against the design's target of 1.3.
 *
 * Hive Gateway is installed by the benchmark, not a dependency of the product (hive-runtime.ts).
 * It runs in this process, on a server of its own on 127.0.0.1, as our gateway and the
 * subgraphs do (startBenchSystem): both gateways share the one event loop with the subgraphs
 * and the client, so neither gets a core to itself on this two-core machine. The subgraphs
 * refuse unsigned requests, so Hive signs every subgraph fetch (its `onFetch` hook) with our
 * own signRequest, for the principal of the client's API key, as our gateway does.
 */
import { isDeepStrictEqual } from 'node:util';
import { SUBGRAPH_NAMES, type Config } from '@experience-graph/config';
import {
  atLeast,
  gql,
  num,
  printTable,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
} from './kit';
import { HIVE_DIR, HIVE_PACKAGE, HIVE_VERSION, installHive, startHive } from './hive-runtime';
import { scenarioLoad, summarize, type LoadResult, type Summary } from './load';
import type { ProfileLine } from './profile';
import { CUSTOMER_VIEW, checkCustomerView, gatewayCustomerView } from './scenarios';
import { planData, removeData, seed, type BenchData } from './seed';
import { startBenchSystem, type BenchSystem } from './system';

/** The target of the design: our gateway serves at least this many times Hive's throughput. */
const TARGET = 1.3;
/** Customers whose answers are compared between the gateways before anything is measured. */
const COMPARED = 5;

const NOTE = [
  `Both gateways serve the same supergraph (schema/supergraph.graphql, its subgraph URLs`,
  `rewritten to the bench's subgraphs) from this process, beside the subgraphs and the client.`,
  `Hive Gateway ${HIVE_VERSION} signs each subgraph fetch with our signRequest for the principal`,
  `of the client's API key (an onFetch plugin); it checks nothing else. Ours also authorizes`,
  `each operation by the rights table and field rules, and applies its limits.`,
  `Rounds alternate ours, Hive, Hive, ours, ... with the same customers in each pair.`,
].join('\n');

/**
 * Both gateways must give the same answer, and the right one, before either is measured: a
 * gateway that answered wrongly (or another question) would be measured doing something else.
 */
async function compareAnswers(
  ours: string,
  hive: string,
  data: BenchData,
  signal: AbortSignal,
): Promise<string[]> {
  const step = Math.max(1, Math.floor(data.customerIds.length / COMPARED));
  const ids = data.customerIds.filter((_, i) => i % step === 0).slice(0, COMPARED);
  for (const id of ids) {
    const request = () => AbortSignal.any([signal, AbortSignal.timeout(30_000)]);
    const fromOurs = await gql(ours, CUSTOMER_VIEW, { id }, request());
    const fromHive = await gql(hive, CUSTOMER_VIEW, { id }, request());
    checkCustomerView(fromOurs, id, data.nodesPerView);
    if (!isDeepStrictEqual(fromOurs, fromHive)) {
      throw new Error(
        `Hive Gateway answered CustomerView for ${id} differently: ours ` +
          `${JSON.stringify(fromOurs).slice(0, 300)}, Hive ${JSON.stringify(fromHive).slice(0, 300)}`,
      );
    }
  }
  return ids;
}

/**
 * What one gateway's measured views cost this process and the subgraphs, per view answered:
 * where a difference in throughput comes from (more fetches, or more CPU for the same ones).
 */
interface WorkPerView {
  /** Requests each subgraph served, per view. */
  subgraphFetches: Record<string, number>;
  /** Neo4j statements the subgraphs ran, per view. */
  statements: number;
  /**
   * CPU of this whole process (client, gateway, subgraphs), per view, in ms: the subgraphs and
   * the client do the same work for either gateway, so the difference is the gateway's.
   */
  cpuMs: number;
}

/** Sums of the measured rounds of one gateway, turned into {@link WorkPerView} at the end. */
class WorkTally {
  private views = 0;
  private cpuMicros = 0;
  private statements = 0;
  private readonly fetches: Record<string, number> = {};

  add(views: number, cpu: NodeJS.CpuUsage, lines: ProfileLine[]): void {
    this.views += views;
    this.cpuMicros += cpu.user + cpu.system;
    for (const line of lines) {
      if (line.kind === 'graph') this.statements += line.count;
      if (line.kind === 'request' && (SUBGRAPH_NAMES as readonly string[]).includes(line.label)) {
        this.fetches[line.label] = (this.fetches[line.label] ?? 0) + line.count;
      }
    }
  }

  perView(): WorkPerView {
    const per = (n: number) => (this.views ? n / this.views : NaN);
    return {
      subgraphFetches: Object.fromEntries(
        Object.entries(this.fetches).map(([name, n]) => [name, per(n)]),
      ),
      statements: per(this.statements),
      cpuMs: per(this.cpuMicros / 1000),
    };
  }
}

const fetchesPerView = (work: WorkPerView) =>
  Object.values(work.subgraphFetches).reduce((a, b) => a + b, 0);

interface Measured {
  ours: Summary;
  hive: Summary;
  work: { ours: WorkPerView; hive: WorkPerView };
  comparedIds: string[];
}

async function measure(
  config: Config,
  system: BenchSystem,
  data: BenchData,
  ctx: BenchContext,
): Promise<Measured> {
  const { options, signal } = ctx;
  const hive = await startHive(config, system.subgraphUrls);
  try {
    const comparedIds = await compareAnswers(system.gatewayUrl, hive.url, data, signal);
    console.log(
      `[hive] both gateways give the same, right CustomerView for ${comparedIds.length} customers.`,
    );
    const scenarios = {
      ours: gatewayCustomerView(system.gatewayUrl, data),
      hive: gatewayCustomerView(hive.url, data),
    };
    const deadline = performance.now() + options.maxSeconds * 1000;
    const load = scenarioLoad(options, deadline, signal);

    if (options.warmup > 0) {
      console.log(`[hive] warming up: ${options.warmup} requests through each gateway...`);
      for (const [name, scenario] of Object.entries(scenarios)) {
        const warm = await load(scenario, options.warmup, 0);
        if (signal.aborted) throw new Error('Interrupted during the warm-up');
        if (warm.errors) {
          throw new Error(`Warm-up of ${name} failed: ${warm.errorSamples.join('; ')}`);
        }
      }
    }

    const results: Record<'ours' | 'hive', LoadResult[]> = { ours: [], hive: [] };
    const tallies = { ours: new WorkTally(), hive: new WorkTally() };
    let offset = options.warmup;
    for (let round = 0; round < options.rounds; round++) {
      const count =
        Math.floor(options.hiveRequests / options.rounds) +
        (round < options.hiveRequests % options.rounds ? 1 : 0);
      // ours, Hive, then Hive, ours: neither always goes first, or right after the other's load.
      const order = round % 2 === 0 ? (['ours', 'hive'] as const) : (['hive', 'ours'] as const);
      const line: string[] = [];
      for (const side of order) {
        system.profiles.servers.reset();
        const cpu = process.cpuUsage();
        const result = await load(scenarios[side], count, offset);
        tallies[side].add(
          result.completed,
          process.cpuUsage(cpu),
          system.profiles.servers.snapshot(),
        );
        results[side].push(result);
        line.push(`${side} ${((result.completed / result.elapsedMs) * 1000).toFixed(0)}/s`);
      }
      offset += count;
      console.log(
        `[hive] round ${round + 1}/${options.rounds} (${count} requests each): ${line.join(', ')}`,
      );
      if (signal.aborted) break;
    }
    return {
      ours: summarize(options.hiveRequests, options.concurrency, results.ours),
      hive: summarize(options.hiveRequests, options.concurrency, results.hive),
      work: { ours: tallies.ours.perView(), hive: tallies.hive.perView() },
      comparedIds,
    };
  } finally {
    await hive.stop();
  }
}

export async function runHive(ctx: BenchContext): Promise<BenchSection> {
  const { config, options } = ctx;
  // Installed before anything starts: a failed install leaves nothing to clean up.
  await installHive(ctx.signal);
  const data = planData(`${ctx.runId}-h`, { ...options, customers: options.hiveCustomers });
  console.log('[hive] starting the subgraphs and our gateway in this process...');
  const system = await startBenchSystem(config);
  // Whatever fails, the seeded data is deleted and every server closed; the first failure is
  // the one reported.
  let failure: { error: unknown } | undefined;
  let measured: Measured | undefined;
  let deleted: Record<string, number> = {};
  try {
    await seed(system.graph, data, options);
    console.log(
      `[hive] seeded ${data.customerIds.length} customers, ${data.serials.length} devices, ` +
        `${data.skus.length} models and ${data.campaignIds.length} campaigns.`,
    );
    measured = await measure(config, system, data, ctx);
  } catch (error) {
    failure = { error };
  }
  try {
    await system.drain(30_000);
    deleted = await removeData(system.graph, data);
    console.log(`[hive] removed the bench data: ${JSON.stringify(deleted)}.`);
  } catch (error) {
    console.error(`[hive] could not remove the data; its keys all start with ${ctx.runId}-h.`);
    failure ??= { error };
  }
  await system.stop().catch((error: unknown) => {
    failure ??= { error };
  });
  if (failure || !measured) throw failure?.error ?? new Error('Nothing was measured');

  const { ours, hive, work, comparedIds } = measured;
  const ratio = {
    throughput: ours.throughputPerSecond / hive.throughputPerSecond,
    p50: ours.p50Ms / hive.p50Ms,
    p99: ours.p99Ms / hive.p99Ms,
  };
  const failures = (
    [
      ['ours', ours],
      ['Hive Gateway', hive],
    ] as const
  ).flatMap(([name, s]) => [
    ...(s.errors ? [`${name}: ${s.errors} errors, e.g. ${s.errorSamples[0]}`] : []),
    ...(s.completed < s.requests
      ? [`${name}: only ${s.completed} of ${s.requests} requests within --max-seconds`]
      : []),
  ]);
  const target = atLeast(
    'hive',
    `CustomerView req/s ours ÷ Hive Gateway, ${options.concurrency} in flight`,
    ratio.throughput,
    TARGET,
  );
  const dataSize = {
    customers: data.customerIds.length,
    devices: data.serials.length,
    models: data.skus.length,
    campaigns: data.campaignIds.length,
    objectsPerCustomerView: data.nodesPerView,
  };
  const size =
    `${dataSize.customers} customers, ${dataSize.devices} devices, ` +
    `${dataSize.objectsPerCustomerView} objects/answer, ${options.concurrency} in flight`;
  return {
    name: 'hive',
    failures,
    summary: [
      {
        benchmark: 'hive',
        metric: 'CustomerView req/s, our gateway',
        measured: num(ours.throughputPerSecond),
        baseline: `${num(hive.throughputPerSecond)} Hive Gateway ${HIVE_VERSION}`,
        ratio: times(ratio.throughput),
        data: size,
        target: verdict(target),
      },
      {
        benchmark: 'hive',
        metric: 'CustomerView p50 / p99 ms, our gateway',
        measured: `${num(ours.p50Ms)} / ${num(ours.p99Ms)}`,
        baseline: `${num(hive.p50Ms)} / ${num(hive.p99Ms)} Hive Gateway`,
        ratio: `${times(ratio.p50)} p50, ${times(ratio.p99)} p99`,
        data: size,
      },
      {
        benchmark: 'hive',
        metric: 'CustomerView subgraph fetches / process CPU ms per view, ours',
        measured: `${num(fetchesPerView(work.ours))} / ${num(work.ours.cpuMs)}`,
        baseline: `${num(fetchesPerView(work.hive))} / ${num(work.hive.cpuMs)} Hive Gateway`,
        ratio: `${times(work.ours.cpuMs / work.hive.cpuMs)} CPU`,
        data: 'CPU of client, gateway and subgraphs (one process)',
      },
    ],
    targets: [target],
    details: {
      hiveGateway: { package: HIVE_PACKAGE, version: HIVE_VERSION, installedIn: HIVE_DIR },
      options: {
        requests: options.hiveRequests,
        concurrency: options.concurrency,
        warmup: options.warmup,
        rounds: options.rounds,
      },
      data: dataSize,
      note: NOTE,
      comparedIds,
      ours,
      hive,
      ratio,
      workPerView: work,
    },
    cleanup: { deleted },
    print: () => {
      console.log(`
hive: our gateway against Hive Gateway ${HIVE_VERSION}, CustomerView
  data      ${size}
  how       ${NOTE.replace(/\n/g, '\n            ')}
`);
      printTable(
        ['gateway', 'requests', 'conc.', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'req/s by round'],
        (
          [
            ['ours (@apollo/gateway)', ours],
            [`Hive Gateway ${HIVE_VERSION}`, hive],
          ] as const
        ).map(([name, s]) => [
          name,
          String(s.completed),
          String(s.concurrency),
          s.throughputPerSecond.toFixed(1),
          s.p50Ms.toFixed(2),
          s.p99Ms.toFixed(2),
          String(s.errors),
          s.roundsPerSecond.map((r) => r.toFixed(0)).join(' '),
        ]),
      );
      printTable(
        ['per view', 'products', 'customers', 'campaigns', 'statements', 'CPU ms'],
        (
          [
            ['ours', work.ours],
            ['Hive Gateway', work.hive],
          ] as const
        ).map(([name, w]) => [
          name,
          ...SUBGRAPH_NAMES.map((subgraph) => num(w.subgraphFetches[subgraph] ?? 0)),
          num(w.statements),
          num(w.cpuMs),
        ]),
      );
      console.log(
        `\nOurs ÷ Hive: throughput ${ratio.throughput.toFixed(2)}, p50 ${ratio.p50.toFixed(2)}, ` +
          `p99 ${ratio.p99.toFixed(2)} (target: throughput ${verdict(target)})`,
      );
    },
  };
}
