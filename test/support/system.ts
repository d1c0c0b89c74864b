import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import express from 'express';
import pino from 'pino';
import { loadConfig, type ApiClient, type Config } from '@experience-graph/config';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { createCampaignsSubgraph } from '@experience-graph/campaigns';
import { createCustomersSubgraph } from '@experience-graph/customers';
import { createGateway } from '@experience-graph/gateway';
import { createProductsSubgraph } from '@experience-graph/products';
import { relayDeliveryMetrics, type Relay } from '@experience-graph/relay';
import { listen, type RunningServer } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';
import { createDevKeys, signAppToken, signStaffToken } from '@experience-graph/dev-auth';
import { lifecycleRelay, subgraphDependencies } from './subgraph-dependencies';
import { meteredSubgraphs, systemMetrics, type MeteredService } from './system-metrics';

export { eventually, uniqueKey } from '@experience-graph/test-kit';
import { createLifecycleGateway, type LifecycleTimers } from '@experience-graph/workflows';
import { createLifecycleWorker } from '@experience-graph/workflows/worker';
import { temporalClientInterceptors } from '@experience-graph/tracing/temporal';

export interface GraphQLResponse<T> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** The whole system in this process, on real Neo4j and Temporal, with every server on port 0. */
export interface TestSystem {
  config: Config;
  gatewayUrl: string;
  /** Each subgraph's own address, for tests that call one directly (as an attacker would). */
  subgraphUrls: Record<'products' | 'customers' | 'campaigns', string>;
  graph: Graph;
  client: Client;
  taskQueue: string;
  /** Where each service's metrics are scraped (`/metrics`; each service has its own). */
  metricsUrls: Record<MeteredService, string>;
  /** The outbox relay delivering this system's owed signals (its task queue is its lane). */
  relay: Relay;
  /** Sends one operation through the gateway as the local client and returns the raw response. */
  request<T>(
    query: string,
    variables?: Record<string, unknown>,
    apiKey?: string | null,
  ): Promise<GraphQLResponse<T> & { status: number }>;
  /** Requests each subgraph received (from the gateway) since the system started or was reset. */
  subgraphRequests(): Record<'products' | 'customers' | 'campaigns', number>;
  resetSubgraphRequests(): void;
  /**
   * Sends events through `recordEvents` and fails unless every one is ACCEPTED, naming the
   * ones that were not.
   */
  recordAccepted(events: Array<Record<string, unknown>>): Promise<void>;
  /** A signed app token of a person (their customer id), accepted by this system's gateway. */
  personToken(customerId: string): Promise<string>;
  /** A signed staff token of an employee with roles (expert, support, marketer, admin). */
  staffToken(employeeId: string, roles: string[]): Promise<string>;
  /** The key of a registered API-key client, by id (`local`, `demo-retailer`, extra clients). */
  keyOf(clientId: string): string;
  /** Like request, but fails on any error. */
  data<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Shorter lifecycle timers, so tests can watch them fire. */
  timers?: Partial<LifecycleTimers>;
  /** API clients besides the local one. */
  extraClients?: ApiClient[];
}

