import { principalKey, type Principal } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import type { SignedSubgraph } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';
import { serveCustomersForTests } from '../signed-for-tests';

/**
 * Reach in the customers subgraph, called directly as the gateway would (signed), on the real
 * Neo4j: a person reaches only themselves; another person answers exactly like nobody.
 */
const config = loadConfig(process.env);
const driver = createDriver(config.neo4j);
const graph = createGraph(driver, config.neo4j.database);
const k = uniqueKey('reach');
const ids = {
  ana: `${k}-ana`,
  anaBefore: `${k}-ana-old`,
  ben: `${k}-ben`,
  serial: `${k}-PRN`,
  merge: `${k}-merge`,
  touchpoint: `${k}-touch`,
  email: `${k}@example.com`,
};
const ana: Principal = { kind: 'person', id: `${k}-app-ana`, customerId: ids.ana };
const ben: Principal = { kind: 'person', id: `${k}-app-ben`, customerId: ids.ben };
const support: Principal = { kind: 'employee', id: `${k}-support`, roles: ['support'] };
const admin: Principal = { kind: 'employee', id: `${k}-admin`, roles: ['admin'] };
const deviceCloud: Principal = {
  kind: 'partner',
  id: `${k}-cloud`,
  role: 'deviceCloud',
  reach: { campaignIds: [], storeIds: [], skus: ['LJ-200'] },
  linkNamespaces: [],
};

let subgraph: SignedSubgraph;
let call: SignedSubgraph['call'];

beforeAll(async () => {
  await graph.write(
    `CREATE (ana:Customer {id: $ana, displayName: 'Ana', createdAt: datetime()})
     CREATE (ben:Customer {id: $ben, displayName: 'Ben', createdAt: datetime()})
     CREATE (ana)-[:REFERRED {at: datetime()}]->(ben)
     CREATE (:MergedCustomer {id: $anaBefore})-[:MERGED_INTO]->(ana)
     CREATE (:Merge {id: $merge, reason: 'same e-mail', survivorId: $ana, absorbedId: $anaBefore,
                     at: datetime(), recordedBy: 'partner:demo-retailer'})
     CREATE (ana)-[:OWNS]->(:Device {serial: $serial, sku: 'LJ-200', registeredAt: datetime()})
     CREATE (ana)-[:HAD]->(:Touchpoint {eventId: $touchpoint, type: 'AD_CLICK',
                                        occurredAt: datetime(), recordedBy: 'partner:demo-ad-platform'})
     CREATE (ana)-[:IDENTIFIED_BY {since: datetime(), linkedBy: 'partner:demo-retailer'}]->
            (:Identifier {key: 'EMAIL:' + $email, namespace: 'EMAIL', value: $email})`,
    ids,
  );
  subgraph = await serveCustomersForTests(graph, config);
  call = subgraph.call;
});

afterAll(async () => {
  await subgraph?.stop();
  await graph.write(
    `MATCH (c:Customer) WHERE c.id IN [$ana, $ben]
     OPTIONAL MATCH (c)-[:GAVE]->(k:Consent)
     OPTIONAL MATCH (k)-[:CHANGED]->(x:ConsentChange)
     OPTIONAL MATCH (c)-[:VOLUNTEERED]->(p:Preference)
     DETACH DELETE k, x, p`,
    ids,
  );
  await graph.write(
    `MATCH (n) WHERE (n:Customer AND n.id IN [$ana, $ben]) OR (n:MergedCustomer AND n.id = $anaBefore)
        OR (n:Merge AND n.id = $merge) OR (n:Device AND n.serial = $serial)
        OR (n:Touchpoint AND n.eventId = $touchpoint) OR (n:Identifier AND n.key = 'EMAIL:' + $email)
     DETACH DELETE n`,
    ids,
  );
  await driver.close();
});

const CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id displayName } }';

