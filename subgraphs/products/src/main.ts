// First: tracing instruments the modules required after it.
import { flushTracing } from '@experience-graph/tracing/register';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createServiceMetrics, neo4jStatementMetrics } from '@experience-graph/metrics';
import { createDriver, createGraph, servingDeadlines } from '@experience-graph/neo4j';
import { listen, runService } from '@experience-graph/server-kit';
import { temporalClientInterceptors } from '@experience-graph/tracing/temporal';
import { createLifecycleGateway, deadlineInterceptors } from '@experience-graph/workflows';
import { createProductsSubgraph } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'products', level: config.logLevel });

runService(logger, async () => {
  const driver = createDriver(config.neo4j);
  const metrics = createServiceMetrics('products');
  // Lazy, and every call bounded: the subgraph starts while Temporal is away, and a request that
  // signals a lifecycle then fails within TEMPORAL_CALL_TIMEOUT_MS instead of hanging.
  const connection = Connection.lazy({
    address: config.temporal.address,
    interceptors: deadlineInterceptors(config.temporal.callTimeoutMs),
  });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: temporalClientInterceptors(),
  });
  const { app, apollo } = await createProductsSubgraph({
    graph: createGraph(driver, config.neo4j.database, {
      observers: [neo4jStatementMetrics(metrics)],
      ...servingDeadlines(config.neo4j),
    }),
    metrics,
    lifecycle: createLifecycleGateway(client, config.temporal.taskQueue),
    identity: config.identity,
    intake: config.intake,
    logger,
    erasureSalt: config.erasure.salt,
    value: config.value,
    signing: config.signing,
    lane: config.temporal.taskQueue,
  });
  const { host, port } = config.subgraphs.products;
  const server = await listen(app, host, port);
  logger.info(
    { url: `${server.url}/graphql`, metrics: `${server.url}/metrics` },
    'products subgraph ready',
  );
  return [
    flushTracing,
    () => driver.close(),
    () => connection.close(),
    () => apollo.stop(),
    server.close,
  ];
});
