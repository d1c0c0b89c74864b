/**
 * The authorization matrix, generated from the rights table: every kind of principal against
 * every root field and every event kind, through the gateway; and every subgraph called
 * directly, unsigned, with a forged signature and with a replayed one.
 */
import {
  EMPLOYEE_ROLES,
  EVENT_KINDS,
  MUTATION_FIELDS,
  PARTNER_ROLES,
  QUERY_FIELDS,
  maySendEvent,
  mayUseRootField,
  signRequest,
  type Principal,
} from '@experience-graph/access';
import type { ApiClient } from '@experience-graph/config';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  isInterfaceType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { readFileSync } from 'node:fs';
import { SUPERGRAPH_PATH } from '@experience-graph/gateway';
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

const prefix = uniqueKey('matrix');
const schema: GraphQLSchema = Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8'))
  .apiSchema()
  .toGraphQLJSSchema();

/** A value of an input type that passes GraphQL validation; ids name nothing that exists. */
function sample(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return sample(type.ofType, name);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sample(f.type, f.name)]),
    );
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'DateTime':
        return '2026-01-01T00:00:00.000Z';
      default:
        return /reason|name|text|topic/i.test(name) ? 'matrix test' : `${prefix}-${name}`;
    }
  }
  return null;
}

const literal = (value: unknown, type: GraphQLInputType): string => {
  const named = getNamedType(type);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, named)).join(', ')}]`;
  if (isEnumType(named)) return String(value);
  if (typeof value === 'object' && isInputObjectType(named)) {
    const fields = named.getFields();
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v, fields[k]!.type)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
};

/** An operation that uses one root field with its required arguments and selects `__typename`. */
function operationFor(kind: 'query' | 'mutation', field: string): string {
  const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  const definition = root?.getFields()[field];
  if (!definition) throw new Error(`${kind} ${field} is not in the supergraph`);
  const args = definition.args
    .filter((a: GraphQLArgument) => isNonNullType(a.type))
    .map((a) => `${a.name}: ${literal(sample(a.type, a.name), a.type)}`);
  const returned = getNamedType(definition.type);
  const composite = isObjectType(returned) || isUnionType(returned) || isInterfaceType(returned);
  return `${kind} { ${field}${args.length ? `(${args.join(', ')})` : ''}${composite ? ' { __typename }' : ''} }`;
}

/** A well-formed event of each kind, about objects that do not exist. */
function eventOf(kind: string, n: number): Record<string, unknown> {
  const id = (what: string) => `${prefix}-${what}`;
  const payloads: Record<string, Record<string, unknown>> = {
    identify: { customerId: id('person') },
    adImpression: { customerId: id('person'), campaignId: id('campaign') },
    adClick: { customerId: id('person'), campaignId: id('campaign') },
    storeProximity: { customerId: id('person'), sku: id('sku'), latitude: 1, longitude: 1 },
    purchase: {
      customerId: id('person'),
      serial: id('serial'),
      orderId: id(`order-${n}`),
      storeId: id('store'),
      amount: 10,
      currency: 'USD',
      promisedDeliveryAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
    order: {
      customerId: id('person'),
      orderId: id(`order-${n}`),
      storeId: id('store'),
      amount: 10,
      currency: 'USD',
    },
    shipmentUpdate: { orderId: id('order'), carrier: 'Matrix', status: 'On its way' },
    delivery: { orderId: id('order'), inFull: true },
    installation: { serial: id('serial') },
    telemetry: {
      serial: id('serial'),
      readings: [
        {
          readingId: id(`reading-${n}`),
          at: new Date(Date.now() - 60_000).toISOString(),
          pagesPrinted: 1,
          errors: 0,
          paperJams: 0,
          inkLevel: 50,
        },
      ],
    },
    supportRequest: { serial: id('serial'), topic: 'Help' },
    feedback: { serial: id('serial'), rating: 3 },
    expertRequest: { serial: id('serial'), topic: 'Help' },
    presaleExpertRequest: { customerId: id('person'), sku: id('sku'), topic: 'Help' },
    optOut: { customerId: id('person'), sku: id('sku') },
    referral: { referrerId: id('person'), referredId: id('other'), sku: id('sku') },
    review: { customerId: id('person'), sku: id('sku'), rating: 4, text: 'Fine' },
    socialMention: { customerId: id('person'), sku: id('sku'), platform: 'Web', text: 'Fine' },
    communityAnswer: {
      customerId: id('person'),
      sku: id('sku'),
      answerId: id('answer'),
      text: 'Fine',
    },
    answerVote: { customerId: id('person'), answerId: id('answer'), helpful: true },
  };
  const payload = payloads[kind];
  if (!payload) throw new Error(`No sample event of kind ${kind}`);
  return {
    eventId: id(`event-${kind}-${n}`),
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    [kind]: payload,
  };
}

const key = (role: string) => `${prefix}-${role}-key-0123456789abcdef`;
const partners: ApiClient[] = PARTNER_ROLES.map((role) => ({
  id: `${prefix}-${role}`.toLowerCase().slice(0, 63),
  role,
  key: key(role),
  campaignIds: [],
  storeIds: [],
  skus: [],
}));

interface Subject {
  name: string;
  principal: Principal;
  credential: () => Promise<string>;
}

let system: TestSystem;
let subjects: Subject[];

beforeAll(async () => {
  system = await startSystem({ extraClients: partners });
  subjects = [
    {
      name: 'service',
      principal: { kind: 'service', id: 'local' },
      credential: async () => system.keyOf('local'),
    },
    ...partners.map((p) => ({
      name: `partner ${p.role}`,
      principal: {
        kind: 'partner' as const,
        id: p.id,
        role: p.role as (typeof PARTNER_ROLES)[number],
        reach: { campaignIds: [], storeIds: [], skus: [] },
        linkNamespaces: [],
      },
      credential: async () => p.key,
    })),
    {
      name: 'person',
      principal: { kind: 'person', id: `${prefix}-person`, customerId: `${prefix}-person` },
      credential: () => system.personToken(`${prefix}-person`),
    },
    ...EMPLOYEE_ROLES.map((role) => ({
      name: `employee ${role}`,
      principal: { kind: 'employee' as const, id: `${prefix}-${role}`, roles: [role] },
      credential: () => system.staffToken(`${prefix}-${role}`, [role]),
    })),
  ];
});

afterAll(async () => {
  await system?.graph.write(
    `MATCH (n) WHERE n.id STARTS WITH $prefix OR n.sku STARTS WITH $prefix OR n.key STARTS WITH $prefix
     DETACH DELETE n`,
    { prefix },
  );
  await system?.stop();
});

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;
const forbidden = (errors: Errors) =>
  (errors ?? []).some((e) => e.extensions?.['code'] === 'FORBIDDEN');

describe('root fields', () => {
  const fields = [
    ...QUERY_FIELDS.map((f) => ['query', f] as const),
    ...MUTATION_FIELDS.map((f) => ['mutation', f] as const),
  ];

  it('each principal may use exactly the root fields of its row', async () => {
    const mismatches: string[] = [];
    for (const subject of subjects) {
      const credential = await subject.credential();
      for (const [kind, field] of fields) {
        const allowed = mayUseRootField(subject.principal, kind, field);
        const response = await system.request(operationFor(kind, field), {}, credential);
        if (response.status === 401 || response.status >= 500) {
          mismatches.push(`${subject.name} ${field}: HTTP ${response.status}`);
        } else if (forbidden(response.errors) === allowed) {
          mismatches.push(
            `${subject.name} ${field}: ${allowed ? 'refused' : 'allowed'} (${JSON.stringify(response.errors ?? null)})`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('event kinds', () => {
  it('each principal that may record events may send exactly the kinds of its row', async () => {
    const mismatches: string[] = [];
    let n = 0;
    for (const subject of subjects) {
      if (!mayUseRootField(subject.principal, 'mutation', 'recordEvents')) continue;
      const credential = await subject.credential();
      for (const kind of EVENT_KINDS) {
        n += 1;
        const response = await system.request<{
          recordEvents: {
            results: Array<{ status: string; error: { code: string; path: string } | null }>;
          };
        }>(
          `mutation ($events: [LifecycleEventInput!]!) {
            recordEvents(events: $events) { results { status error { code path } } } }`,
          { events: [eventOf(kind, n)] },
          credential,
        );
        const result = response.data?.recordEvents.results[0];
        if (!result) {
          mismatches.push(
            `${subject.name} ${kind}: no result (${JSON.stringify(response.errors)})`,
          );
          continue;
        }
        const refusedKind =
          result.error?.code === 'FORBIDDEN' && result.error.path === `events[0].${kind}`;
        if (refusedKind === maySendEvent(subject.principal, kind)) {
          mismatches.push(`${subject.name} ${kind}: ${JSON.stringify(result)}`);
        }
        if (!maySendEvent(subject.principal, kind) && result.status !== 'REJECTED') {
          mismatches.push(`${subject.name} ${kind}: ${result.status} although forbidden`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Nothing a refused event named was stored.
    const stored = await system.graph.read<{ n: number }>(
      `MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $prefix RETURN count(t) AS n`,
      { prefix },
    );
    const allowedEvents = subjects.reduce(
      (sum, s) =>
        sum +
        (mayUseRootField(s.principal, 'mutation', 'recordEvents')
          ? EVENT_KINDS.filter((k) => maySendEvent(s.principal, k)).length
          : 0),
      0,
    );
    expect(Number(stored[0]?.n ?? 0)).toBeLessThanOrEqual(allowedEvents);
    // One request per principal and kind, one after another: on a loaded 2-core machine they
    // take longer than the default two minutes.
  }, 360_000);
});

describe('subgraphs called directly', () => {
  const body = JSON.stringify({ query: '{ _service { sdl } }' });
  const post = (url: string, headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const principal: Principal = { kind: 'service', id: 'local' };

  it.each(['products', 'customers', 'campaigns'] as const)(
    '%s refuses unsigned, forged, stale and replayed requests with 401',
    async (name) => {
      const url = system.subgraphUrls[name];
      const { secret } = system.config.signing;
      expect((await post(url, {})).status).toBe(401);
      const forged = signRequest('a-forged-secret-of-thirty-two-characters', principal, body);
      expect((await post(url, forged)).status).toBe(401);
      const stale = signRequest(secret, principal, body, Date.now() - 10 * 60_000);
      expect((await post(url, stale)).status).toBe(401);
      const signed = signRequest(secret, principal, body);
      const first = await post(url, signed);
      expect(first.status).toBe(200);
      const replayed = await post(url, signed);
      expect(replayed.status).toBe(401);
      const answer = (await replayed.json()) as { data?: unknown };
      expect(answer.data).toBeUndefined();
    },
  );

  it('a subgraph refuses an admin mutation and a personal entity without a signature', async () => {
    const attacks = [
      [
        system.subgraphUrls.customers,
        `{ _entities(representations: [{ __typename: "Customer", id: "cust-ana" }]) { ... on Customer { identities { value } } } }`,
      ],
      [
        system.subgraphUrls.customers,
        `mutation { eraseCustomer(input: { customerId: "cust-ana", reason: CUSTOMER_REQUEST }) { id } }`,
      ],
    ] as const;
    for (const [url, query] of attacks) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(401);
      expect(JSON.stringify(await response.json())).not.toContain('cust-ana');
    }
  });
});
