/**
 * Our gateway against Hive Gateway on the same supergraph: the federated CustomerView of
 * scenarios.ts, for varied seeded customers, through both, in alternating rounds at the same
 * concurrency; the throughput ratio (ours ÷ Hive) is checked against the design's target of 1.3.
 *
 * Hive Gateway is not a dependency of the product: the benchmark installs the version and lock
 * file of test/bench/hive-gateway into .data/bench/hive (once; later runs find it there) and
 * loads its runtime from there. It
 * runs in this process, on a server of its own on 127.0.0.1, as our gateway and the subgraphs
 * do (startBenchSystem): both gateways share the one event loop with the subgraphs and the
 * client, so neither gets a core to itself on this two-core machine. The subgraphs refuse
 * unsigned requests, so Hive signs every subgraph fetch (its `onFetch` hook) with our own
 * signRequest, for the principal of the client's API key, as our gateway does.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { signRequest, type Principal } from '@experience-graph/access';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@experience-graph/config';
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
import { runLoad, summarize, type LoadResult, type Summary } from './load';
import { CUSTOMER_VIEW, checkCustomerView, gatewayCustomerView, type Scenario } from './scenarios';
import { planData, removeData, seed, type BenchData } from './seed';
import type { ProfileLine } from './profile';
import { startBenchSystem, type BenchSystem } from './system';

const ROOT = path.resolve(__dirname, '..', '..');
const HIVE_PACKAGE = '@graphql-hive/gateway';
/**
 * What is installed: a package.json naming the one Hive Gateway version, and the lock file of
 * everything it depends on, so that every run measures the same gateway, planner included.
 */
const HIVE_MANIFEST = path.join(__dirname, 'hive-gateway');
const HIVE_DIR = path.join(ROOT, '.data', 'bench', 'hive');
/** The Hive Gateway measured, as pinned in hive-gateway/package.json. */
export const HIVE_VERSION = (
  JSON.parse(readFileSync(path.join(HIVE_MANIFEST, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }
).dependencies[HIVE_PACKAGE] as string;
const SUPERGRAPH = path.join(ROOT, 'schema', 'supergraph.graphql');
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

// ---------------------------------------------------------------------------------------------
// Installing and starting Hive Gateway

/** What the benchmark uses of the package: its programmatic runtime. */
interface HiveGatewayModule {
  createGatewayRuntime(config: Record<string, unknown>): HiveRuntime;
}

/** A Yoga server: a node:http request listener that can be disposed of. */
type HiveRuntime = ((request: IncomingMessage, response: ServerResponse) => void) & {
  dispose(): Promise<void> | void;
};

/** Whether .data/bench/hive holds what hive-gateway/ pins: the same lock, the same gateway. */
function installed(): boolean {
  const manifest = path.join(HIVE_DIR, 'node_modules', ...HIVE_PACKAGE.split('/'), 'package.json');
  const lock = path.join(HIVE_DIR, 'package-lock.json');
  if (!existsSync(manifest) || !existsSync(lock)) return false;
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
  const pinned = readFileSync(path.join(HIVE_MANIFEST, 'package-lock.json'), 'utf8');
  return version === HIVE_VERSION && readFileSync(lock, 'utf8') === pinned;
}

/**
 * Installs the pinned Hive Gateway into .data/bench/hive (npm ci of hive-gateway/'s lock file)
 * unless it is there already. No audit, and no install scripts: the runtime needs none, and no
 * script of a package outside the product's lock file runs on this machine.
 */
async function installHive(signal: AbortSignal): Promise<void> {
  if (installed()) return;
  console.log(
    `[hive] installing ${HIVE_PACKAGE}@${HIVE_VERSION} into ${path.relative(ROOT, HIVE_DIR)}...`,
  );
  mkdirSync(HIVE_DIR, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(path.join(HIVE_MANIFEST, file), path.join(HIVE_DIR, file));
  }
  const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', HIVE_DIR];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', args, { cwd: HIVE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (part: Buffer) => {
      stderr = (stderr + part.toString('utf8')).slice(-4_000);
    });
    // Ctrl-C ends the install too: this one child, by its handle.
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    child.once('error', reject);
    child.once('exit', (code, killedBy) => {
      signal.removeEventListener('abort', stop);
      if (code === 0) return resolve();
      reject(new Error(`npm ci of Hive Gateway failed (${killedBy ?? `exit ${code}`}): ${stderr}`));
    });
  });
  if (!installed()) {
    throw new Error(`npm ci ended, but ${HIVE_PACKAGE}@${HIVE_VERSION} is not in ${HIVE_DIR}`);
  }
}

