import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '@experience-graph/config';
import { sampleSum, scrape, type Sample } from '@experience-graph/metrics';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { eventually, uniqueKey } from '@experience-graph/test-kit';
import { deviceLifecycleWorkflowId } from './contracts';
import { createLifecycleGateway } from './lifecycle-client';

/** A port free right now on loopback (the worker binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The worker as its own process, as in production: the Temporal runtime is one per process. */
describe('the worker metrics', () => {
  const config = loadConfig(process.env);
  const taskQueue = uniqueKey('worker-metrics');
  const serial = uniqueKey('serial');
  const customerId = uniqueKey('cust');
  const sku = uniqueKey('sku');
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  let connection: Connection;
  let client: Client;
  let worker: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace: config.temporal.namespace });
    await graph.write(
      `CREATE (:Customer {id: $customerId, displayName: 'Test', createdAt: datetime()})
       CREATE (m:ProductModel {sku: $sku, name: 'Test model'})
       CREATE (:Device {serial: $serial, sku: $sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
      { serial, customerId, sku },
    );
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await client.workflow
      .getHandle(deviceLifecycleWorkflowId(serial))
      .terminate('test over')
      .catch(() => undefined);
    await graph.write(
      `MATCH (n) WHERE (n:Device AND n.serial = $serial) OR (n:Customer AND n.id = $customerId)
         OR (n:ProductModel AND n.sku = $sku)
       OPTIONAL MATCH (n)<-[:ABOUT_DEVICE]-(t:Touchpoint)
       DETACH DELETE n, t`,
      { serial, customerId, sku },
    );
    await connection.close();
    await driver.close();
  });

  it('serves its own and the Temporal SDK metrics: statements, workflow task latency, cache size', async () => {
    const ports = { own: await freePort(), temporal: await freePort() };
    worker = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'main.js')], {
      env: {
        ...process.env,
        TEMPORAL_TASK_QUEUE: taskQueue,
        LOG_LEVEL: 'warn',
        VALUE_MODEL_SCHEDULE: 'off',
        METRICS_HOST: '127.0.0.1',
        WORKER_METRICS_PORT: String(ports.own),
        WORKER_TEMPORAL_METRICS_PORT: String(ports.temporal),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const own = `http://127.0.0.1:${ports.own}/metrics`;
    const temporal = `http://127.0.0.1:${ports.temporal}/metrics`;
    await eventually(
      () => scrape(own),
      () => true,
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`The worker's metrics never answered (${String(error)}); stderr: ${stderr}`);
    });

    const lifecycle = createLifecycleGateway(client, taskQueue);
    await lifecycle.sendDeviceEvent({
      type: 'PURCHASED',
      eventId: `${serial}-PURCHASED`,
      serial,
      occurredAt: new Date().toISOString(),
      customerId,
      orderId: `${serial}-order`,
    });

    const scraped = await eventually(
      async () => ({ own: await scrape(own), temporal: await scrape(temporal) }),
      (s) =>
        sampleSum(s.own, 'eg_neo4j_statement_duration_seconds_count', { mode: 'write' }) > 0 &&
        sampleSum(s.temporal, 'temporal_workflow_task_execution_latency_seconds_count', {
          task_queue: taskQueue,
        }) > 0,
      60_000,
    );
    const series = (samples: Sample[], name: string) => samples.filter((s) => s.name === name);
    // Ours: the Node process and the activities' statements, labelled with the service.
    expect(series(scraped.own, 'process_cpu_user_seconds_total')[0]?.labels).toMatchObject({
      service: 'worker',
    });
    expect(
      sampleSum(scraped.own, 'eg_neo4j_statement_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThan(0);
    // The SDK's: workflow task latency on our task queue, the sticky cache, labelled the same.
    const latency = series(
      scraped.temporal,
      'temporal_workflow_task_execution_latency_seconds_count',
    );
    expect(latency.find((s) => s.labels['task_queue'] === taskQueue)?.labels).toMatchObject({
      service: 'worker',
      namespace: config.temporal.namespace,
    });
    expect(series(scraped.temporal, 'temporal_sticky_cache_size').length).toBeGreaterThan(0);
    expect(
      sampleSum(
        scraped.temporal,
        'temporal_workflow_task_schedule_to_start_latency_seconds_count',
        {
          task_queue: taskQueue,
        },
      ),
    ).toBeGreaterThan(0);
  });
});
