import type { Principal } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import type { SignedSubgraph } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';
import { serveCustomersForTests } from '../signed-for-tests';

/**
 * The customer view in one statement, on the real Neo4j: a view asked by id, or as the
 * gateway's entity batch, reads everything it selects in one Cypher statement, and answers
 * exactly what the fields' own loaders answer (asked through `customerByIdentifier`, which
 * resolves the person first and leaves every field to its loader).
 */
const config = loadConfig(process.env);
const driver = createDriver(config.neo4j);
const real = createGraph(driver, config.neo4j.database);
const statements: string[] = [];
/** The real graph, counting what the subgraph reads. */
const counted: Graph = {
  read: (cypher, params) => {
    statements.push(cypher);
    return real.read(cypher, params);
  },
  write: (cypher, params) => real.write(cypher, params),
  transaction: (work) => real.transaction(work),
  driver: real.driver,
  database: real.database,
};
const k = uniqueKey('view');
const ids = {
  ana: `${k}-ana`,
  anaBefore: `${k}-ana-old`,
  ben: `${k}-ben`,
  voter: `${k}-voter`,
  email: `${k}@example.com`,
  campaign: `${k}-camp`,
  sku: `${k}-sku`,
  serial: `${k}-PRN`,
  segment: `${k}-seg`,
  order: `${k}-order`,
};
const admin: Principal = { kind: 'employee', id: `${k}-admin`, roles: ['admin'] };

let subgraph: SignedSubgraph;

beforeAll(async () => {
  await real.write(
    `CREATE (ana:Customer {id: $ana, displayName: 'Ana', createdAt: datetime() - duration('P30D'),
                           pAlive: 0.8, expectedPurchases: 1.5, expectedValue: 120.0,
                           predictionHorizonDays: 365, predictedAt: datetime(), valueModelFitId: $k})
     CREATE (ben:Customer {id: $ben, displayName: 'Ben', createdAt: datetime()})
     CREATE (voter:Customer {id: $voter, displayName: 'Voter', createdAt: datetime()})
     CREATE (ana)-[:REFERRED {at: datetime() - duration('P10D')}]->(ben)
     CREATE (ben)-[:PLACED]->(:Order {id: $order, amount: 50.0, currency: 'USD', placedAt: datetime()})
     CREATE (:MergedCustomer {id: $anaBefore})-[:MERGED_INTO]->(ana)
     CREATE (ana)-[:IDENTIFIED_BY {since: datetime() - duration('P30D')}]->
            (:Identifier {key: 'EMAIL:' + $email, namespace: 'EMAIL', value: $email, shared: false})
     CREATE (ana)-[:GAVE]->(:Consent {customerId: $ana, purpose: 'MARKETING_CONTACT', granted: true,
                                      channels: ['EMAIL'], updatedAt: datetime()})
     CREATE (ana)-[:VOLUNTEERED]->(:Preference {customerId: $ana, key: 'LANGUAGE', value: 'de',
             source: 'APP', at: datetime() - duration('P5D'), current: false})
     CREATE (ana)-[:VOLUNTEERED]->(:Preference {customerId: $ana, key: 'LANGUAGE', value: 'en',
             source: 'APP', at: datetime(), current: true})
     CREATE (ana)-[:IN_SEGMENT {since: datetime()}]->(:Segment {id: $segment, name: 'Fans',
             description: null, match: 'ALL', conditions: '[]'})
     CREATE (model:ProductModel {sku: $sku, name: 'Model'})
     CREATE (camp:Campaign {id: $campaign, name: 'Spring', channel: 'SOCIAL_AD'})
     CREATE (ana)-[:OWNS]->(device:Device {serial: $serial, sku: $sku, registeredAt: datetime()})
     WITH ana, voter, model, camp, device
     UNWIND range(1, 6) AS i
     CREATE (ana)-[:HAD]->(t:Touchpoint {eventId: $k + '-t' + i,
             type: CASE WHEN i = 6 THEN 'COMMUNITY_ANSWER' ELSE 'REVIEW' END,
             channel: 'APP', sentiment: 0.1 * i, occurredAt: datetime() - duration({days: i})})
     CREATE (t)-[:VIA]->(camp)
     CREATE (t)-[:ABOUT]->(model)
     CREATE (t)-[:ABOUT_DEVICE]->(device)
     FOREACH (_ IN CASE WHEN i = 6 THEN [1] ELSE [] END |
       CREATE (voter)-[:VOTED {helpful: true}]->(t))`,
    { ...ids, k },
  );
  subgraph = await serveCustomersForTests(counted, config);
});

afterAll(async () => {
  await subgraph?.stop();
  await real.write(
    `MATCH (n) WHERE (n:Customer AND n.id IN [$ana, $ben, $voter])
        OR (n:MergedCustomer AND n.id = $anaBefore) OR (n:Identifier AND n.key = 'EMAIL:' + $email)
        OR (n:Consent AND n.customerId = $ana) OR (n:Preference AND n.customerId = $ana)
        OR (n:Segment AND n.id = $segment) OR (n:ProductModel AND n.sku = $sku)
        OR (n:Campaign AND n.id = $campaign) OR (n:Device AND n.serial = $serial)
        OR (n:Order AND n.id = $order) OR (n:Touchpoint AND n.eventId STARTS WITH $k + '-t')
     DETACH DELETE n`,
    { ...ids, k },
  );
  await driver.close();
});

