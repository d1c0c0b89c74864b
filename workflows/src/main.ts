import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { registerSearchAttributes } from './search-attributes';
import { ensureValueModelSchedule } from './value-model-client';
import { createLifecycleWorker, prebuiltWorkflowBundle } from './worker';

async function main() {
  const config = loadConfig(process.env);
  const logger = pino({ name: 'worker', level: config.logLevel });
  const driver = createDriver(config.neo4j);
  await driver.verifyConnectivity({ database: config.neo4j.database });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
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
      graph: createGraph(driver, config.neo4j.database),
      erasureSalt: config.erasure.salt,
      value: config.value,
      // Production (NODE_ENV=production, as in the image) runs the workflow bundle the build
      // wrote, the code that was built and tested; elsewhere the worker bundles the source.
      ...(config.gateway.production ? { workflowBundle: prebuiltWorkflowBundle() } : {}),
    });
    // The SDK shuts the worker down gracefully on SIGINT and SIGTERM; run() resolves after.
    logger.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
    await worker.run();
  } finally {
    await connection.close();
    await driver.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
