import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig } from '@experience-graph/config';
import { eventually, uniqueKey } from '@experience-graph/test-kit';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { deviceLifecycleWorkflowId, type DeviceEvent } from './contracts';
import { createLifecycleGateway } from './lifecycle-client';

const key = uniqueKey;

/**
 * The worker as its own process, as in production, so the test can kill it without warning.
 */
describe('a worker killed mid-lifecycle', () => {
  const config = loadConfig(process.env);
  const taskQueue = key('restart');
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const serial = key('serial');
  const customerId = key('cust');
  const sku = key('sku');
  let connection: Connection;
  let client: Client;
  let worker: ChildProcess | undefined;

  const startWorker = () =>
    spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'main.js')], {
      // No nightly value-model schedule for a throwaway task queue.
      env: {
        ...process.env,
        TEMPORAL_TASK_QUEUE: taskQueue,
        LOG_LEVEL: 'warn',
        VALUE_MODEL_SCHEDULE: 'off',
        // Free ports: a worker of `npm start` may hold the default metrics ports.
        WORKER_METRICS_PORT: '0',
        WORKER_TEMPORAL_METRICS_PORT: '0',
      },
      stdio: 'ignore',
    });
  const polling = async () => {
    const response = await connection.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (response.pollers ?? []).length > 0;
  };
  const device = async () => {
    const [row] = await graph.read<{ stage: string | null; owners: number; helps: number }>(
      `MATCH (d:Device {serial: $serial})
       RETURN d.stage AS stage, COUNT { (:Customer)-[:OWNS]->(d) } AS owners,
              COUNT { (t:Touchpoint {type: 'INSTALLATION_HELP_OFFERED'})-[:ABOUT_DEVICE]->(d) } AS helps`,
      { serial },
    );
    return row;
  };
  const event = (type: 'PURCHASED' | 'SHIPMENT_UPDATE' | 'DELIVERED'): DeviceEvent => {
    const base = { eventId: `${serial}-${type}`, serial, occurredAt: new Date().toISOString() };
    return type === 'PURCHASED'
      ? { ...base, type, customerId, orderId: `${serial}-order` }
      : { ...base, type, orderId: `${serial}-order` };
  };

  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace: config.temporal.namespace });
    await graph.write(
      `CREATE (c:Customer {id: $customerId, displayName: 'Test', createdAt: datetime()})
       CREATE (m:ProductModel {sku: $sku, name: 'Test model'})
       CREATE (d:Device {serial: $serial, sku: $sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
      { serial, customerId, sku },
    );
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
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

  it('loses no event and repeats no side effect', async () => {
    const lifecycle = createLifecycleGateway(client, taskQueue, { installHelpAfterMs: 2_000 });
    worker = startWorker();
    await eventually(polling, (p) => p);
    await lifecycle.sendDeviceEvent(event('PURCHASED'));
    await eventually(device, (d) => d?.stage === 'PURCHASED', 60_000);

    worker.kill('SIGKILL');
    await new Promise((resolve) => worker?.once('exit', resolve));
    // Accepted while no worker runs: durable in Temporal, waiting.
    await lifecycle.sendDeviceEvent(event('SHIPMENT_UPDATE'));
    await lifecycle.sendDeviceEvent(event('DELIVERED'));
    await lifecycle.sendDeviceEvent(event('DELIVERED')); // a redelivery, too
    expect((await device())?.stage).toBe('PURCHASED');

    worker = startWorker();
    const after = await eventually(
      device,
      (d) => d?.stage === 'INSTALLING' && d.helps === 1,
      60_000,
    );
    expect(after).toEqual({ stage: 'INSTALLING', owners: 1, helps: 1 });
    // Kill again after the help went out: the replacement replays and offers no second help.
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker?.once('exit', resolve));
    worker = startWorker();
    await eventually(polling, (p) => p);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await device()).toEqual({ stage: 'INSTALLING', owners: 1, helps: 1 });
    const history = await client.workflow
      .getHandle(deviceLifecycleWorkflowId(serial))
      .fetchHistory();
    const helpsScheduled = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'offerInstallationHelp',
    );
    expect(helpsScheduled).toHaveLength(1);
  });
});
