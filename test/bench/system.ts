import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino, { type Logger } from 'pino';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@experience-graph/config';
import { createCampaignsSubgraph } from '@experience-graph/campaigns';
import { createCustomersSubgraph } from '@experience-graph/customers';
import { createGateway } from '@experience-graph/gateway';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { createProductsSubgraph } from '@experience-graph/products';
import type { Relay } from '@experience-graph/relay';
import { listen } from '@experience-graph/server-kit';
import { createLifecycleGateway, type LifecycleGateway } from '@experience-graph/workflows';
import { lifecycleRelay, subgraphDependencies } from '../support/subgraph-dependencies';
import { postJson } from './http-client';
import { profiledGraph, Profiler } from './profile';

type SubgraphUrls = Record<SubgraphName, string>;

/**
 * The servers the bench measures, in this process, on port 0, built as test/support/system.ts
 * builds them; unlike that one it hands out the subgraphs' URLs, so the baseline can call them
 * directly. It starts no lifecycle worker: an idle worker's polling would be one more source of
 * noise, and the benchmarks that need one run it in a process of its own (worker-process.ts),
 * as production does. The intake owes lifecycle signals in the outbox on the task queue it is
 * given (the configured one by default); the outbox relay of that lane is built in this process,
 * as in test/support/system.ts, and runs when the benchmark asks (`relay`).
 */
export interface BenchSystem {
  graph: Graph;
  gatewayUrl: string;
  subgraphUrls: SubgraphUrls;
  logger: Logger;
  /** The Temporal client the products subgraph uses; the bench terminates workflows with it. */
  client: Client;
  /** The task queue lifecycles started through this system run on: the outbox lane too. */
  taskQueue: string;
  /**
   * The outbox relay of this system's lane, delivering what the intake owes through the
   * products subgraph's lifecycle client (its Temporal connection).
   */
  relay: Relay;
  /** The lifecycle client the relay delivers through (signal-with-start on `taskQueue`). */
  lifecycle: LifecycleGateway;
  /**
   * Timings since the last reset: `servers` holds every request each server handled and every
   * Neo4j statement the subgraphs ran; `relay` every statement and Temporal call of the relay.
   */
  profiles: { servers: Profiler; relay: Profiler };
  /**
   * Waits until no request is being handled by the gateway or a subgraph, at most `timeoutMs`;
   * resolves how many still are (0 when drained). A request whose client gave up (a timeout,
   * Ctrl-C) goes on in the server: a recordEvents batch keeps writing and signalling until it
   * ends, so clean-up must wait for it, or it would recreate what was just removed.
   */
  drain(timeoutMs: number): Promise<number>;
  /** Closes every server, the Temporal connection and the Neo4j driver, also after a failure. */
  stop(): Promise<void>;
}

/**
 * Runs `start` and removes the SIGINT/SIGTERM listeners it added. Apollo Server (unless
 * NODE_ENV is "test", as under jest) answers those signals by stopping itself and re-raising
 * the signal, which kills the process: the bench would die with its data still in Neo4j. The
 * bench owns its shutdown (run.ts), so the servers' own handlers go. Listeners added before,
 * such as the bench's, stay.
 */
async function withoutSignalHandlers<T>(start: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, process.listeners(s)]));
  try {
    return await start();
  } finally {
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
      }
    }
  }
}

type App = Parameters<typeof listen>[0];
type Built = Promise<{ app: App; apollo: { stop(): Promise<void> } }>;

/**
 * The same app, counting the requests whose handler has not yet ended its response; the
 * response's end is the handler's, whether or not the client is still there to read it.
 */
