import pino from 'pino';
import type { Principal } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { serveSigned, type SignedSubgraph } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';
import type { LifecycleGateway } from '@experience-graph/workflows';
import { createProductsSubgraph } from '../server';

/**
 * Reach in the products subgraph, called directly as the gateway would (signed), on the real
 * Neo4j: objects out of a principal's reach answer exactly like missing ones.
 */
const config = loadConfig(process.env);
const driver = createDriver(config.neo4j);
const graph = createGraph(driver, config.neo4j.database);
const k = uniqueKey('reach');
const ids = {
  sku: `${k}-LJ`,
  ana: `${k}-ana`,
  ben: `${k}-ben`,
  anaDevice: `${k}-PRN-A`,
  benDevice: `${k}-PRN-B`,
  order: `${k}-order`,
  escalated: `${k}-i-escalated`,
  othersCase: `${k}-i-others`,
  open: `${k}-i-open`,
  mine: `${k}-i-mine`,
};
const partner = (id: string, role: 'deviceCloud' | 'carrier' | 'retailer', skus: string[] = []) =>
  ({
    kind: 'partner',
    id,
    role,
    reach: { campaignIds: [], storeIds: [], skus },
    linkNamespaces: [],
  }) satisfies Principal;
const ana: Principal = { kind: 'person', id: `${k}-app-ana`, customerId: ids.ana };
const ben: Principal = { kind: 'person', id: `${k}-app-ben`, customerId: ids.ben };
const deviceCloud = partner(`${k}-cloud`, 'deviceCloud', [ids.sku]);
const otherCloud = partner(`${k}-other-cloud`, 'deviceCloud', ['SOME-OTHER-MODEL']);
const carrier = partner(`${k}-carrier`, 'carrier');
const otherCarrier = partner(`${k}-other-carrier`, 'carrier');
const expertA: Principal = { kind: 'employee', id: `${k}-expert-a`, roles: ['expert'] };
const support: Principal = { kind: 'employee', id: `${k}-support`, roles: ['support'] };

const signals: Array<{ workflowId: string; kind: string }> = [];
const lifecycle = {
  async signalIntervention(workflowId: string, signal: { kind: string }) {
    signals.push({ workflowId, kind: signal.kind });
  },
} as unknown as LifecycleGateway;

let subgraph: SignedSubgraph;
let call: SignedSubgraph['call'];

beforeAll(async () => {
  await graph.write(
    `CREATE (m:ProductModel {sku: $sku, name: 'Reach test printer', category: 'device'})
     CREATE (ana:Customer {id: $ana, displayName: 'Ana', createdAt: datetime()})
     CREATE (ben:Customer {id: $ben, displayName: 'Ben', createdAt: datetime()})
     CREATE (a:Device {serial: $anaDevice, sku: $sku, registeredAt: datetime(),
                       healthLevel: 'AT_RISK', failureRisk: 0.7, healthReasons: ['error rate rising']})
     CREATE (b:Device {serial: $benDevice, sku: $sku, registeredAt: datetime()})
     CREATE (a)-[:INSTANCE_OF]->(m), (b)-[:INSTANCE_OF]->(m), (ana)-[:OWNS]->(a), (ben)-[:OWNS]->(b)
     CREATE (o:Order {id: $order, placedAt: datetime(), amount: 199.0, currency: 'USD',
                      promisedDeliveryAt: datetime(), carrierId: $carrier})
     CREATE (ana)-[:PLACED]->(o), (o)-[:CONTAINS]->(a)
     WITH a, b
     UNWIND [
       {id: $escalated, device: a, status: 'ESCALATED', assignee: null, at: 1},
       {id: $othersCase, device: b, status: 'ESCALATED', assignee: 'someone-else', at: 2},
       {id: $open, device: b, status: 'OPEN', assignee: null, at: 3},
       {id: $mine, device: a, status: 'AWAITING_CONFIRMATION', assignee: $expertA, at: 4}
     ] AS row
     WITH row, row.device AS d
     // Opened long ago, so they head the queue whatever else the graph holds.
     CREATE (i:Intervention {id: row.id, reason: 'PREDICTED_FAILURE', status: row.status,
             assignee: row.assignee, openedAt: datetime('2000-01-01T00:00:00Z') + duration({seconds: row.at})})
     CREATE (i)-[:FOR]->(d)`,
    { ...ids, carrier: carrier.id, expertA: expertA.id },
  );
  const built = await createProductsSubgraph({
    graph,
    lifecycle,
    identity: config.identity,
    erasureSalt: config.erasure.salt,
    signing: config.signing,
    logger: pino({ level: 'silent' }),
    lane: config.temporal.taskQueue,
  });
  subgraph = await serveSigned(built, config.signing.secret);
  call = subgraph.call;
});

