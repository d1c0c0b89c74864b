import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { createOutboxRepository, oweSignals, type OwedSignal } from '@experience-graph/outbox';
import { eventually, uniqueKey } from '@experience-graph/test-kit';
import {
  createLifecycleGateway,
  deviceLifecycleWorkflowId,
  historyQuery,
  journeyWorkflowId,
  stageQuery,
  type DeviceEvent,
  type JourneyEvent,
} from '@experience-graph/workflows';
import { createLifecycleWorker, WORKFLOWS_PATH } from '@experience-graph/workflows/worker';
import { createRelay, type Relay, type RelayDependencies, type RelayLifecycle } from './relay';

/**
 * The relay on the real Neo4j and Temporal, with the real lifecycle worker on a task queue of its
 * own (the lane), so that nothing else delivers to or takes from it.
 */
describe('the outbox relay', () => {
  const config = loadConfig(process.env);
  const lane = uniqueKey('relay-int');
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const outbox = createOutboxRepository(graph);
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const workflowIds: string[] = [];
  const serials: string[] = [];
  const people: Array<{ customerId: string; sku: string }> = [];
  const relays: Relay[] = [];
  const children: ChildProcess[] = [];
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;

  // Deadlines for a loaded two-core machine: each is far above what a delivery takes.
  const DEADLINE_MS = 60_000;

  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace: config.temporal.namespace });
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await createLifecycleWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: lane,
      graph,
    });
    workerRun = worker.run();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.allSettled(relays.map((r) => r.stop()));
    for (const workflowId of workflowIds) {
      await client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await graph.write(
      `MATCH (n) WHERE ((n:SignalQueue OR n:OwedSignal) AND n.lane = $lane)
          OR (n:Device AND n.serial IN $serials)
          OR (n:Customer AND n.id IN $customers) OR (n:ProductModel AND n.sku IN $skus)
       DETACH DELETE n`,
      {
        lane,
        serials,
        customers: people.map((p) => p.customerId),
        skus: people.map((p) => p.sku),
      },
    );
    worker?.shutdown();
    await workerRun;
    await nativeConnection?.close();
    await connection?.close();
    await driver.close();
  });

  const newDevice = () => {
    const serial = uniqueKey('relay-dev');
    serials.push(serial);
    workflowIds.push(deviceLifecycleWorkflowId(serial));
    return serial;
  };
  const feedback = (serial: string, eventId: string): OwedSignal => {
    const event: DeviceEvent = {
      eventId,
      serial,
      occurredAt: new Date().toISOString(),
      type: 'FEEDBACK',
    };
    return {
      workflowType: 'deviceLifecycle',
      workflowId: deviceLifecycleWorkflowId(serial),
      eventId,
      event: { ...event },
    };
  };
  const owe = (signals: OwedSignal[]) => graph.transaction((tx) => oweSignals(tx, lane, signals));
  const relay = (options: Partial<RelayDependencies> = {}) => {
    const built = createRelay({
      graph,
      lifecycle: createLifecycleGateway(client, lane),
      lane,
      logger,
      pollMs: 50,
      leaseMs: 4_000,
      retryMinMs: 100,
      retryMaxMs: 1_000,
      ...options,
    });
    relays.push(built);
    return built;
  };
  /** The event ids a workflow has processed, in its order; none before it exists. */
  const processed = async (workflowId: string): Promise<string[]> => {
    try {
      const history = await client.workflow.getHandle(workflowId).query(historyQuery);
      return history.map((h) => h.eventId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return [];
      throw error;
    }
  };
  const allProcessed = async (expected: Map<string, string[]>) => {
    await eventually(
      async () => Promise.all([...expected.keys()].map(processed)),
      (seen) => seen.every((ids, i) => ids.length >= ([...expected.values()][i]?.length ?? 0)),
      DEADLINE_MS,
    );
    for (const [workflowId, ids] of expected) expect(await processed(workflowId)).toEqual(ids);
  };
  const signalsReceived = async (workflowId: string) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  };
  const owedOnLane = async () => (await outbox.signalBacklog(lane)).owed;

  it('delivers what was owed to the right workflows, in order, one signal per workflow', async () => {
    const [a, b] = [newDevice(), newDevice()];
    const person = { customerId: uniqueKey('relay-cust'), sku: uniqueKey('relay-sku') };
    people.push(person);
    const journey = journeyWorkflowId(person.customerId, person.sku);
    workflowIds.push(journey);
    await graph.write(
      `CREATE (:Customer {id: $customerId, displayName: 'Relay test', createdAt: datetime()})
       CREATE (:ProductModel {sku: $sku, name: 'Relay test printer', category: 'device'})`,
      person,
    );
    const touch = (eventId: string, type: 'AD_IMPRESSION' | 'AD_CLICK'): OwedSignal => {
      const event: JourneyEvent = {
        eventId,
        ...person,
        occurredAt: new Date().toISOString(),
        type,
        campaignId: 'relay-campaign',
      };
      return { workflowType: 'customerJourney', workflowId: journey, eventId, event: { ...event } };
    };
    // Interleaved in one transaction, then more in a second one.
    await owe([
      feedback(a, 'a1'),
      feedback(b, 'b1'),
      touch('j1', 'AD_IMPRESSION'),
      feedback(a, 'a2'),
    ]);
    await owe([feedback(b, 'b2'), feedback(a, 'a3'), touch('j2', 'AD_CLICK'), feedback(a, 'a4')]);
    expect(await owedOnLane()).toBe(8);

    const started = relay();
    started.start();
    await allProcessed(
      new Map([
        [deviceLifecycleWorkflowId(a), ['a1', 'a2', 'a3', 'a4']],
        [deviceLifecycleWorkflowId(b), ['b1', 'b2']],
        [journey, ['j1', 'j2']],
      ]),
    );
    expect(await client.workflow.getHandle(journey).query(stageQuery)).toBe('ENGAGED');
    await eventually(owedOnLane, (owed) => owed === 0, DEADLINE_MS);
    await started.stop();
    // Each workflow got its four, two and two events in a single signal.
    for (const id of [deviceLifecycleWorkflowId(a), deviceLifecycleWorkflowId(b), journey]) {
      expect(await signalsReceived(id)).toBe(1);
    }
    expect(started.stats()).toMatchObject({ delivered: 8, signals: 3, dropped: 0, failures: 0 });
    expect(started.stats().lagMs.samples).toBe(8);
    // A history with a batched signal replays deterministically.
    const id = deviceLifecycleWorkflowId(a);
    await Worker.runReplayHistory(
      { workflowsPath: WORKFLOWS_PATH },
      await client.workflow.getHandle(id).fetchHistory(),
      id,
    );
  });

  it('calls Temporal for at most `concurrency` workflows at once, whatever it holds claimed', async () => {
    const devices = Array.from({ length: 12 }, () => newDevice());
    await owe(devices.map((serial) => feedback(serial, `${serial}-1`)));
    await owe(devices.map((serial) => feedback(serial, `${serial}-2`)));
    // The real lifecycle client, counted: how many deliveries are under way at once.
    const real = createLifecycleGateway(client, lane);
    let underWay = 0;
    let most = 0;
    const counted: RelayLifecycle = {
      deliverJourneyEvents: real.deliverJourneyEvents.bind(real),
      async deliverDeviceEvents(...args) {
        underWay += 1;
        most = Math.max(most, underWay);
        try {
          return await real.deliverDeviceEvents(...args);
        } finally {
          underWay -= 1;
        }
      },
    };
    const started = relay({ lifecycle: counted, concurrency: 3 });
    started.start();
    await allProcessed(
      new Map(
        devices.map((serial) => [
          deviceLifecycleWorkflowId(serial),
          [`${serial}-1`, `${serial}-2`],
        ]),
      ),
    );
    await eventually(owedOnLane, (owed) => owed === 0, DEADLINE_MS);
    await started.stop();
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3);
    expect(started.stats()).toMatchObject({ delivered: 24, signals: 12, dropped: 0, failures: 0 });
  });

  it('delivers everything in order per workflow while two relays share the lane and events keep coming', async () => {
    const devices = Array.from({ length: 6 }, newDevice);
    const first = relay({ batchSize: 3, name: 'relay-one' });
    const second = relay({ batchSize: 3, name: 'relay-two' });
    first.start();
    second.start();
    const expected = new Map(devices.map((s) => [deviceLifecycleWorkflowId(s), [] as string[]]));
    for (let round = 0; round < 8; round++) {
      const signals = devices.flatMap((serial) =>
        Array.from({ length: 5 }, (_, i) => feedback(serial, `${serial}-${round}-${i}`)),
      );
      await owe(signals);
      for (const s of signals) expected.get(s.workflowId)?.push(s.eventId);
    }
    await allProcessed(expected);
    await eventually(owedOnLane, (owed) => owed === 0, DEADLINE_MS);
    await Promise.all([first.stop(), second.stop()]);
    const delivered = first.stats().delivered + second.stats().delivered;
    expect(delivered).toBeGreaterThanOrEqual(6 * 40);
  });

  it('hands its queues back when stopped mid-way, and another relay goes on at once', async () => {
    const devices = Array.from({ length: 3 }, newDevice);
    const expected = new Map(
      devices.map((s) => [
        deviceLifecycleWorkflowId(s),
        Array.from({ length: 30 }, (_, i) => `${s}-${i}`),
      ]),
    );
    await owe(
      devices.flatMap((s) => Array.from({ length: 30 }, (_, i) => feedback(s, `${s}-${i}`))),
    );
    // One event per signal, one workflow at a time: slow enough to stop half-way.
    const slow = relay({ batchSize: 1, concurrency: 1, leaseMs: 120_000 });
    slow.start();
    await eventually(owedOnLane, (owed) => owed < 90, DEADLINE_MS);
    await slow.stop();
    // Stopped with work left, or this test would show nothing.
    expect(await owedOnLane()).toBeGreaterThan(0);
    const [held] = await graph.read<{ leased: number }>(
      'MATCH (q:SignalQueue {lane: $lane}) WHERE q.lease IS NOT NULL RETURN count(q) AS leased',
      { lane },
    );
    expect(held?.leased).toBe(0);
    // Had the stopped relay kept its two-minute leases, this one could not finish in time.
    const next = relay({ leaseMs: 120_000 });
    next.start();
    await allProcessed(expected);
    await next.stop();
  });

  it('loses nothing when a relay process is killed, once its leases run out', async () => {
    const devices = Array.from({ length: 3 }, newDevice);
    const expected = new Map(
      devices.map((s) => [
        deviceLifecycleWorkflowId(s),
        Array.from({ length: 40 }, (_, i) => `${s}-${i}`),
      ]),
    );
    await owe(
      devices.flatMap((s) => Array.from({ length: 40 }, (_, i) => feedback(s, `${s}-${i}`))),
    );
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'main.js')], {
      env: {
        ...process.env,
        TEMPORAL_TASK_QUEUE: lane,
        RELAY_PORT: '0',
        RELAY_BATCH_SIZE: '1',
        RELAY_CONCURRENCY: '1',
        RELAY_LEASE_MS: '3000',
        RELAY_POLL_MS: '50',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    await eventually(owedOnLane, (owed) => owed < 120, DEADLINE_MS);
    // By its pid, mid-delivery: no chance to finish or hand anything back.
    if (child.pid === undefined) throw new Error('the relay process did not start');
    process.kill(child.pid, 'SIGKILL');
    await once(child, 'exit');
    expect(await owedOnLane()).toBeGreaterThan(0);
    const next = relay({ leaseMs: 3_000 });
    next.start();
    await allProcessed(expected);
    await eventually(owedOnLane, (owed) => owed === 0, DEADLINE_MS);
    await next.stop();
  });

  it('never starts an ended device lifecycle again, and drops what is owed to it', async () => {
    const serial = newDevice();
    const workflowId = deviceLifecycleWorkflowId(serial);
    await graph.write(
      `CREATE (:Device {serial: $serial, sku: 'RELAY-TEST', registeredAt: datetime()})`,
      { serial },
    );
    const started = relay();
    started.start();
    await owe([
      {
        workflowType: 'deviceLifecycle',
        workflowId,
        eventId: `${serial}-retired`,
        event: {
          eventId: `${serial}-retired`,
          serial,
          occurredAt: new Date().toISOString(),
          type: 'RETIRED',
        },
      },
    ]);
    const handle = client.workflow.getHandle(workflowId);
    const closed = await eventually(
      () => handle.describe().catch(() => null),
      (d) => d?.status.name === 'COMPLETED',
      DEADLINE_MS,
    );
    await owe([feedback(serial, `${serial}-late-1`), feedback(serial, `${serial}-late-2`)]);
    await eventually(
      () => outbox.owed(lane, workflowId, 10),
      (owed) => owed.length === 0,
      DEADLINE_MS,
    );
    await started.stop();
    const after = await handle.describe();
    expect(after.runId).toBe(closed?.runId);
    expect(after.status.name).toBe('COMPLETED');
    expect(started.stats()).toMatchObject({ delivered: 1, dropped: 2 });
  });

  it('keeps signals owed while Temporal is unreachable and delivers them once it answers', async () => {
    const serial = newDevice();
    const workflowId = deviceLifecycleWorkflowId(serial);
    // A client of a server that is not there: real connection failures, not a fake error.
    const nowhere = new Client({
      connection: Connection.lazy({ address: '127.0.0.1:1' }),
      namespace: config.temporal.namespace,
    });
    const away = createLifecycleGateway(nowhere, lane);
    const reachable = createLifecycleGateway(client, lane);
    let temporalUp = false;
    const flaky = relay({
      leaseMs: 2_000,
      lifecycle: {
        deliverDeviceEvents: (...args) =>
          (temporalUp ? reachable : away).deliverDeviceEvents(...args),
        deliverJourneyEvents: (...args) =>
          (temporalUp ? reachable : away).deliverJourneyEvents(...args),
      },
    });
    const ids = Array.from({ length: 5 }, (_, i) => `${serial}-${i}`);
    await owe(ids.map((id) => feedback(serial, id)));
    flaky.start();
    await eventually(
      async () => flaky.stats().failures,
      (failures) => failures >= 2,
      DEADLINE_MS,
    );
    expect(await owedOnLane()).toBe(5);
    expect(await processed(workflowId)).toEqual([]);
    temporalUp = true;
    await allProcessed(new Map([[workflowId, ids]]));
    await eventually(owedOnLane, (owed) => owed === 0, DEADLINE_MS);
    await flaky.stop();
    await nowhere.connection.close();
  });
});