describe('a person', () => {
  it('reads themselves, by any id that resolves to them, and nobody else', async () => {
    expect((await call(ana, CUSTOMER, { id: ids.ana })).data).toEqual({
      customer: { id: ids.ana, displayName: 'Ana' },
    });
    expect((await call(ana, CUSTOMER, { id: ids.anaBefore })).data).toEqual({
      customer: { id: ids.ana, displayName: 'Ana' },
    });
    const missing = await call(ana, CUSTOMER, { id: `${k}-nobody` });
    expect(missing).toEqual({ status: 200, data: { customer: null } });
    expect(await call(ana, CUSTOMER, { id: ids.ben })).toEqual(missing);
    // Ana's old id names Ana now: Ben reaches it no more than Ana herself.
    expect(await call(ben, CUSTOMER, { id: ids.anaBefore })).toEqual(missing);
  });

  it('gets null for another customer’s entity, as for a missing one', async () => {
    const answer = await call(
      ana,
      'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id displayName } } }',
      {
        reps: [
          { __typename: 'Customer', id: ids.ana },
          { __typename: 'Customer', id: ids.ben },
          { __typename: 'Customer', id: `${k}-nobody` },
        ],
      },
    );
    expect(answer.data).toEqual({ _entities: [{ id: ids.ana, displayName: 'Ana' }, null, null] });
  });

  it('sees only the id of the people they referred', async () => {
    const query = (fields: string) =>
      call(ana, `query ($id: ID!) { customer(id: $id) { id referrals { ${fields} } } }`, {
        id: ids.ana,
      });
    expect((await query('id')).data).toEqual({
      customer: { id: ids.ana, referrals: [{ id: ids.ben }] },
    });
    const personal = await query('id displayName');
    expect(personal.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(personal.errors?.[0]?.message).toBe('A person may read only the id of another customer');
    expect(JSON.stringify(personal)).not.toContain('Ben');
    // Staff who care for customers see the person referred.
    const bySupport = await call(
      support,
      'query ($id: ID!) { customer(id: $id) { referrals { displayName } } }',
      { id: ids.ana },
    );
    expect(bySupport.data).toEqual({ customer: { referrals: [{ displayName: 'Ben' }] } });
  });

  it('records consent only for themselves, from the app or the web, as themselves', async () => {
    const SET = `mutation ($input: SetConsentInput!) { setConsent(input: $input) { purpose granted } }`;
    const input = (customerId: string, source = 'APP') => ({
      input: { customerId, purpose: 'LOCATION_OFFERS', granted: true, source },
    });
    const others = await call(ana, SET, input(ids.ben));
    const missing = await call(ana, SET, input(`${k}-nobody`));
    expect(others.errors?.[0]?.extensions).toEqual(missing.errors?.[0]?.extensions);
    expect(others.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(others.errors?.[0]?.message).toBe(`No customer has id ${ids.ben}`);

    const fromStore = await call(ana, SET, input(ids.ana, 'STORE'));
    expect(fromStore.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

    expect((await call(ana, SET, input(ids.ana))).data).toEqual({
      setConsent: { purpose: 'LOCATION_OFFERS', granted: true },
    });
    const HISTORY = `query ($id: ID!) { customer(id: $id) { consents { history { source recordedBy } } } }`;
    expect((await call(admin, HISTORY, { id: ids.ana })).data).toEqual({
      customer: { consents: [{ history: [{ source: 'APP', recordedBy: principalKey(ana) }] }] },
    });
  });

  it('volunteers preferences only for themselves', async () => {
    const SAY = `mutation ($input: VolunteerPreferenceInput!) { volunteerPreference(input: $input) { key value } }`;
    const input = (customerId: string) => ({
      input: { customerId, key: 'LANGUAGE', value: 'pt', source: 'APP' },
    });
    const others = await call(ana, SAY, input(ids.ben));
    expect(others.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await call(ana, SAY, input(ids.ana))).data).toEqual({
      volunteerPreference: { key: 'LANGUAGE', value: 'pt' },
    });
  });

  it('reads the owner of their own device only', async () => {
    const OWNER = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Device { owner { id } } } }`;
    const reps = { reps: [{ __typename: 'Device', serial: ids.serial }] };
    expect((await call(ana, OWNER, reps)).data).toEqual({
      _entities: [{ owner: { id: ids.ana } }],
    });
    expect((await call(ben, OWNER, reps)).data).toEqual({ _entities: [{ owner: null }] });
  });
});

describe('partners and staff', () => {
  it('a device cloud may not read who owns a device', async () => {
    const answer = await call(
      deviceCloud,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Device { owner { id } } } }`,
      { reps: [{ __typename: 'Device', serial: ids.serial }] },
    );
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(answer.data).toBeUndefined();
  });

  it('support finds a person by identifier; a person may not look people up', async () => {
    const FIND = `query ($v: String!) { customerByIdentifier(namespace: EMAIL, value: $v) { id } }`;
    expect((await call(support, FIND, { v: ids.email })).data).toEqual({
      customerByIdentifier: { id: ids.ana },
    });
    expect((await call(ana, FIND, { v: ids.email })).errors?.[0]?.extensions?.['code']).toBe(
      'FORBIDDEN',
    );
  });

  it('admins read who recorded touchpoints, merges and identifier links; support does not', async () => {
    const PROVENANCE = `query ($id: ID!, $merge: ID!) {
      customer(id: $id) { timeline(first: 5) { eventId recordedBy } identities { value linkedBy } }
      merge(id: $merge) { id recordedBy }
    }`;
    const vars = { id: ids.ana, merge: ids.merge };
    expect((await call(admin, PROVENANCE, vars)).data).toEqual({
      customer: {
        timeline: [{ eventId: ids.touchpoint, recordedBy: 'partner:demo-ad-platform' }],
        identities: [{ value: ids.email, linkedBy: 'partner:demo-retailer' }],
      },
      merge: { id: ids.merge, recordedBy: 'partner:demo-retailer' },
    });
    const bySupport = await call(support, PROVENANCE, vars);
    expect(bySupport.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
