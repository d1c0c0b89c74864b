import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { ERASURE_STEPS, erasureWorkflowId, type ErasureStep } from '../contracts';
import { createErasureStarter } from '../erasure-client';
import { WORKFLOWS_PATH } from '../worker';
import { createErasureActivities, type ErasureLifecycles } from './erasure-activities';
import { anonymousEventId, erasureIdOf } from '@experience-graph/erasure-keys';

/**
 * The erasure workflow on real Temporal and Neo4j, with activities that fail the way a crash
 * would: one step's answer is lost after its work is committed, another fails before doing
 * anything. Temporal retries them and the erasure finishes, once.
 */
describe('the erasure workflow through failures', () => {
  const config = loadConfig(process.env);
  const taskQueue = uniqueKey('erasure-int');
  const salt = uniqueKey('erasure-int-salt');
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const customerId = uniqueKey('erasure-int-cust');
  const erasureId = erasureIdOf(salt, customerId);
  const lifecycles: ErasureLifecycles = { stop: async () => ({ journeys: 0, devices: 0 }) };
  const runs: Record<string, number> = {};
  let connection: Connection;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    await graph.write(
      `CREATE (c:Customer {id: $customerId, displayName: 'Erin', createdAt: datetime(), erasureId: $erasureId})
       CREATE (c)-[:HAD]->(:Touchpoint {eventId: $customerId + '-t1', type: 'FEEDBACK', comment: 'Erin says',
                                        occurredAt: datetime(), channel: 'APP'})
       CREATE (c)-[:GAVE]->(:Consent {customerId: $customerId, purpose: 'TELEMETRY_USE', granted: true})
       CREATE (:Erasure {id: $erasureId, requestedAt: datetime(), reason: 'CUSTOMER_REQUEST'})`,
      { customerId, erasureId },
    );
  });

  afterAll(async () => {
    // The placeholder that holds Erin's anonymised touchpoint, then everything else of hers.
    await graph.write(
      `MATCH (p:ErasedPerson)-[:HAD]->(:Touchpoint {eventId: $anon}) DETACH DELETE p`,
      { anon: anonymousEventId(salt, `${customerId}-t1`) },
    );
    await graph.write(
      `MATCH (n) WHERE n:Customer AND n.id = $customerId OR n:Erasure AND n.id = $erasureId
          OR n:Touchpoint AND n.eventId IN [$customerId + '-t1', $anon] OR n:Consent AND n.customerId = $customerId
       DETACH DELETE n`,
      { customerId, erasureId, anon: anonymousEventId(salt, `${customerId}-t1`) },
    );
    await nativeConnection.close();
    await connection.close();
    await driver.close();
  });

  it('finishes when steps fail and are retried, however far they got', async () => {
    const steps = createErasureActivities({ graph, salt, lifecycles });
    const flaky = Object.fromEntries(
      ERASURE_STEPS.map((step: ErasureStep) => [
        step,
        async (input: { erasureId: string }) => {
          runs[step] = (runs[step] ?? 0) + 1;
          if (step === 'deletePersonalNodes' && runs[step] === 1) {
            throw new Error('connection lost before the step');
          }
          const result = await steps[step](input);
          if (step === 'anonymiseTouchpoints' && runs[step] === 1) {
            throw new Error('connection lost after the step committed');
          }
          return result;
        },
      ]),
    );
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities: flaky,
    });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    await worker.runUntil(async () => {
      const { workflowId } = await createErasureStarter(client, taskQueue).start(erasureId);
      expect(workflowId).toBe(erasureWorkflowId(erasureId));
      // Starting again while it runs is harmless: the same workflow.
      await createErasureStarter(client, taskQueue).start(erasureId);
      const result = (await client.workflow.getHandle(workflowId).result()) as {
        completedAt: string;
      };
      expect(Date.parse(result.completedAt)).not.toBeNaN();
    });
    expect(runs).toMatchObject({
      anonymiseTouchpoints: 2,
      deletePersonalNodes: 2,
      deleteCustomer: 1,
    });
    const [row] = await graph.read<{ left: number; comments: number; completed: boolean }>(
      `RETURN COUNT { (c:Customer {id: $customerId}) } + COUNT { (k:Consent {customerId: $customerId}) } AS left,
              COUNT { (t:Touchpoint) WHERE t.comment = 'Erin says' } AS comments,
              EXISTS { (e:Erasure {id: $erasureId}) WHERE e.completedAt IS NOT NULL } AS completed`,
      { customerId, erasureId },
    );
    expect(row).toEqual({ left: 0, comments: 0, completed: true });
    // Her touchpoint still counts, held by an anonymous placeholder that names no one.
    const [kept] = await graph.read<{ props: Record<string, unknown> }>(
      `MATCH (p:ErasedPerson)-[:HAD]->(:Touchpoint {eventId: $anon}) RETURN properties(p) AS props`,
      { anon: anonymousEventId(salt, `${customerId}-t1`) },
    );
    expect(kept).toEqual({ props: {} });
  }, 120_000);
});
