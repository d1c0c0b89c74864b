import { MockActivityEnvironment } from '@temporalio/testing';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { eventually, uniqueKey } from '@experience-graph/test-kit';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { createActivities } from './activities';
import {
  deviceLifecycleWorkflowId,
  historyQuery,
  searchAttributes,
  stageQuery,
  type DeviceEvent,
} from './contracts';
import { createLifecycleGateway } from './lifecycle-client';
import { createLifecycleWorker } from './worker';

const key = uniqueKey;

describe('the device lifecycle on real Temporal and Neo4j', () => {
  const config = loadConfig(process.env);
  const taskQueue = key('lifecycle-int');
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const serials: string[] = [];
  const customers: string[] = [];
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;

  /** A customer and an unsold device of their own, removed after the tests. */
  async function givenDevice(): Promise<{ serial: string; customerId: string }> {
    const serial = key('serial');
    const customerId = key('cust');
    serials.push(serial);
    customers.push(customerId);
    await graph.write(
      `CREATE (:Customer {id: $customerId, displayName: 'Test', createdAt: datetime()})
       CREATE (:Device {serial: $serial, sku: 'TEST', registeredAt: datetime()})`,
      { serial, customerId },
    );
    return { serial, customerId };
  }

  const event = (
    serial: string,
    type: 'PURCHASED' | 'SHIPMENT_UPDATE' | 'DELIVERED',
    customerId = '',
    eventId = key('evt'),
  ): DeviceEvent => {
    const base = { eventId, serial, occurredAt: new Date().toISOString() };
    if (type === 'PURCHASED') return { ...base, type, customerId, orderId: `order-${serial}` };
    return { ...base, type, orderId: `order-${serial}` };
  };

  const deviceRow = async (serial: string) => {
    const [row] = await graph.read<{ stage: string | null; owner: string | null }>(
      `MATCH (d:Device {serial: $serial})
       OPTIONAL MATCH (c:Customer)-[:OWNS]->(d)
       RETURN d.stage AS stage, c.id AS owner`,
      { serial },
    );
    return row;
  };

  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace: config.temporal.namespace });
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await createLifecycleWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue,
      graph,
    });
    workerRun = worker.run();
  });

  afterAll(async () => {
    for (const serial of serials) {
      await client.workflow
        .getHandle(deviceLifecycleWorkflowId(serial))
        .terminate('test over')
        .catch(() => undefined);
    }
    await graph.write(
      `MATCH (n) WHERE (n:Device AND n.serial IN $serials) OR (n:Customer AND n.id IN $customers)
       OPTIONAL MATCH (n)-[:HAD_EVENT]->(e:LifecycleEvent)
       DETACH DELETE n, e`,
      { serials, customers },
    );
    worker.shutdown();
    await workerRun;
    await nativeConnection.close();
    await connection.close();
    await driver.close();
  });

  it('decides stages from events, writes them to the graph and sets search attributes', async () => {
    const { serial, customerId } = await givenDevice();
    const lifecycle = createLifecycleGateway(client, taskQueue);
    const purchase = event(serial, 'PURCHASED', customerId);
    await lifecycle.sendDeviceEvent(purchase);
    await lifecycle.sendDeviceEvent(purchase); // redelivered: must change nothing
    await lifecycle.sendDeviceEvent(event(serial, 'SHIPMENT_UPDATE'));

    const handle = client.workflow.getHandle(deviceLifecycleWorkflowId(serial));
    await eventually(
      () => handle.query(stageQuery),
      (stage) => stage === 'DELIVERING',
    );
    expect(await deviceRow(serial)).toEqual({ stage: 'DELIVERING', owner: customerId });
    const history = await handle.query(historyQuery);
    expect(history.map((h) => [h.type, h.outcome, h.stage])).toEqual([
      ['PURCHASED', 'advanced', 'PURCHASED'],
      ['SHIPMENT_UPDATE', 'advanced', 'DELIVERING'],
    ]);
    const description = await eventually(
      () => handle.describe(),
      (d) => d.typedSearchAttributes.get(searchAttributes.stage) === 'DELIVERING',
    );
    expect(description.typedSearchAttributes.get(searchAttributes.serial)).toBe(serial);
    expect(description.typedSearchAttributes.get(searchAttributes.customerId)).toBe(customerId);

    // Ops find it in the visibility store by serial and stage, as the Web UI does.
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const w of client.workflow.list({
          query: `Serial = '${serial}' AND LifecycleStage = 'DELIVERING'`,
        })) {
          ids.push(w.workflowId);
        }
        return ids;
      },
      (ids) => ids.length === 1,
    );
    expect(found).toEqual([deviceLifecycleWorkflowId(serial)]);
  });

  // Replay against histories of released versions is the committed sets' (histories/replay.test.ts).
  it('continues as new with its state when the history grows', async () => {
    const { serial, customerId } = await givenDevice();
    const handle = await client.workflow.start('deviceLifecycle', {
      workflowId: deviceLifecycleWorkflowId(serial),
      taskQueue,
      args: [{ serial, historyLimit: 20 }],
    });
    const firstRunId = handle.firstExecutionRunId;
    await handle.signal('deviceEvent', event(serial, 'PURCHASED', customerId));
    // Late shipment notices: recorded, stage unchanged; they grow the history.
    for (let i = 0; i < 8; i += 1)
      await handle.signal('deviceEvent', event(serial, 'PURCHASED', customerId));
    await handle.signal('deviceEvent', event(serial, 'DELIVERED'));

    const latest = client.workflow.getHandle(deviceLifecycleWorkflowId(serial));
    await eventually(
      () => latest.query(stageQuery),
      (stage) => stage === 'INSTALLING',
    );
    const description = await latest.describe();
    expect(description.runId).not.toBe(firstRunId);
    expect((await latest.query(historyQuery)).length).toBe(10);
    expect(await deviceRow(serial)).toEqual({ stage: 'INSTALLING', owner: customerId });
    // The first run ended by continuing as new, not by failing or completing.
    const firstRun = await client.workflow
      .getHandle(deviceLifecycleWorkflowId(serial), firstRunId)
      .describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
  });
});