/**
 * The composed supergraph with each subgraph's URL replaced by the bench's: the file names the
 * default ports, the bench's subgraphs listen on ports of their own.
 */
export function supergraphFor(subgraphUrls: Record<SubgraphName, string>): string {
  const replaced = new Set<string>();
  const sdl = readFileSync(SUPERGRAPH, 'utf8').replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (whole, name: string) => {
      const url = subgraphUrls[name as SubgraphName] as string | undefined;
      if (url === undefined) return whole;
      replaced.add(name);
      return `@join__graph(name: "${name}", url: "${url}")`;
    },
  );
  const missing = SUBGRAPH_NAMES.filter((name) => !replaced.has(name));
  if (missing.length) {
    throw new Error(`The supergraph names no URL for ${missing.join(', ')}: ${SUPERGRAPH}`);
  }
  return sdl;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * A Hive Gateway plugin giving each request the principal of its API key, and signing every
 * subgraph fetch for that principal with our signRequest, over the exact body sent. Only the
 * configured service clients are known to it (the bench's client is one); any other credential
 * is refused before a plan is made, and a fetch without a principal is refused rather than sent
 * unsigned, as our gateway's SignedSubgraphSource does.
 */
function signingPlugin(config: Config) {
  const secret = config.signing.secret;
  const services = new Map<string, Principal>(
    config.gateway.clients
      .filter((client) => client.role === 'service')
      .map((client) => [digest(client.key), { kind: 'service', id: client.id }]),
  );
  const principalOf = (authorization: string | null): Principal | undefined => {
    const key = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    return key === undefined ? undefined : services.get(digest(key));
  };
  return {
    onContextBuilding({
      context,
      extendContext,
    }: {
      context: { request?: { headers: { get(name: string): string | null } } };
      extendContext(extension: { principal: Principal }): void;
    }) {
      const principal = principalOf(context.request?.headers.get('authorization') ?? null);
      if (!principal) throw new Error('Unknown API key');
      extendContext({ principal });
    },
    onFetch({
      options,
      setOptions,
      context,
    }: {
      options: { body?: unknown; headers?: Record<string, string> | Headers };
      setOptions(options: Record<string, unknown>): void;
      context?: { principal?: Principal };
    }) {
      const principal = context?.principal;
      if (!principal) throw new Error('Refusing to call a subgraph without a principal');
      if (typeof options.body !== 'string') {
        throw new Error('Refusing to sign a subgraph request whose body is not a string');
      }
      const headers: Record<string, string> = Object.fromEntries(
        new Headers(options.headers ?? {}).entries(),
      );
      setOptions({
        ...options,
        headers: { ...headers, ...signRequest(secret, principal, options.body) },
      });
    },
  };
}

interface HiveGateway {
  url: string;
  stop(): Promise<void>;
}

/** Starts Hive Gateway on 127.0.0.1 (a free port) in front of the bench's subgraphs. */
async function startHive(config: Config, system: BenchSystem): Promise<HiveGateway> {
  // Loaded from its own directory, with its own dependencies (graphql included), never the
  // product's.
  const load = createRequire(path.join(HIVE_DIR, 'package.json'));
  const { createGatewayRuntime } = load(HIVE_PACKAGE) as HiveGatewayModule;
  const runtime = createGatewayRuntime({
    supergraph: supergraphFor(system.subgraphUrls),
    // No `reporting`: nothing is sent to Hive's or Apollo's usage services. No landing page, no
    // GraphiQL, no logs: it serves /graphql and nothing else, like the measured one.
    logging: false,
    landingPage: false,
    graphiql: false,
    plugins: () => [signingPlugin(config)],
  });
  const server = createServer(runtime);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject).listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The benchmark

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
  const hive = await startHive(config, system);
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