afterAll(async () => {
  await subgraph?.stop();
  await graph.write(
    `MATCH (n) WHERE (n:ProductModel AND n.sku = $sku) OR (n:Customer AND n.id IN [$ana, $ben])
        OR (n:Device AND n.serial IN [$anaDevice, $benDevice]) OR (n:Order AND n.id = $order)
        OR (n:Intervention AND n.id STARTS WITH $prefix)
     DETACH DELETE n`,
    { ...ids, prefix: `${k}-i-` },
  );
  await driver.close();
});

const DEVICE = 'query ($serial: ID!) { device(serial: $serial) { serial model { sku } } }';

describe('devices', () => {
  it('a person reads their own device, and another person’s exactly as a missing one', async () => {
    const own = await call(ana, DEVICE, { serial: ids.anaDevice });
    expect(own.data).toEqual({ device: { serial: ids.anaDevice, model: { sku: ids.sku } } });
    const others = await call(ana, DEVICE, { serial: ids.benDevice });
    const missing = await call(ana, DEVICE, { serial: `${k}-no-such-serial` });
    expect(others).toEqual(missing);
    expect(others).toEqual({ status: 200, data: { device: null } });
  });

  it('a device entity out of reach resolves to null, like a missing one', async () => {
    const entities = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Device { serial } } }`;
    const answer = await call(ana, entities, {
      reps: [
        { __typename: 'Device', serial: ids.anaDevice },
        { __typename: 'Device', serial: ids.benDevice },
        { __typename: 'Device', serial: `${k}-no-such-serial` },
      ],
    });
    expect(answer.data).toEqual({ _entities: [{ serial: ids.anaDevice }, null, null] });
  });

  it('a device cloud reads the health of its models’ devices, nothing personal', async () => {
    const health = await call(
      deviceCloud,
      'query ($serial: ID!) { device(serial: $serial) { serial health { level failureRisk } } }',
      { serial: ids.anaDevice },
    );
    expect(health.data).toEqual({
      device: { serial: ids.anaDevice, health: { level: 'AT_RISK', failureRisk: 0.7 } },
    });
    const order = await call(
      deviceCloud,
      'query ($serial: ID!) { device(serial: $serial) { order { id } } }',
      { serial: ids.anaDevice },
    );
    expect(order.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(order.data).toBeUndefined();
    expect(await call(otherCloud, DEVICE, { serial: ids.anaDevice })).toEqual({
      status: 200,
      data: { device: null },
    });
  });
});

describe('orders', () => {
  const ORDER = 'query ($id: ID!) { order(id: $id) { id amount } }';
  it('reach the carrier they were handed to, their buyer and support; no other carrier', async () => {
    for (const who of [carrier, support]) {
      expect((await call(who, ORDER, { id: ids.order })).data).toEqual({
        order: { id: ids.order, amount: 199 },
      });
    }
    // A person has no order query; their device shows the order they placed.
    expect(
      (
        await call(ana, 'query ($s: ID!) { device(serial: $s) { order { id } } }', {
          s: ids.anaDevice,
        })
      ).data,
    ).toEqual({ device: { order: { id: ids.order } } });
    const missing = await call(otherCarrier, ORDER, { id: `${k}-no-such-order` });
    expect(await call(otherCarrier, ORDER, { id: ids.order })).toEqual(missing);
    expect(missing).toEqual({ status: 200, data: { order: null } });
  });
});

describe('interventions', () => {
  const QUEUE = `{ interventions(first: 200) { id status assignee device { serial } } }`;
  const mine = (list: Array<{ id: string }>) => list.filter((i) => i.id.startsWith(`${k}-i-`));

  it('an expert’s queue holds cases escalated and untaken, and their own', async () => {
    const answer = await call<{ interventions: Array<{ id: string }> }>(expertA, QUEUE);
    expect(answer.errors).toBeUndefined();
    expect(mine(answer.data!.interventions)).toEqual([
      { id: ids.escalated, status: 'ESCALATED', assignee: null, device: { serial: ids.anaDevice } },
      {
        id: ids.mine,
        status: 'AWAITING_CONFIRMATION',
        assignee: expertA.id,
        device: { serial: ids.anaDevice },
      },
    ]);
  });

  it('support sees every open case; a status narrows the queue', async () => {
    const all = await call<{ interventions: Array<{ id: string }> }>(support, QUEUE);
    expect(mine(all.data!.interventions).map((i) => i.id)).toEqual([
      ids.escalated,
      ids.othersCase,
      ids.open,
      ids.mine,
    ]);
    const open = await call<{ interventions: Array<{ id: string }> }>(
      support,
      '{ interventions(status: OPEN, first: 200) { id } }',
    );
    expect(mine(open.data!.interventions)).toEqual([{ id: ids.open }]);
  });

  it('a person may not read the queue at all', async () => {
    const answer = await call(ana, QUEUE);
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('an expert who resolves a case takes it; another expert’s case answers like a missing one', async () => {
    const RESOLVE = `mutation ($id: ID!) { resolveIntervention(input: {interventionId: $id, note: "fixed"}) { id assignee } }`;
    signals.length = 0;
    const taken = await call(expertA, RESOLVE, { id: ids.escalated });
    expect(taken.data).toEqual({
      resolveIntervention: { id: ids.escalated, assignee: expertA.id },
    });
    expect(signals).toEqual([{ workflowId: ids.escalated, kind: 'expert-resolved' }]);

    const others = await call(expertA, RESOLVE, { id: ids.othersCase });
    const missing = await call(expertA, RESOLVE, { id: `${k}-i-none` });
    expect(others.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(others.errors?.[0]?.message).toBe(`No intervention has id ${ids.othersCase}`);
    expect(missing.errors?.[0]?.message).toBe(`No intervention has id ${k}-i-none`);
    expect(signals).toHaveLength(1);
  });

  it('a person confirms a fix only on their own device', async () => {
    const CONFIRM = 'mutation ($id: ID!) { confirmFix(interventionId: $id) { id } }';
    signals.length = 0;
    const others = await call(ben, CONFIRM, { id: ids.mine });
    expect(others.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(signals).toEqual([]);
    const own = await call(ana, CONFIRM, { id: ids.mine });
    expect(own.data).toEqual({ confirmFix: { id: ids.mine } });
    expect(signals).toEqual([{ workflowId: ids.mine, kind: 'fix-confirmed' }]);
  });
});

describe('journey experience', () => {
  it('a person gets only their own menu; another’s answers like an unknown person', async () => {
    const MENU =
      'query ($c: ID!, $sku: ID!) { journeyExperience(customerId: $c, sku: $sku) { stage } }';
    const others = await call(ana, MENU, { c: ids.ben, sku: ids.sku });
    expect(others.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(others.errors?.[0]?.message).toBe(`No customer has id ${ids.ben}`);
    const own = await call(ana, MENU, { c: ids.ana, sku: ids.sku });
    expect(own.errors).toBeUndefined();
  });
});
