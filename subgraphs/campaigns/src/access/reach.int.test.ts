import pino from 'pino';
import type { Principal } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { serveSigned, type SignedSubgraph } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';
import { createCampaignsSubgraph } from '../server';

/**
 * Reach in the campaigns subgraph, called directly as the gateway would (signed), on the real
 * Neo4j: an ad platform reaches its campaigns, a retailer its stores; others answer like missing.
 */
const config = loadConfig(process.env);
const driver = createDriver(config.neo4j);
const graph = createGraph(driver, config.neo4j.database);
const k = uniqueKey('reach');
const ids = { campaign: `${k}-camp`, store: `${k}-store`, sku: `${k}-LJ` };
const partner = (id: string, role: 'adPlatform' | 'retailer', own: string[]): Principal => ({
  kind: 'partner',
  id,
  role,
  reach: {
    campaignIds: role === 'adPlatform' ? own : [],
    storeIds: role === 'retailer' ? own : [],
    skus: [],
  },
  linkNamespaces: [],
});
const adPlatform = partner(`${k}-ads`, 'adPlatform', [ids.campaign]);
const otherAdPlatform = partner(`${k}-other-ads`, 'adPlatform', ['another-campaign']);
const retailer = partner(`${k}-shop`, 'retailer', [ids.store]);
const otherRetailer = partner(`${k}-other-shop`, 'retailer', ['another-store']);
const marketer: Principal = { kind: 'employee', id: `${k}-marketer`, roles: ['marketer'] };

let subgraph: SignedSubgraph;
let call: SignedSubgraph['call'];

beforeAll(async () => {
  await graph.write(
    `CREATE (m:ProductModel {sku: $sku, name: 'Reach test printer'})
     CREATE (c:Campaign {id: $campaign, name: 'Reach test', channel: 'SOCIAL',
                         journeyStage: 'INTERESTED', productSku: $sku})-[:PROMOTES]->(m)
     CREATE (:Store {id: $store, name: 'Reach test store', radiusMeters: 100,
                     location: point({latitude: 40.0, longitude: -3.0})})`,
    ids,
  );
  const built = await createCampaignsSubgraph({
    graph,
    attribution: config.attribution,
    signing: config.signing,
    logger: pino({ level: 'silent' }),
  });
  subgraph = await serveSigned(built, config.signing.secret);
  call = subgraph.call;
});

afterAll(async () => {
  await subgraph?.stop();
  await graph.write(
    `MATCH (n) WHERE (n:Campaign AND n.id = $campaign) OR (n:Store AND n.id = $store)
        OR (n:ProductModel AND n.sku = $sku)
     DETACH DELETE n`,
    ids,
  );
  await driver.close();
});

const CAMPAIGN = 'query ($id: ID!) { campaign(id: $id) { id name } }';
const STORE = 'query ($id: ID!) { store(id: $id) { id name } }';
const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Campaign { id } ... on Store { id } } }`;

it('an ad platform reads its campaign; another answers like a missing one', async () => {
  const found = { campaign: { id: ids.campaign, name: 'Reach test' } };
  expect((await call(adPlatform, CAMPAIGN, { id: ids.campaign })).data).toEqual(found);
  expect((await call(marketer, CAMPAIGN, { id: ids.campaign })).data).toEqual(found);
  const missing = await call(otherAdPlatform, CAMPAIGN, { id: `${k}-none` });
  expect(missing).toEqual({ status: 200, data: { campaign: null } });
  expect(await call(otherAdPlatform, CAMPAIGN, { id: ids.campaign })).toEqual(missing);
  const entity = await call(otherAdPlatform, ENTITIES, {
    reps: [{ __typename: 'Campaign', id: ids.campaign }],
  });
  expect(entity.data).toEqual({ _entities: [null] });
});

it('a retailer reads its store; another retailer’s answers like a missing one', async () => {
  expect((await call(retailer, STORE, { id: ids.store })).data).toEqual({
    store: { id: ids.store, name: 'Reach test store' },
  });
  const missing = await call(otherRetailer, STORE, { id: `${k}-none` });
  expect(missing).toEqual({ status: 200, data: { store: null } });
  expect(await call(otherRetailer, STORE, { id: ids.store })).toEqual(missing);
  const entities = await call(retailer, ENTITIES, {
    reps: [{ __typename: 'Store', id: ids.store }],
  });
  expect(entities.data).toEqual({ _entities: [{ id: ids.store }] });
  const others = await call(otherRetailer, ENTITIES, {
    reps: [{ __typename: 'Store', id: ids.store }],
  });
  expect(others.data).toEqual({ _entities: [null] });
});

it('a retailer may not read campaigns at all', async () => {
  const answer = await call(retailer, CAMPAIGN, { id: ids.campaign });
  expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  expect(answer.data).toBeUndefined();
});
