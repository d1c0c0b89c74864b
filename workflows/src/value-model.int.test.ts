import {
  Client,
  Connection,
  defaultPayloadConverter,
  WorkflowFailedError,
} from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { createSegmentRepository } from '@experience-graph/segments';
import { uniqueKey } from '@experience-graph/test-kit';
import {
  WRITE_PREDICTIONS_BY_NODE,
  fitNumber,
  readRfm,
  writePredictions,
} from './value-model-activities';
import { createValueModelJobs, ensureValueModelSchedule } from './value-model-client';
import { valueModelScheduleId, valueModelWorkflowId } from './value-model-contracts';
import { createLifecycleWorker } from './worker';

/** The value-model job on a real worker, Temporal and Neo4j; CDNOW itself is the e2e test's. */
describe('the value-model job', () => {
  const config = loadConfig(process.env);
  const taskQueue = uniqueKey('value-model');
  const prefix = `${uniqueKey('vm')}-`;
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  let connection: Connection;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const fitIds: string[] = [];

  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace: config.temporal.namespace });
    native = await NativeConnection.connect({ address: config.temporal.address });
    worker = await createLifecycleWorker({
      connection: native,
      namespace: config.temporal.namespace,
      taskQueue,
      graph,
    });
    running = worker.run();
  });

  afterAll(async () => {
    await graph.write(
      `MATCH (n) WHERE (n:Customer OR n:Order) AND n.id STARTS WITH $prefix DETACH DELETE n`,
      { prefix },
    );
    await graph.write('MATCH (f:ValueModelFit) WHERE f.id IN $fitIds DELETE f', { fitIds });
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await driver.close();
  });

  it('fits a population, writes predictions only for its customers, and records the fit', async () => {
    // Two repeat buyers and a one-time buyer; an order after asOf must not count.
    const orders: Array<[string, string, number]> = [
      ['a', '2024-01-02', 10],
      ['a', '2024-02-10', 20],
      ['a', '2024-03-15', 30],
      ['b', '2024-01-20', 15],
      ['b', '2024-01-27', 25],
      ['c', '2024-02-01', 40],
      ['c', '2024-07-01', 99],
    ];
    await graph.write(
      `UNWIND $orders AS o
       MERGE (c:Customer {id: $prefix + o[0]})
       CREATE (c)-[:PLACED]->(:Order {id: $prefix + o[0] + o[1], placedAt: datetime(o[1] + 'T00:00:00Z'), amount: o[2]})`,
      { orders, prefix },
    );
    const jobs = createValueModelJobs(client, taskQueue);
    const fitId = `${prefix}fit`;
    fitIds.push(fitId);
    await jobs.start({
      fitId,
      asOf: '2024-04-30',
      horizonDays: 90,
      population: { idPrefix: prefix },
    });
    const summary = await jobs.result(fitId);
    expect(summary).toMatchObject({
      fitId,
      status: 'SUCCEEDED',
      customers: 3,
      repeatCustomers: 2,
      predicted: 3,
    });
    // Each prediction names its fit, which holds the horizon and time all of them share.
    const rows = await graph.read<{
      id: string;
      pAlive: number;
      fitId: string;
      horizon: number;
      at: string;
    }>(
      `MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
       MATCH (f:ValueModelFit {number: c.valueModelFit})
       RETURN c.id AS id, c.pAlive AS pAlive, f.id AS fitId, f.horizonDays AS horizon,
              toString(f.predictedAt) AS at
       ORDER BY id`,
      { prefix },
    );
    expect(rows.map((r) => [r.id, r.fitId, r.horizon])).toEqual([
      [`${prefix}a`, fitId, 90],
      [`${prefix}b`, fitId, 90],
      [`${prefix}c`, fitId, 90],
    ]);
    expect(rows.every((r) => Number.isFinite(Date.parse(r.at)))).toBe(true);
    expect(summary.skipped).toBe(0);
    // A customer without a repeat purchase has had no chance to drop out.
    expect(rows.find((r) => r.id === `${prefix}c`)?.pAlive).toBe(1);
    const [fit] = await graph.read<{ status: string; customers: number; r: number }>(
      'MATCH (f:ValueModelFit {id: $fitId}) RETURN f.status AS status, f.customers AS customers, f.r AS r',
      { fitId },
    );
    expect(fit).toMatchObject({ status: 'SUCCEEDED', customers: 3 });
    expect(fit?.r).toBeGreaterThan(0);
  }, 60_000);

  it('reads a population in pages of consecutive ids, several at a time, each customer once and in id order', async () => {
    const paged = `${prefix}paged-`;
    const customers = Array.from({ length: 7 }, (_, i) => `${paged}${i}`);
    await graph.write(
      `UNWIND range(0, size($customers) - 1) AS i
       CREATE (c:Customer {id: $customers[i]})
       WITH c, i UNWIND range(0, i % 3) AS k
       CREATE (c)-[:PLACED]->(:Order {id: c.id + '-o' + k, amount: 10 + k,
                placedAt: datetime('2024-01-01T00:00:00Z') + duration({days: 7 * k + i})})`,
      { customers },
    );
    // Someone whose id sorts inside the population's range but outside its prefix.
    await graph.write(`CREATE (:Customer {id: $id})`, { id: `${prefix}paged` });
    const run = {
      fitId: `${paged}fit`,
      asOf: '2024-06-30',
      horizonDays: 90,
      population: { idPrefix: paged },
    };
    const now = new Date('2024-07-01T00:00:00Z');
    const whole = await readRfm(graph, run, () => undefined, now, 1_000);
    const pages: unknown[] = [];
    const paging = await readRfm(graph, run, (d) => pages.push(d), now, 2);
    expect(whole.customers.map((c) => c.customerId)).toEqual(customers);
    expect(paging).toEqual(whole);
    expect(pages).toHaveLength(4);
  });

  it('writes predictions to the customers they are for, even when a node it was given is not theirs', async () => {
    const ids = [`${prefix}wa`, `${prefix}wb`, `${prefix}wc`];
    const rows = await graph.write<{ id: string; node: string }>(
      'UNWIND $ids AS id CREATE (c:Customer {id: id}) RETURN c.id AS id, elementId(c) AS node',
      { ids },
    );
    const node = new Map(rows.map((r) => [r.id, r.node]));
    const prediction = (id: string, n: string | undefined, pAlive: number) => ({
      id,
      node: n,
      pAlive,
      expectedPurchases: 1,
      expectedValue: 10,
    });
    const fitId = `${prefix}wfit`;
    const stored = () =>
      graph.read<{ id: string; pAlive: number | null }>(
        'UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN c.id AS id, c.pAlive AS pAlive',
        { ids },
      );
    // By the nodes the read found.
    expect(
      await writePredictions(graph, [prediction(ids[0]!, node.get(ids[0]!), 0.1)], fitId),
    ).toBe(1);
    // A node that is another customer's (as when an element id is reused), and none at all:
    // neither is written to, and both customers get theirs by id.
    expect(
      await writePredictions(
        graph,
        [prediction(ids[1]!, node.get(ids[0]!), 0.2), prediction(ids[2]!, undefined, 0.3)],
        fitId,
      ),
    ).toBe(2);
    expect(await stored()).toEqual([
      { id: ids[0], pAlive: 0.1 },
      { id: ids[1], pAlive: 0.2 },
      { id: ids[2], pAlive: 0.3 },
    ]);
  });

  it('numbers each fit by its id, the same on every attempt and in every release, within 48 bits', () => {
    const ids = ['a', 'b', 'value-model-nightly:q-2026-12-07', 'x'.repeat(300)];
    const numbers = ids.map(fitNumber);
    expect(ids.map(fitNumber)).toEqual(numbers);
    for (const n of numbers) expect(Number.isSafeInteger(n) && n >= 0 && n < 2 ** 48).toBe(true);
    expect(new Set(numbers).size).toBe(ids.length);
    // Stored predictions refer to their fits by these numbers: the function may never change.
    // SHA-256("a") begins ca978112ca1b.
    expect(fitNumber('a')).toBe(0xca978112ca1b);
  });

  it('finds the nodes it writes predictions to by element id, not through the id index', async () => {
    const session = driver.session({ database: config.neo4j.database });
    try {
      const explained = await session.run(`EXPLAIN ${WRITE_PREDICTIONS_BY_NODE}`, {
        rows: [],
        fitId: 'explain',
      });
      const operators: string[] = [];
      const walk = (plan: { operatorType: string; children: unknown[] }) => {
        operators.push(plan.operatorType.replace(/@.*$/, ''));
        for (const child of plan.children) walk(child as typeof plan);
      };
      walk(explained.summary.plan as unknown as { operatorType: string; children: unknown[] });
      expect(operators).toContain('NodeByElementIdSeek');
      expect(operators.some((o) => o.includes('IndexSeek'))).toBe(false);
    } finally {
      await session.close();
    }
  });

  it('brings segments over predicted value up to date for the customers it predicted', async () => {
    const people = `${prefix}seg-`;
    // Every one of them spent 123.45 in all, which narrows the segment to them in a graph
    // other tests share.
    const orders: Array<[string, string, number]> = [
      ['x', '2024-01-02', 50],
      ['x', '2024-02-02', 73.45],
      ['y', '2024-01-10', 100],
      ['y', '2024-03-01', 23.45],
      ['z', '2024-02-20', 123.45],
    ];
    await graph.write(
      `UNWIND $orders AS o
       MERGE (c:Customer {id: $people + o[0]})
       CREATE (c)-[:PLACED]->(:Order {id: $people + o[0] + o[1], placedAt: datetime(o[1] + 'T00:00:00Z'), amount: o[2]})`,
      { orders, people },
    );
    const segments = createSegmentRepository(graph, config.value);
    const segmentId = `${prefix}predicted`;
    await segments.define({
      id: segmentId,
      name: 'Predicted to buy again',
      description: null,
      match: 'ALL',
      conditions: [
        { field: 'EXPECTED_VALUE', atLeast: 0, atMost: null, value: null },
        { field: 'HISTORICAL_VALUE', atLeast: 123.44, atMost: 123.46, value: null },
      ],
    });
    try {
      // Not predicted yet: nobody is in it.
      expect(await segments.members(segmentId, 10, null)).toEqual({ ids: [], count: 0 });
      const jobs = createValueModelJobs(client, taskQueue);
      const fitId = `${people}fit`;
      fitIds.push(fitId);
      await jobs.start({
        fitId,
        asOf: '2024-04-30',
        horizonDays: 90,
        population: { idPrefix: people },
      });
      expect(await jobs.result(fitId)).toMatchObject({ status: 'SUCCEEDED', predicted: 3 });
      expect(await segments.members(segmentId, 10, null)).toEqual({
        ids: ['x', 'y', 'z'].map((p) => people + p),
        count: 3,
      });
    } finally {
      await segments.remove(segmentId);
    }
  }, 60_000);

  it('skips and reports customers with implausible histories, and fits the others', async () => {
    const sub = `${prefix}outliers-`;
    // d's order dated 0001-01-01 used to make the fit fail for everyone; e's is in the future.
    const orders: Array<[string, string, number]> = [
      ['a', '2024-01-02', 10],
      ['a', '2024-02-10', 20],
      ['a', '2024-03-15', 30],
      ['b', '2024-01-20', 15],
      ['b', '2024-01-27', 25],
      ['c', '2024-02-01', 40],
      ['d', '0001-01-01', 5],
      ['d', '2024-03-01', 5],
      ['e', '2024-02-01', 5],
      ['e', '2099-02-01', 5],
    ];
    await graph.write(
      `UNWIND $orders AS o
       MERGE (c:Customer {id: $prefix + o[0]})
       CREATE (c)-[:PLACED]->(:Order {id: $prefix + o[0] + o[1], placedAt: datetime(o[1] + 'T00:00:00Z'), amount: o[2]})`,
      { orders, prefix: sub },
    );
    const jobs = createValueModelJobs(client, taskQueue);
    const fitId = `${prefix}outliers`;
    fitIds.push(fitId);
    await jobs.start({ fitId, asOf: '2024-04-30', horizonDays: 90, population: { idPrefix: sub } });
    const summary = await jobs.result(fitId);
    expect(summary).toMatchObject({
      status: 'SUCCEEDED',
      customers: 3,
      predicted: 3,
      skipped: 2,
    });
    // The result stays in Temporal's history: reasons, no ids (the fit in the graph has them).
    expect(summary.skippedExamples).toEqual([
      {
        reason: 'BEFORE_EARLIEST',
        message: 'purchase on 0001-01-01T00:00:00.000Z is before 1990-01-01',
      },
      {
        reason: 'IN_FUTURE',
        message: 'purchase on 2099-02-01T00:00:00.000Z is in the future',
      },
    ]);
    const predicted = await graph.read<{ id: string; expected: number | null }>(
      `MATCH (c:Customer) WHERE c.id STARTS WITH $sub
       RETURN c.id AS id, c.expectedPurchases AS expected ORDER BY id`,
      { sub },
    );
    expect(predicted.map((r) => [r.id.slice(sub.length), r.expected !== null])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['d', false],
      ['e', false],
    ]);
    expect(predicted.every((r) => r.expected === null || Number.isFinite(r.expected))).toBe(true);
    const [fit] = await graph.read<{
      status: string;
      skipped: number;
      ids: string[];
      reasons: string[];
    }>(
      `MATCH (f:ValueModelFit {id: $fitId})
       RETURN f.status AS status, f.skippedCustomers AS skipped, f.skippedExampleIds AS ids,
              f.skippedExampleReasons AS reasons`,
      { fitId },
    );
    expect(fit).toEqual({
      status: 'SUCCEEDED',
      skipped: 2,
      ids: [`${sub}d`, `${sub}e`],
      reasons: ['BEFORE_EARLIEST', 'IN_FUTURE'],
    });
    // Nor does any payload of the run's history name a customer, decoded.
    const history = await client.workflow.getHandle(valueModelWorkflowId(fitId)).fetchHistory();
    // Events are protobuf messages (their JSON form is base64): walk them, decode each payload.
    const texts: string[] = [];
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
      if ('metadata' in v && 'data' in v && v.data instanceof Uint8Array) {
        texts.push(JSON.stringify(defaultPayloadConverter.fromPayload(v as never)));
        return;
      }
      Object.values(v).forEach(walk);
    };
    walk(history);
    const decoded = texts.join('\n');
    expect(decoded).toContain('BEFORE_EARLIEST');
    expect(decoded).not.toContain(`${sub}d`);
    expect(decoded).not.toContain(`${sub}e`);
  }, 60_000);

  it('fails a population without purchases, saying why, and marks the fit FAILED', async () => {
    const jobs = createValueModelJobs(client, taskQueue);
    const fitId = `${prefix}empty`;
    fitIds.push(fitId);
    await jobs.start({
      fitId,
      asOf: '2024-04-30',
      horizonDays: 90,
      population: { idPrefix: `${prefix}nobody-` },
    });
    await expect(jobs.result(fitId)).rejects.toBeInstanceOf(WorkflowFailedError);
    const [fit] = await graph.read<{ status: string; error: string }>(
      'MATCH (f:ValueModelFit {id: $fitId}) RETURN f.status AS status, f.error AS error',
      { fitId },
    );
    expect(fit?.status).toBe('FAILED');
    expect(fit?.error).toMatch(/has a purchase on or before 2024-04-30/);
  }, 60_000);

  it('creates the nightly schedule once and brings it in line with the configuration', async () => {
    const queue = uniqueKey('value-schedule');
    try {
      expect(
        await ensureValueModelSchedule(client, {
          taskQueue: queue,
          cron: '0 3 * * *',
          horizonDays: 365,
        }),
      ).toBe('created');
      expect(
        await ensureValueModelSchedule(client, {
          taskQueue: queue,
          cron: '30 2 * * *',
          horizonDays: 180,
        }),
      ).toBe('updated');
      const description = await client.schedule.getHandle(valueModelScheduleId(queue)).describe();
      expect(description.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 2, end: 2, step: 1 }],
      });
      expect(description.action).toMatchObject({
        workflowType: 'customerValueModel',
        taskQueue: queue,
      });
    } finally {
      await client.schedule
        .getHandle(valueModelScheduleId(queue))
        .delete()
        .catch(() => undefined);
    }
  });
});
