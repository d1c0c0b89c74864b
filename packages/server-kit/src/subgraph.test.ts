import { parse } from 'graphql';
import pino from 'pino';
import { signRequest, type Principal } from '@experience-graph/access';
import { MAX_REQUEST_BYTES } from '@experience-graph/config';
import { listen, type RunningServer } from './http';
import { otherCustomersShowOnlyTheirId } from './reach-guards';
import { createSubgraphApp, type SubgraphApp } from './subgraph';

const SECRET = 'subgraph-test-signing-secret';
const service: Principal = { kind: 'service', id: 'back-office' };
const ana: Principal = { kind: 'person', id: 'app-user-ana', customerId: 'ana' };
const carrier: Principal = {
  kind: 'partner',
  id: 'parcel-co',
  role: 'carrier',
  reach: { campaignIds: [], storeIds: [], skus: [] },
  linkNamespaces: [],
};

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Customer @key(fields: "id") { id: ID! displayName: String! referredBy: Customer }
  type Query { customer(id: ID!): Customer }
  type Mutation { registerCustomer(input: String!): Customer! }
`);

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}

describe('a subgraph behind the gateway', () => {
  let built: SubgraphApp;
  let server: RunningServer;
  let executed: Array<{ field: string; principal: Principal }>;

  beforeAll(async () => {
    const people: Record<string, { id: string; displayName: string; referrer: string | null }> = {
      ana: { id: 'ana', displayName: 'Ana', referrer: 'ben' },
      ben: { id: 'ben', displayName: 'Ben', referrer: null },
    };
    built = await createSubgraphApp<{ principal: Principal }>({
      name: 'test',
      typeDefs,
      signing: { secret: SECRET, maxAgeMs: 30_000 },
      createContext: (principal) => ({ principal }),
      fieldGuards: { Customer: otherCustomersShowOnlyTheirId },
      resolvers: {
        Query: {
          customer: (
            _p: unknown,
            { id }: { id: string },
            { principal }: { principal: Principal },
          ) => {
            executed.push({ field: 'customer', principal });
            return people[id] ?? null;
          },
        },
        Mutation: {
          registerCustomer: (_p: unknown, _a: unknown, { principal }: { principal: Principal }) => {
            executed.push({ field: 'registerCustomer', principal });
            return people['ana'];
          },
        },
        Customer: {
          referredBy: ({ referrer }: { referrer: string | null }) =>
            referrer === null ? null : people[referrer],
        },
      } as never,
      readiness: {},
      logger: pino({ level: 'silent' }),
    });
    server = await listen(built.app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await built.apollo.stop();
  });
  beforeEach(() => {
    executed = [];
  });

  const body = (query: string) => JSON.stringify({ query });
  const post = async (payload: string, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const signed = (query: string, principal: Principal = service, secret = SECRET) => {
    const payload = body(query);
    return post(payload, signRequest(secret, principal, payload));
  };
  const refusedUnauthenticated = (answer: Answer) => {
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      errors: [
        {
          message: 'Only the gateway may call this subgraph',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    expect(executed).toEqual([]);
  };
  const MUTATION = 'mutation { registerCustomer(input: "x") { id } }';

  it('answers a request the gateway signed, with the principal it vouched for', async () => {
    const answer = await signed('{ customer(id: "ana") { id displayName } }');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ customer: { id: 'ana', displayName: 'Ana' } });
    expect(executed).toEqual([{ field: 'customer', principal: service }]);
  });

  it('refuses an unsigned request before executing anything', async () => {
    refusedUnauthenticated(await post(body(MUTATION), {}));
  });

  it('refuses a request signed with another secret', async () => {
    refusedUnauthenticated(await signed(MUTATION, service, 'another-secret-entirely'));
  });

  it('refuses a body changed after signing', async () => {
    const headers = signRequest(SECRET, service, body('{ customer(id: "ana") { id } }'));
    refusedUnauthenticated(await post(body(MUTATION), headers));
  });

  it('refuses a principal changed after signing', async () => {
    const payload = body('{ customer(id: "ben") { id displayName } }');
    const headers = signRequest(SECRET, ana, payload);
    const other = signRequest(SECRET, service, payload);
    refusedUnauthenticated(
      await post(payload, { ...headers, 'x-eg-principal': other['x-eg-principal']! }),
    );
  });

  it('refuses a signature older than the allowed age', async () => {
    const payload = body(MUTATION);
    refusedUnauthenticated(
      await post(payload, signRequest(SECRET, service, payload, Date.now() - 60_000)),
    );
  });

  it('refuses a signed request sent a second time', async () => {
    const payload = body(MUTATION);
    const headers = signRequest(SECRET, service, payload);
    expect((await post(payload, headers)).status).toBe(200);
    executed = [];
    refusedUnauthenticated(await post(payload, headers));
  });

  /** A signed request of exactly `bytes` bytes: the query, padded in an extension Apollo ignores. */
  const signedOfSize = (query: string, bytes: number) => {
    const bare = JSON.stringify({ query, extensions: { pad: '' } });
    const payload = JSON.stringify({ query, extensions: { pad: 'x'.repeat(bytes - bare.length) } });
    expect(payload.length).toBe(bytes);
    return post(payload, signRequest(SECRET, service, payload));
  };

  it('reads a body as large as the gateway accepts by default', async () => {
    const answer = await signedOfSize('{ customer(id: "ana") { id } }', MAX_REQUEST_BYTES);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { customer: { id: 'ana' } } });
  });

  it('answers a body over its limit with 413 in JSON, naming the limit, before anything runs', async () => {
    const limit = 2 * MAX_REQUEST_BYTES;
    const answer = await signedOfSize(MUTATION, limit + 1);
    expect(answer.status).toBe(413);
    // Both sizes round to 27.0 MB, so the message gives them in bytes.
    expect(answer.body).toEqual({
      errors: [
        {
          message: `The request body is ${limit + 1} bytes; at most ${limit} bytes (27.0 MB) is accepted`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: limit, bytes: limit + 1 },
        },
      ],
    });
    expect(executed).toEqual([]);
  });

  it('keeps the health endpoints open', async () => {
    const response = await fetch(`${server.url}/health/live`);
    expect(response.status).toBe(200);
  });

  it('refuses, before executing, what the rights table does not give the principal', async () => {
    const answer = await signed(MUTATION, carrier);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(answer.body.data).toBeUndefined();
    expect(executed).toEqual([]);
  });

  it('refuses a field the field rules keep from the principal, also inside _entities', async () => {
    const answer = await signed(
      '{ _entities(representations: [{__typename: "Customer", id: "ana"}]) { ... on Customer { displayName } } }',
      carrier,
    );
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(answer.body.errors?.[0]?.message).toContain('Customer.displayName');
  });

  it('shows a person only the id of another customer they reach', async () => {
    const answer = await signed(
      '{ customer(id: "ana") { displayName referredBy { id displayName } } }',
      ana,
    );
    expect(answer.body.data).toEqual({
      customer: { displayName: 'Ana', referredBy: null },
    });
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const ids = await signed('{ customer(id: "ana") { referredBy { id } } }', ana);
    expect(ids.body).toEqual({ data: { customer: { referredBy: { id: 'ben' } } } });
  });
});