function countingInFlight(
  app: App,
  inFlight: { count: number },
  timed: { name: string; profiler: Profiler },
): App {
  return new Proxy(app, {
    apply(target, thisArg, args: unknown[]) {
      const response = args[1] as ServerResponse;
      inFlight.count++;
      let ended = false;
      const started = performance.now();
      const end = response.end.bind(response) as (...endArgs: unknown[]) => ServerResponse;
      response.end = ((...endArgs: unknown[]) => {
        if (!ended) {
          ended = true;
          inFlight.count--;
          timed.profiler.add('request', timed.name, performance.now() - started);
        }
        return end(...endArgs);
      }) as ServerResponse['end'];
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
}

export interface BenchSystemOptions {
  /** The lifecycles' task queue; the configured one if absent. */
  taskQueue?: string;
  /**
   * Build gateway and subgraphs without access control (no signatures, no rights table or
   * field rules): the baseline of what access control costs.
   */
  withoutAccessChecks?: boolean;
  /**
   * `stopped` (the default): the relay is built but not started; a benchmark that wants its
   * lane's signals delivered starts it (`relay.start()`), and until then they wait in the outbox.
   * `running`: it delivers from the start, as in production. Only for a task queue of the
   * bench's own: on the configured one it would deliver another system's signals.
   */
  relay?: 'running' | 'stopped';
}

export async function startBenchSystem(
  config: Config,
  options: BenchSystemOptions = {},
): Promise<BenchSystem> {
  const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  const logger = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'silent' });
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const profiles = { servers: new Profiler(), relay: new Profiler() };
  const stops: Array<() => Promise<void>> = [() => driver.close()];
  const inFlight = { count: 0 };
  const drain = async (timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (inFlight.count > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return inFlight.count;
  };
  const stop = async () => {
    // Reverse order: servers before the connections they use. Keep going past a failure.
    const failures: unknown[] = [];
    for (const close of stops.reverse()) await close().catch((error) => failures.push(error));
    if (failures.length) throw new AggregateError(failures, 'Some parts did not stop cleanly');
  };
  try {
    const connection = await Connection.connect({ address: config.temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const serve = async (name: string, build: () => Built) => {
      const { app, apollo } = await withoutSignalHandlers(build);
      stops.push(() => apollo.stop());
      const timed = { name, profiler: profiles.servers };
      const server = await listen(countingInFlight(app, inFlight, timed), '127.0.0.1', 0);
      stops.push(server.close);
      return `${server.url}/graphql`;
    };
    const lifecycle = createLifecycleGateway(client, taskQueue);
    const unchecked = options.withoutAccessChecks === true;
    const signing = { ...config.signing, benchmarkWithoutAccessChecks: unchecked };
    const built = subgraphDependencies(config, {
      graph: profiledGraph(graph, profiles.servers),
      client,
      taskQueue,
      lifecycle,
      logger,
    });
    const deps = {
      products: { ...built.products, signing },
      customers: { ...built.customers, signing },
      campaigns: { ...built.campaigns, signing },
    };
    const subgraphUrls: SubgraphUrls = {
      products: await serve('products', () => createProductsSubgraph(deps.products)),
      customers: await serve('customers', () => createCustomersSubgraph(deps.customers)),
      campaigns: await serve('campaigns', () => createCampaignsSubgraph(deps.campaigns)),
    };
    const gatewayUrl = await serve('gateway', () =>
      createGateway({
        config: { ...config.gateway, subgraphUrls },
        signing: config.signing,
        logger,
      }),
    );
    // The relay's Temporal calls, timed; everything else of the client as it is.
    const relayLifecycle: LifecycleGateway = {
      ...lifecycle,
      deliverDeviceEvents: (serial, events, o) =>
        profiles.relay.time('temporal', 'signalWithStart deviceEvents', () =>
          lifecycle.deliverDeviceEvents(serial, events, o),
        ),
      deliverJourneyEvents: (customerId, sku, events, o) =>
        profiles.relay.time('temporal', 'signalWithStart journeyEvents', () =>
          lifecycle.deliverJourneyEvents(customerId, sku, events, o),
        ),
    };
    const relay = lifecycleRelay(config, {
      graph: profiledGraph(graph, profiles.relay),
      taskQueue,
      lifecycle: relayLifecycle,
      logger,
    });
    // Stopped before the servers, the Temporal connection and the driver (stops run reversed).
    stops.push(() => relay.stop());
    if (options.relay === 'running') {
      if (options.taskQueue === undefined) {
        throw new Error("A running relay needs a task queue of the benchmark's own");
      }
      relay.start();
    }
    return {
      graph,
      gatewayUrl,
      subgraphUrls,
      logger,
      client,
      taskQueue,
      relay,
      lifecycle,
      profiles,
      drain,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** One request the gateway sent to a subgraph, as the subgraph received it. */
export interface RecordedFetch {
  subgraph: SubgraphName;
  /** The JSON body exactly as sent: query, variables (the representations), operation name. */
  body: string;
  startedAt: number;
  endedAt: number;
}

/**
 * A second gateway, with the same supergraph and configuration as the measured one, whose
 * subgraph URLs lead through a recording proxy to the same subgraphs. The bench sends each
 * customer's query through it once, so the baseline can replay the very fetches the gateway
 * makes for that customer. It is stopped before any measurement.
 */
export interface RecordingGateway {
  /** Sends one operation and returns the gateway's answer and the fetches it made, in order. */
  record(
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ response: unknown; fetches: RecordedFetch[] }>;
  stop(): Promise<void>;
}

// Recording is not measured; each request only has to end.
const captureTimeout = () => AbortSignal.timeout(30_000);

export async function startRecordingGateway(
  config: Config,
  system: BenchSystem,
): Promise<RecordingGateway> {
  let fetches: RecordedFetch[] = [];
  const proxy: Server = createServer((request, response) => {
    const startedAt = performance.now();
    // Paths are /<subgraph>/graphql; anything else is not ours to forward.
    const subgraph = SUBGRAPH_NAMES.find((name) => request.url === `/${name}/graphql`);
    void readBody(request)
      .then(async (body) => {
        if (!subgraph) throw new Error(`Unexpected proxy path ${request.url}`);
        const forwarded = await postJson(system.subgraphUrls[subgraph], body, captureTimeout());
        fetches.push({ subgraph, body, startedAt, endedAt: performance.now() });
        response
          .writeHead(forwarded.status, { 'content-type': 'application/json' })
          .end(forwarded.text);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
      });
  });
  proxy.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    proxy.once('listening', resolve).once('error', reject);
  });
  const { port } = proxy.address() as AddressInfo;
  const subgraphUrls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${port}/${name}/graphql`]),
  ) as SubgraphUrls;
  const { app, apollo } = await withoutSignalHandlers(() =>
    createGateway({
      config: { ...config.gateway, subgraphUrls },
      signing: config.signing,
      logger: system.logger,
    }),
  );
  const server = await listen(app, '127.0.0.1', 0).catch(async (error: unknown) => {
    await apollo.stop();
    proxy.close();
    throw error;
  });

  return {
    async record(query, variables) {
      // One operation at a time, so every fetch recorded belongs to it.
      fetches = [];
      const answer = await postJson(
        `${server.url}/graphql`,
        JSON.stringify({ query, variables }),
        captureTimeout(),
      );
      const response: unknown = JSON.parse(answer.text);
      return { response, fetches: [...fetches].sort((a, b) => a.startedAt - b.startedAt) };
    },
    async stop() {
      await apollo.stop();
      await server.close();
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      });
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Groups recorded fetches into the stages of the gateway's query plan. A fetch that depends on
 * another can only start after that one has answered, while the fetches of one parallel stage
 * all start before any of them answers; so a fetch joins the current stage exactly when it
 * started before the first of that stage's fetches ended.
 */
export function toStages(fetches: RecordedFetch[]): RecordedFetch[][] {
  const stages: RecordedFetch[][] = [];
  for (const fetch of fetches) {
    const current = stages.at(-1);
    if (current && fetch.startedAt < Math.min(...current.map((f) => f.endedAt))) {
      current.push(fetch);
    } else {
      stages.push([fetch]);
    }
  }
  return stages;
}