export async function startSystem(options: SystemOptions = {}): Promise<TestSystem> {
  const base = loadConfig(process.env);
  // A task queue of its own, so parallel test files never take each other's tasks.
  const taskQueue = uniqueKey('test-lifecycle');
  // Tokens of people and employees are signed with a key pair of this system's own.
  const keys = createDevKeys();
  const config: Config = {
    ...base,
    temporal: { ...base.temporal, taskQueue },
    gateway: {
      ...base.gateway,
      appTokens: { ...base.gateway.appTokens, jwksUrl: null, publicKey: keys.publicKeyPem },
      staffTokens: { ...base.gateway.staffTokens, jwksUrl: null, publicKey: keys.publicKeyPem },
    },
  };
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const metered = systemMetrics(driver, config.neo4j.database);
  const connection = await Connection.connect({ address: config.temporal.address });
  // Traced when the test file started tracing first (test/support/tracing.ts).
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: temporalClientInterceptors(),
  });
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const worker: Worker = await createLifecycleWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    graph: metered.graphs.worker,
    erasureSalt: config.erasure.salt,
    value: config.value,
  });
  const workerRun = worker.run();

  const servers: RunningServer[] = [];
  const stops: Array<() => Promise<void>> = [];
  const requests = { products: 0, customers: 0, campaigns: 0 };
  const serve = async (
    built: Promise<{ app: Parameters<typeof listen>[0]; apollo: { stop(): Promise<void> } }>,
    counted?: keyof typeof requests,
  ) => {
    const { app, apollo } = await built;
    let served = app;
    if (counted) {
      // Every GraphQL request a subgraph receives, so tests can see what one gateway query cost.
      served = express();
      served.use((req, _res, next) => {
        if (req.method === 'POST') requests[counted] += 1;
        next();
      });
      served.use(app);
    }
    const server = await listen(served, '127.0.0.1', 0);
    servers.push(server);
    stops.push(() => apollo.stop(), server.close);
    return `${server.url}/graphql`;
  };
  const lifecycle = createLifecycleGateway(client, taskQueue, options.timers);
  const deps = meteredSubgraphs(
    subgraphDependencies(config, { graph, client, taskQueue, lifecycle, logger }),
    metered,
  );
  const relay: Relay = lifecycleRelay(config, {
    graph: metered.graphs.relay,
    taskQueue,
    lifecycle,
    logger,
    observer: relayDeliveryMetrics(metered.metrics.relay, {
      graph: metered.graphs.relay,
      lane: taskQueue,
      inFlight: () => relay.stats().inFlight,
    }),
  });
  relay.start();
  stops.push(() => relay.stop());
  const subgraphUrls = {
    products: await serve(createProductsSubgraph(deps.products), 'products'),
    customers: await serve(createCustomersSubgraph(deps.customers), 'customers'),
    campaigns: await serve(createCampaignsSubgraph(deps.campaigns), 'campaigns'),
  };
  const gatewayUrl = await serve(
    createGateway({
      config: {
        ...config.gateway,
        subgraphUrls,
        clients: [...config.gateway.clients, ...(options.extraClients ?? [])],
      },
      signing: config.signing,
      logger,
      metrics: metered.metrics.gateway,
    }),
  );
  const metricsUrls = {
    ...(await metered.serve()),
    products: subgraphUrls.products.replace(/\/graphql$/, '/metrics'),
    customers: subgraphUrls.customers.replace(/\/graphql$/, '/metrics'),
    campaigns: subgraphUrls.campaigns.replace(/\/graphql$/, '/metrics'),
  };
  stops.push(() => metered.close());

  const clients = [...config.gateway.clients, ...(options.extraClients ?? [])];
  const localKey = clients.find((c) => c.role === 'service')?.key;
  const request = async <T>(
    query: string,
    variables: Record<string, unknown> = {},
    apiKey: string | null | undefined = localKey,
  ) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { ...((await response.json()) as GraphQLResponse<T>), status: response.status };
  };

  return {
    config,
    gatewayUrl,
    subgraphUrls,
    metricsUrls,
    graph,
    client,
    taskQueue,
    relay,
    request,
    async recordAccepted(events) {
      const response = await request<{
        recordEvents: {
          results: Array<{ eventId: string; status: string; error: { message: string } | null }>;
        };
      }>(
        `mutation ($events: [LifecycleEventInput!]!) {
          recordEvents(events: $events) { results { eventId status error { message } } } }`,
        { events },
      );
      const results = response.data?.recordEvents.results;
      if (!results) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
      const refused = results.filter((r) => r.status !== 'ACCEPTED');
      if (refused.length > 0) throw new Error(`Events not accepted: ${JSON.stringify(refused)}`);
    },
    subgraphRequests: () => ({ ...requests }),
    resetSubgraphRequests() {
      requests.products = 0;
      requests.customers = 0;
      requests.campaigns = 0;
    },
    personToken: (customerId) => signAppToken(keys, config.gateway.appTokens, customerId),
    staffToken: (employeeId, roles) =>
      signStaffToken(keys, config.gateway.staffTokens, employeeId, roles),
    keyOf(clientId) {
      const client = clients.find((c) => c.id === clientId);
      if (!client) throw new Error(`No API client ${clientId} is registered`);
      return client.key;
    },
    async data<T>(query: string, variables?: Record<string, unknown>) {
      const response = await request<T>(query, variables);
      if (response.errors?.length || !response.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
      }
      return response.data;
    },
    async stop() {
      for (const stop of stops.reverse()) await stop();
      worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await driver.close();
    },
  };
}
