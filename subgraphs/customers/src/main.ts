// First: tracing instruments the modules required after it.
import { flushTracing } from '@experience-graph/tracing/register';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createServiceMetrics, neo4jStatementMetrics } from '@experience-graph/metrics';
import { createDriver, createGraph, servingDeadlines } from '@experience-graph/neo4j';
import { listen, runService } from '@experience-graph/server-kit';
import { temporalClientInterceptors } from '@experience-graph/tracing/temporal';
import { createValueModelJobs } from '@experience-graph/workflows';
import { createErasureStarter } from '@experience-graph/workflows';
import { createCustomersSubgraph } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'customers', level: config.logLevel });

runService(logger, async () => {
  const driver = createDriver(config.neo4j);
  const metrics = createServiceMetrics('customers');
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: temporalClientInterceptors(),
  });
  const { app, apollo } = await createCustomersSubgraph({
    graph: createGraph(driver, config.neo4j.database, {
      observers: [neo4jStatementMetrics(metrics)],
      ...servingDeadlines(config.neo4j),
    }),
    metrics,
    value: config.value,
    valueModel: {
      jobs: createValueModelJobs(client, config.temporal.taskQueue),
      defaultHorizonDays: config.valueModel.horizonDays,
    },
    erasure: {
      salt: config.erasure.salt,
      starter: createErasureStarter(client, config.temporal.taskQueue),
    },
    signing: config.signing,
    identity: config.identity,
    logger,
  });
  const { host, port } = config.subgraphs.customers;
  const server = await listen(app, host, port);
  logger.info(
    { url: `${server.url}/graphql`, metrics: `${server.url}/metrics` },
    'customers subgraph ready',
  );
  return [
    flushTracing,
    () => driver.close(),
    () => connection.close(),
    () => apollo.stop(),
    server.close,
  ];
});
