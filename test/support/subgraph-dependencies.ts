import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import type { createCampaignsSubgraph } from '@experience-graph/campaigns';
import type { createCustomersSubgraph } from '@experience-graph/customers';
import type { createProductsSubgraph } from '@experience-graph/products';
import { createRelay, type DeliveryObserver, type Relay } from '@experience-graph/relay';
import {
  createErasureStarter,
  createValueModelJobs,
  type LifecycleGateway,
} from '@experience-graph/workflows';

/**
 * What each subgraph is built with, from the configuration, when the whole system runs in one
 * process (the e2e tests and the benchmarks): one place to wire a new dependency.
 */
export function subgraphDependencies(
  config: Config,
  shared: {
    graph: Graph;
    client: Client;
    taskQueue: string;
    lifecycle: LifecycleGateway;
    logger: Logger;
  },
): {
  products: Parameters<typeof createProductsSubgraph>[0];
  customers: Parameters<typeof createCustomersSubgraph>[0];
  campaigns: Parameters<typeof createCampaignsSubgraph>[0];
} {
  const { graph, client, taskQueue, lifecycle, logger } = shared;
  return {
    products: {
      graph,
      lifecycle,
      logger,
      identity: config.identity,
      intake: config.intake,
      erasureSalt: config.erasure.salt,
      value: config.value,
      signing: config.signing,
      lane: taskQueue,
    },
    customers: {
      graph,
      value: config.value,
      valueModel: {
        jobs: createValueModelJobs(client, taskQueue),
        defaultHorizonDays: config.valueModel.horizonDays,
      },
      erasure: { salt: config.erasure.salt, starter: createErasureStarter(client, taskQueue) },
      signing: config.signing,
      identity: config.identity,
      logger,
    },
    campaigns: { graph, attribution: config.attribution, signing: config.signing, logger },
  };
}

/**
 * The outbox relay of a system in one process, built (not started) on the system's own task
 * queue, so that parallel systems never deliver each other's signals. It delivers through the
 * system's lifecycle client, so lifecycles it starts get the same timers.
 */
export function lifecycleRelay(
  config: Config,
  shared: {
    graph: Graph;
    taskQueue: string;
    lifecycle: LifecycleGateway;
    logger: Logger;
    observer?: DeliveryObserver;
  },
): Relay {
  return createRelay({
    graph: shared.graph,
    lifecycle: shared.lifecycle,
    lane: shared.taskQueue,
    logger: shared.logger,
    concurrency: config.relay.concurrency,
    pollMs: config.relay.pollMs,
    leaseMs: config.relay.leaseMs,
    batchSize: config.relay.batchSize,
    ...(shared.observer ? { observer: shared.observer } : {}),
  });
}
