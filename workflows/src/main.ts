// First: tracing instruments the modules required after it.
import { flushTracing } from '@experience-graph/tracing/register';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import {
  createServiceMetrics,
  neo4jStatementMetrics,
  serveMetrics,
} from '@experience-graph/metrics';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { registerSearchAttributes } from './search-attributes';
import { installTemporalMetrics } from './temporal-metrics';
import { ensureValueModelSchedule } from './value-model-client';
import { createLifecycleWorker, prebuiltWorkflowBundle } from './worker';

async function main() {
  const config = loadConfig(process.env);
  const logger = pino({ name: 'worker', level: config.logLevel });
  // Before the first connection: the runtime takes its telemetry options once.
  const temporalMetrics = installTemporalMetrics(config.metrics);
  const driver = createDriver(config.neo4j);
  await driver.verifyConnectivity({ database: config.neo4j.database });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // The worker's own metrics (process, Neo4j statements of its activities), beside the SDK's.
  const metrics = createServiceMetrics('worker');
  const scrape = await serveMetrics(metrics, config.metrics.host, config.metrics.workerPort);
  try {
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    if (added.length > 0) logger.info({ added }, 'registered search attributes');
    // The nightly value-model refit runs on this worker's task queue; every start makes sure the
    // schedule exists and matches the configuration.
    const cron = config.valueModel.schedule;
    if (cron !== null) {
      const clientConnection = await Connection.connect({ address: config.temporal.address });
      try {
        const client = new Client({
          connection: clientConnection,
          namespace: config.temporal.namespace,
        });
        const schedule = await ensureValueModelSchedule(client, {
          taskQueue: config.temporal.taskQueue,
          cron,
          horizonDays: config.valueModel.horizonDays,
        });
        logger.info({ cron, schedule }, 'value model schedule');
      } finally {
        await clientConnection.close();
      }
    }
    const worker = await createLifecycleWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      graph: createGraph(driver, config.neo4j.database, {
        observers: [neo4jStatementMetrics(metrics)],
      }),
      erasureSalt: config.erasure.salt,
      value: config.value,
      // Production (NODE_ENV=production, as in the image) runs the workflow bundle the build
      // wrote, the code that was built and tested; elsewhere the worker bundles the source.
      ...(config.gateway.production ? { workflowBundle: prebuiltWorkflowBundle() } : {}),
    });
    // The SDK shuts the worker down gracefully on SIGINT and SIGTERM; run() resolves after.
    logger.info(
      { taskQueue: config.temporal.taskQueue, metrics: scrape.url, temporalMetrics },
      'worker running',
    );
    await worker.run();
  } finally {
    await scrape.close();
    await connection.close();
    await driver.close();
    await flushTracing();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
