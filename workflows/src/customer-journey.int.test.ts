import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { eventually, uniqueKey } from '@experience-graph/test-kit';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { journeyWorkflowId, searchAttributes, stageQuery } from './contracts';
import { createLifecycleGateway } from './lifecycle-client';
import { createLifecycleWorker } from './worker';

const key = uniqueKey;

describe('the journey before the sale, on real Temporal and Neo4j', () => {
  const config = loadConfig(process.env);
  const taskQueue = key('journey-int');
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const sku = key('sku');
  const reachable = key('cust');
  const unreachable = key('cust');
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;

  beforeAll(async () => {
    await graph.write(
      `CREATE (:ProductModel {sku: $sku, name: 'Test model'})
       CREATE (a:Customer {id: $reachable, displayName: 'A', createdAt: datetime()})
       CREATE (b:Customer {id: $unreachable, displayName: 'B', createdAt: datetime()})
       CREATE (a)-[:GAVE]->(:Consent {customerId: $reachable, purpose: 'MARKETING_CONTACT', granted: true,
                                      channels: ['EMAIL'], updatedAt: datetime()})`,
      { sku, reachable, unreachable },
    );
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
    for (const id of [reachable, unreachable]) {
      await client.workflow
        .getHandle(journeyWorkflowId(id, sku))
        .terminate('test over')
        .catch(() => undefined);
    }
    await graph.write(
      `MATCH (n) WHERE (n:ProductModel AND n.sku = $sku) OR (n:Customer AND n.id IN $ids)
         OR (n:Consent AND n.customerId IN $ids)
       OPTIONAL MATCH (n)-[:HAD]->(t:Touchpoint)
       DETACH DELETE n, t`,
      { sku, ids: [reachable, unreachable] },
    );
    worker.shutdown();
    await workerRun;
    await nativeConnection.close();
    await connection.close();
    await driver.close();
  });

  it('retargets an engaged person who does not buy, once, only through a channel they allowed', async () => {
    const lifecycle = createLifecycleGateway(client, taskQueue, { retargetAfterMs: 1_500 });
    const occurredAt = new Date().toISOString();
    for (const customerId of [reachable, unreachable]) {
      await lifecycle.sendJourneyEvent({
        eventId: key('e'),
        type: 'AD_CLICK',
        customerId,
        sku,
        campaignId: 'c',
        occurredAt,
      });
    }
    const handle = client.workflow.getHandle(journeyWorkflowId(reachable, sku));
    await eventually(
      () => handle.query(stageQuery),
      (stage) => stage === 'ENGAGED',
    );
    const offers = (customerId: string) =>
      graph.read<{ channel: string }>(
        `MATCH (:Customer {id: $customerId})-[:HAD]->(t:Touchpoint {type: 'RETARGETING_OFFER'})
         RETURN t.channel AS channel`,
        { customerId },
      );
    expect(
      await eventually(
        () => offers(reachable),
        (rows) => rows.length > 0,
      ),
    ).toEqual([{ channel: 'EMAIL' }]);
    const other = client.workflow.getHandle(journeyWorkflowId(unreachable, sku));
    // What the retargeting activity answered for the person who allowed no contact.
    const outcome = await eventually(
      async () => {
        const events = (await other.fetchHistory()).events ?? [];
        const scheduled = events.find(
          (e) =>
            e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendRetargetingOffer',
        );
        const completed = events.find(
          (e) =>
            String(e.activityTaskCompletedEventAttributes?.scheduledEventId) ===
            String(scheduled?.eventId),
        );
        const data = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
        return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as unknown) : null;
      },
      (result) => result !== null,
    );
    expect(outcome).toEqual({ done: false, reason: 'no consent to marketing contact' });
    expect(await offers(unreachable)).toEqual([]);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await offers(reachable)).toHaveLength(1);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributes.stage)).toBe('ENGAGED');
  });
});