describe('the recordDeviceState activity', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const activities = createActivities({ graph });
  const serial = key('serial');
  const env = new MockActivityEnvironment();

  beforeAll(() =>
    graph.write('CREATE (:Device {serial: $serial, sku: "TEST", registeredAt: datetime()})', {
      serial,
    }),
  );
  afterAll(async () => {
    await graph.write('MATCH (d:Device {serial: $serial}) DETACH DELETE d', { serial });
    await driver.close();
  });

  const input = (eventId: string, stage: 'DELIVERING' | 'INSTALLING', sequence: number) => ({
    workflowId: `device:${serial}`,
    serial,
    eventId,
    occurredAt: new Date().toISOString(),
    customerId: null,
    stage,
    sequence,
  });

  it('is idempotent and never lets an older stage overwrite a newer one', async () => {
    await env.run(activities.recordDeviceState, input(`${serial}-b`, 'INSTALLING', 2));
    await env.run(activities.recordDeviceState, input(`${serial}-b`, 'INSTALLING', 2));
    const stale = await env.run(
      activities.recordDeviceState,
      input(`${serial}-a`, 'DELIVERING', 1),
    );
    expect(stale).toEqual({ stage: 'INSTALLING' });
    const [row] = await graph.read<{ stage: string; sequence: number }>(
      'MATCH (d:Device {serial: $serial}) RETURN d.stage AS stage, d.stageSequence AS sequence',
      { serial },
    );
    expect(row).toEqual({ stage: 'INSTALLING', sequence: 2 });
  });

  it('fails without retry for an unknown device', async () => {
    const error = await env
      .run(activities.recordDeviceState, {
        ...input(key('e'), 'DELIVERING', 1),
        serial: 'no-such-serial',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).type).toBe('UnknownDevice');
  });
});