const VIEW_FIELDS = `
  id displayName createdAt
  identities { namespace value shared since }
  consents { purpose granted channels updatedAt }
  preferences { key value source at }
  dataQuality { score missing }
  segments { id name }
  timeline(first: $first) {
    eventId type occurredAt channel sentiment
    campaign { id name } product { sku name } device { serial }
  }
  referredBy { id displayName }
  referrals { id displayName }
  value { historical referral helpfulness total peopleReferred
          predicted { probabilityAlive expectedPurchases expectedValue horizonDays fittedAt } }
  sentiment { score mentions }
  superUser
  helpfulVotes`;

async function read(query: string, variables: Record<string, unknown>) {
  statements.length = 0;
  const answer = await subgraph.call(admin, query, variables);
  expect(answer.errors).toBeUndefined();
  return { data: answer.data, statements: [...statements] };
}

describe('the customer view', () => {
  it('reads every field it selects in one statement, as the fields’ own loaders read them', async () => {
    const byId = await read(
      `query ($id: ID!, $first: Int!) { customer(id: $id) { ${VIEW_FIELDS} } }`,
      {
        id: ids.anaBefore,
        first: 4,
      },
    );
    expect(byId.statements).toHaveLength(1);
    const own = await read(
      `query ($value: String!, $first: Int!) {
         customerByIdentifier(namespace: EMAIL, value: $value) { ${VIEW_FIELDS} } }`,
      { value: ids.email, first: 4 },
    );
    // Resolution first, then one statement per loader.
    expect(own.statements.length).toBeGreaterThan(8);
    expect(byId.data?.['customer']).toEqual(own.data?.['customerByIdentifier']);

    const ana = byId.data?.['customer'] as Record<string, unknown>;
    expect(ana['id']).toBe(ids.ana);
    expect(ana['referredBy']).toBeNull();
    expect(ana['referrals']).toEqual([{ id: ids.ben, displayName: 'Ben' }]);
    expect(ana['timeline']).toHaveLength(4);
    expect(ana['preferences']).toEqual([expect.objectContaining({ key: 'LANGUAGE', value: 'en' })]);
    expect(ana['helpfulVotes']).toBe(1);
    expect(ana['value']).toEqual(
      expect.objectContaining({
        historical: 0,
        peopleReferred: 1,
        predicted: expect.objectContaining({ probabilityAlive: 0.8, horizonDays: 365 }),
      }),
    );
  });

  it('answers fragments, aliases and other arguments the way the schema says', async () => {
    const query = `query ($id: ID!, $first: Int!, $skip: Boolean!) {
      customer(id: $id) {
        ...Names
        recent: timeline(first: 1) { eventId }
        timeline(first: $first) { eventId }
        all: preferences(includeSuperseded: true) { value }
        preferences { value }
        segments @skip(if: $skip) { id }
      }
    }
    fragment Names on Customer { displayName referrals { id } }`;
    const viewed = await read(query, { id: ids.ana, first: 3, skip: true });
    expect(viewed.data?.['customer']).toEqual({
      displayName: 'Ana',
      referrals: [{ id: ids.ben }],
      recent: [{ eventId: `${k}-t1` }],
      timeline: [{ eventId: `${k}-t1` }, { eventId: `${k}-t2` }, { eventId: `${k}-t3` }],
      all: [{ value: 'en' }, { value: 'de' }],
      preferences: [{ value: 'en' }],
    });
    // The first occurrence of each field is in the view; the aliases with other arguments are
    // read by their own loaders; the skipped field is not read at all.
    expect(viewed.statements).toHaveLength(3);
    expect(viewed.statements.join('\n')).not.toContain('IN_SEGMENT');
  });

  it('reads an entity batch in one statement, the unknown and merged ids included', async () => {
    const answer = await read(
      `query ($reps: [_Any!]!, $first: Int!) {
         _entities(representations: $reps) { ... on Customer { id timeline(first: $first) { eventId } referredBy { id } referrals { id } } }
       }`,
      {
        first: 1,
        reps: [
          { __typename: 'Customer', id: ids.ben },
          { __typename: 'Customer', id: `${k}-nobody` },
          { __typename: 'Customer', id: ids.anaBefore },
        ],
      },
    );
    expect(answer.data).toEqual({
      _entities: [
        { id: ids.ben, timeline: [], referredBy: { id: ids.ana }, referrals: [] },
        null,
        {
          id: ids.ana,
          timeline: [{ eventId: `${k}-t1` }],
          referredBy: null,
          referrals: [{ id: ids.ben }],
        },
      ],
    });
    expect(answer.statements).toHaveLength(1);
  });

  it('leaves an invalid argument to the field’s resolver, which names it', async () => {
    statements.length = 0;
    const answer = await subgraph.call(
      admin,
      'query ($id: ID!) { customer(id: $id) { id timeline(first: 0) { eventId } } }',
      { id: ids.ana },
    );
    expect(answer.errors?.[0]?.message).toContain('first');
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(answer.errors?.[0]?.path).toEqual(['customer', 'timeline']);
  });
});
