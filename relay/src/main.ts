// First: tracing instruments the modules required after it.
import { flushTracing } from '@experience-graph/tracing/register';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import {
  createServiceMetrics,
  httpMetrics,
  metricsHandler,
  neo4jStatementMetrics,
} from '@experience-graph/metrics';
import { createDriver, createGraph, servingDeadlines } from '@experience-graph/neo4j';
import { listen, mountHealth, runService } from '@experience-graph/server-kit';
import { temporalClientInterceptors } from '@experience-graph/tracing/temporal';
import { createLifecycleGateway } from '@experience-graph/workflows';
import { createRelay } from './relay';
import { relayDeliveryMetrics } from './relay-metrics';

const config = loadConfig(process.env);
const logger = pino({ name: 'relay', level: config.logLevel });

runService(logger, async () => {
  const driver = createDriver(config.neo4j);
  const metrics = createServiceMetrics('relay');
  const graph = createGraph(driver, config.neo4j.database, {
    observers: [neo4jStatementMetrics(metrics)],
    ...servingDeadlines(config.neo4j),
  });
  // Lazy: the relay starts whether or not Temporal is up, and its deliveries fail, back off and
  // retry until it is; gRPC reconnects by itself after a restart of the server.
  const connection = Connection.lazy({ address: config.temporal.address });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: temporalClientInterceptors(),
  });
  const lane = config.temporal.taskQueue;
  const relay = createRelay({
    graph,
    lifecycle: createLifecycleGateway(client, lane),
    lane,
    logger,
    concurrency: config.relay.concurrency,
    pollMs: config.relay.pollMs,
    leaseMs: config.relay.leaseMs,
    batchSize: config.relay.batchSize,
    observer: relayDeliveryMetrics(metrics, {
      graph,
      lane,
      inFlight: () => relay.stats().inFlight,
    }),
  });

  const app = express();
  app.use(httpMetrics(metrics, ['/health', '/stats', '/metrics']));
  mountHealth(app, 'relay', {
    neo4j: () =>
      driver.verifyConnectivity({ database: config.neo4j.database }).then(() => undefined),
    temporal: () =>
      connection
        .withDeadline(Date.now() + 3_000, () => connection.workflowService.getSystemInfo({}))
        .then(() => undefined),
  });
  // Delivered, dropped and failed counts and the delivery lag, for ops and benchmarks.
  app.get('/stats', (_req, res) => {
    res.json(relay.stats());
  });
  // The relay is never public: Prometheus scrapes it on its own port.
  app.get('/metrics', metricsHandler(metrics));
  const server = await listen(app, config.relay.host, config.relay.port);
  relay.start();
  logger.info({ lane, url: server.url, metrics: `${server.url}/metrics` }, 'relay running');
  // Closed in reverse: the relay first (deliveries under way finish, leases are handed back).
  return [
    flushTracing,
    () => driver.close(),
    () => connection.close(),
    server.close,
    () => relay.stop(),
  ];
});
