import type { Driver } from 'neo4j-driver';
import {
  createServiceMetrics,
  neo4jStatementMetrics,
  serveMetrics,
  type MetricsServer,
  type ServiceMetrics,
} from '@experience-graph/metrics';
import { createGraph, type Graph } from '@experience-graph/neo4j';

/** The services of a system in one process, each with metrics of its own as in production. */
export const METERED_SERVICES = [
  'gateway',
  'products',
  'customers',
  'campaigns',
  'relay',
  'worker',
] as const;
export type MeteredService = (typeof METERED_SERVICES)[number];

/** Each service's metrics, and its graph that times its statements into them. */
export interface SystemMetrics {
  metrics: Record<MeteredService, ServiceMetrics>;
  graphs: Record<MeteredService, Graph>;
  /**
   * Serves `/metrics` of the services that have no port of their own in the test system (the
   * gateway's is a listener of its own in production too; the relay and the worker have none
   * here), on free loopback ports; the subgraphs serve theirs on their own port.
   */
  serve(): Promise<Record<'gateway' | 'relay' | 'worker', string>>;
  close(): Promise<void>;
}

/**
 * Metrics for a system built in one process. The Node process metrics are left out: every
 * service shares the process, and the real processes report them.
 */
export function systemMetrics(driver: Driver, database: string): SystemMetrics {
  const metrics = Object.fromEntries(
    METERED_SERVICES.map((s) => [s, createServiceMetrics(s, { processMetrics: false })]),
  ) as Record<MeteredService, ServiceMetrics>;
  const graphs = Object.fromEntries(
    METERED_SERVICES.map((s) => [
      s,
      createGraph(driver, database, { observers: [neo4jStatementMetrics(metrics[s])] }),
    ]),
  ) as Record<MeteredService, Graph>;
  const servers: MetricsServer[] = [];
  return {
    metrics,
    graphs,
    async serve() {
      const url = async (service: MeteredService) => {
        const server = await serveMetrics(metrics[service], '127.0.0.1', 0);
        servers.push(server);
        return server.url;
      };
      return {
        gateway: await url('gateway'),
        relay: await url('relay'),
        worker: await url('worker'),
      };
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

type SubgraphDeps = Record<
  'products' | 'customers' | 'campaigns',
  { graph: Graph; metrics?: ServiceMetrics }
>;

/** The subgraphs' dependencies with each one's own metered graph and metrics. */
export function meteredSubgraphs<D extends SubgraphDeps>(deps: D, system: SystemMetrics): D {
  const meter = <K extends keyof SubgraphDeps>(name: K) => ({
    ...deps[name],
    graph: system.graphs[name],
    metrics: system.metrics[name],
  });
  return {
    ...deps,
    products: meter('products'),
    customers: meter('customers'),
    campaigns: meter('campaigns'),
  };
}
