/**
 * The gateway alone, in this process, in front of fake subgraphs that answer canned JSON and
 * record what they receive: authentication, signing, limits, honest errors, production mode and
 * the GraphQL-over-HTTP audit, without Neo4j or Temporal.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import express from 'express';
import pino from 'pino';
import { serverAudits } from 'graphql-http';
import { NonceMemory, verifyRequest, type Principal } from '@experience-graph/access';
import {
  loadConfig,
  MAX_REQUEST_BYTES,
  type ApiClient,
  type Config,
  type GatewayConfig,
} from '@experience-graph/config';
import { createGateway } from '@experience-graph/gateway';
import { listen, type RunningServer } from '@experience-graph/server-kit';

const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

const SERVICE_KEY = 'test-service-key-0123456789abcdef';
const AD_KEY = 'test-ad-platform-key-0123456789abcdef';
const CLOUD_KEY = 'test-device-cloud-key-0123456789abcdef';
const CLIENTS: ApiClient[] = [
  { id: 'backoffice', role: 'service', key: SERVICE_KEY, campaignIds: [], storeIds: [], skus: [] },
  {
    id: 'ads',
    role: 'adPlatform',
    key: AD_KEY,
    campaignIds: ['camp-1'],
    storeIds: [],
    skus: [],
  },
  {
    id: 'cloud',
    role: 'deviceCloud',
    key: CLOUD_KEY,
    campaignIds: [],
    storeIds: [],
    skus: ['LJ-200'],
  },
];

/** Tokens signed by hand with node:crypto, so the gateway's verification is tested against a second implementation. */
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(privateKey: KeyObject, claims: Record<string, unknown>, alg = 'ES256'): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);

/** A response body as the assertions read it: their expectations check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  remotePort: number | undefined;
}

type Answer = (
  query: string,
  variables: Record<string, unknown>,
) => {
  status?: number;
  json?: unknown;
  delayMs?: number;
  raw?: string;
};

const defaultAnswer: Answer = (query, variables) => {
  if (query.includes('recordEvents')) {
    // The gateway names the subgraph operation's variables itself: take the list it sent.
    const events = Object.values(variables).find(Array.isArray) ?? [];
    return {
      json: {
        data: { recordEvents: { accepted: events.length, duplicates: 0, rejected: 0 } },
      },
    };
  }
  if (query.includes('device')) return { json: { data: { device: { serial: 'PRN-1' } } } };
  if (query.includes('segment')) {
    return { json: { data: { segment: { memberCount: 0, members: [] } } } };
  }
  return { json: { data: {} } };
};

interface Harness {
  url: string;
  received: Received[];
  answer: { current: Answer };
  config: Config;
  post(
    body: unknown,
    credential?: string | null,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; text: string; json: Body }>;
  stop(): Promise<void>;
}

async function startHarness(
  options: {
    limits?: Partial<GatewayConfig['limits']>;
    production?: boolean;
    appKey?: string | null;
    staffKey?: string | null;
  } = {},
): Promise<Harness> {
  const base = loadConfig({});
  const received: Received[] = [];
  const answer = { current: defaultAnswer };
  const fake = express();
  fake.post('/graphql', express.raw({ type: '*/*', limit: '10mb' }), async (req, res) => {
    const body = (req.body as Buffer).toString('utf8');
    received.push({ headers: req.headers, body, remotePort: req.socket.remotePort });
    const parsed = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
    const reply = answer.current(parsed.query, parsed.variables ?? {});
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.raw !== undefined) {
      res
        .status(reply.status ?? 200)
        .type('text/html')
        .send(reply.raw);
      return;
    }
    res.status(reply.status ?? 200).json(reply.json);
  });
  const subgraph = await listen(fake, '127.0.0.1', 0);
  const subgraphUrl = `${subgraph.url}/graphql`;
  const config: Config = {
    ...base,
    gateway: {
      ...base.gateway,
      clients: CLIENTS,
      subgraphUrls: { products: subgraphUrl, customers: subgraphUrl, campaigns: subgraphUrl },
      limits: { ...base.gateway.limits, ...options.limits },
      production: options.production ?? false,
      appTokens: { ...base.gateway.appTokens, jwksUrl: null, publicKey: options.appKey ?? null },
      staffTokens: {
        ...base.gateway.staffTokens,
        jwksUrl: null,
        publicKey: options.staffKey ?? null,
      },
    },
  };
  const { app, apollo } = await createGateway({
    config: config.gateway,
    signing: config.signing,
    logger,
  });
  const gateway: RunningServer = await listen(app, '127.0.0.1', 0);
  const url = `${gateway.url}/graphql`;
  return {
    url,
    received,
    answer,
    config,
    async post(body, credential = SERVICE_KEY, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(credential ? { authorization: `Bearer ${credential}` } : {}),
          ...headers,
        },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: Body;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    async stop() {
      await apollo.stop();
      await gateway.close();
      await subgraph.close();
    },
  };
}

const DEVICE = '{ device(serial: "PRN-1") { serial } }';
const RECORD = `mutation ($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { accepted duplicates rejected } }`;
const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    eventId: `ev-${i}`,
    occurredAt: '2026-01-01T00:00:00.000Z',
    installation: { serial: 'PRN-1' },
  }));

describe('gateway authentication', () => {
  const app = keyPair();
  const staff = keyPair();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ appKey: app.publicKeyPem, staffKey: staff.publicKeyPem });
  });
  afterAll(() => h.stop());

  const appClaims = () => ({
    iss: h.config.gateway.appTokens.issuer,
    aud: h.config.gateway.appTokens.audience,
    sub: 'cust-ana',
    iat: now(),
    exp: now() + 600,
  });
  const staffClaims = (roles: unknown) => ({
    iss: h.config.gateway.staffTokens.issuer,
    aud: h.config.gateway.staffTokens.audience,
    sub: 'e-17',
    iat: now(),
    exp: now() + 600,
    roles,
  });

  /** The principal the fake subgraph was told, from the signed header it received. */
  const lastPrincipal = (): Principal => {
    const last = h.received.at(-1);
    if (!last) throw new Error('the subgraph received nothing');
    const verified = verifyRequest(
      h.config.signing.secret,
      last.headers,
      last.body,
      new NonceMemory(60_000),
    );
    if (!verified.ok) throw new Error(verified.reason);
    return verified.principal;
  };

  const refused = async (
    credential: string | null,
    headers: Record<string, string>,
    message: RegExp,
  ) => {
    const response = await h.post({ query: DEVICE }, credential, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.json).toEqual({
      errors: [
        { message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
    if (credential) expect(response.text).not.toContain(credential);
  };

  it('refuses a request without a credential, with a malformed header or an unknown key', async () => {
    await refused(null, {}, /API key or token is required/);
    await refused(null, { authorization: 'Basic dXNlcjpwYXNz' }, /must be "Bearer/);
    await refused('not-a-registered-key-0123456789', {}, /API key is not valid/);
  });

  it('accepts a key as Bearer in any case or as x-api-key: a service, or a partner with its reach', async () => {
    expect(
      (await h.post({ query: DEVICE }, null, { authorization: `bEaReR ${SERVICE_KEY}` })).status,
    ).toBe(200);
    expect(lastPrincipal()).toEqual({ kind: 'service', id: 'backoffice' });
    expect((await h.post({ query: DEVICE }, null, { 'x-api-key': CLOUD_KEY })).status).toBe(200);
    expect(lastPrincipal()).toEqual({
      kind: 'partner',
      id: 'cloud',
      role: 'deviceCloud',
      reach: { campaignIds: [], storeIds: [], skus: ['LJ-200'] },
      linkNamespaces: [],
    });
  });

  it('turns an app token into the person it names and a staff token into an employee with known roles', async () => {
    const person = await h.post({ query: DEVICE }, jwt(app.privateKey, appClaims()));
    expect(person.status).toBe(200);
    expect(lastPrincipal()).toEqual({ kind: 'person', id: 'cust-ana', customerId: 'cust-ana' });
    const admin = await h.post(
      { query: DEVICE },
      jwt(staff.privateKey, staffClaims(['admin', 'wizard'])),
    );
    expect(admin.status).toBe(200);
    expect(lastPrincipal()).toEqual({ kind: 'employee', id: 'e-17', roles: ['admin'] });
  });

  it('refuses tokens that are expired, early, for another audience, from an unknown issuer or badly signed', async () => {
    await refused(jwt(app.privateKey, { ...appClaims(), exp: now() - 3600 }), {}, /expired/);
    await refused(jwt(app.privateKey, { ...appClaims(), nbf: now() + 3600 }), {}, /not valid yet/);
    await refused(jwt(app.privateKey, { ...appClaims(), aud: 'someone-else' }), {}, /audience/);
    await refused(
      jwt(app.privateKey, { ...appClaims(), iss: 'https://evil.example' }),
      {},
      /issuer/,
    );
    // Signed with the staff key but claiming the app issuer.
    await refused(jwt(staff.privateKey, appClaims()), {}, /signature is not valid/);
    await refused(jwt(app.privateKey, appClaims(), 'HS256'), {}, /algorithm/);
    const noSubject: Record<string, unknown> = appClaims();
    delete noSubject['sub'];
    await refused(jwt(app.privateKey, noSubject), {}, /subject/);
  });

  it('refuses a staff token with no known role', async () => {
    await refused(jwt(staff.privateKey, staffClaims(['wizard'])), {}, /no role/);
    await refused(jwt(staff.privateKey, staffClaims(undefined)), {}, /no role/);
  });

  it('refuses every token of a trust that has no key configured', async () => {
    const bare = await startHarness();
    try {
      const token = jwt(app.privateKey, {
        ...appClaims(),
        iss: bare.config.gateway.appTokens.issuer,
        aud: bare.config.gateway.appTokens.audience,
      });
      const response = await bare.post({ query: DEVICE }, token);
      expect(response.status).toBe(401);
      expect(response.json.errors[0].message).toMatch(/no key to verify them is configured/);
    } finally {
      await bare.stop();
    }
  });
});

describe('gateway to subgraph signing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('signs the exact body it sends, for the principal of the request, over one kept-alive connection', async () => {
    h.received.length = 0;
    await h.post({ query: DEVICE });
    // Refused at the gateway (an ad platform may not read devices): nothing is sent.
    expect((await h.post({ query: DEVICE }, AD_KEY)).status).toBe(403);
    await h.post({ query: DEVICE }, CLOUD_KEY);
    expect(h.received).toHaveLength(2);
    const nonces = new NonceMemory(60_000);
    const [first, second] = h.received as [Received, Received];
    const one = verifyRequest(h.config.signing.secret, first.headers, first.body, nonces);
    const two = verifyRequest(h.config.signing.secret, second.headers, second.body, nonces);
    expect(one).toMatchObject({ ok: true, principal: { kind: 'service', id: 'backoffice' } });
    expect(two).toMatchObject({ ok: true, principal: { kind: 'partner', id: 'cloud' } });
    // Another secret, an altered body or a replay are refused by the subgraph's check.
    expect(
      verifyRequest(
        'another-secret-of-at-least-32-characters',
        first.headers,
        first.body,
        new NonceMemory(60_000),
      ).ok,
    ).toBe(false);
    expect(
      verifyRequest(
        h.config.signing.secret,
        first.headers,
        `${first.body} `,
        new NonceMemory(60_000),
      ).ok,
    ).toBe(false);
    expect(verifyRequest(h.config.signing.secret, first.headers, first.body, nonces).ok).toBe(
      false,
    );
    expect(first.headers['connection']).not.toBe('close');
    expect(second.remotePort).toBe(first.remotePort);
  });
});

describe('gateway limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: { rateLimit: { requests: 1000, events: 1000, windowSeconds: 60 } },
    });
  });
  afterAll(() => h.stop());

  it('runs at most one recordEvents per request, however it is spelled', async () => {
    const aliases = await h.post({
      query: `mutation ($e: [LifecycleEventInput!]!) {
        a: recordEvents(events: $e) { accepted } b: recordEvents(events: $e) { accepted } }`,
      variables: { e: events(1) },
    });
    expect(aliases.status).toBe(400);
    expect(aliases.json.errors[0]).toMatchObject({
      message: expect.stringMatching(/At most one recordEvents per request/),
      extensions: { code: 'OPERATION_LIMIT' },
    });
    const fragments = await h.post({
      query: `mutation ($e: [LifecycleEventInput!]!) { ...A ...B }
        fragment A on Mutation { a: recordEvents(events: $e) { accepted } }
        fragment B on Mutation { b: recordEvents(events: $e) { accepted } }`,
      variables: { e: events(1) },
    });
    expect(fragments.status).toBe(400);
    expect(fragments.json.errors[0].extensions.code).toBe('OPERATION_LIMIT');
    // The same field twice under one response key runs once: allowed.
    const merged = await h.post({
      query: `mutation ($e: [LifecycleEventInput!]!) {
        recordEvents(events: $e) { accepted } recordEvents(events: $e) { rejected } }`,
      variables: { e: events(2) },
    });
    expect(merged.status).toBe(200);
    expect(merged.json.data.recordEvents).toEqual({ accepted: 2, rejected: 0 });
  });

  it('caps a batch at 500 events, and a 10,000-item variable never reaches a subgraph', async () => {
    h.received.length = 0;
    const big = await h.post({ query: RECORD, variables: { events: events(501) } });
    expect(big.status).toBe(400);
    expect(big.json.errors[0]).toMatchObject({
      message: 'events: at most 500 events per batch, got 501',
      extensions: { code: 'BAD_USER_INPUT', field: 'events' },
    });
    const huge = await h.post({ query: RECORD, variables: { events: events(10_000) } });
    expect(huge.status).toBe(400);
    expect(h.received).toHaveLength(0);
  });

  it('counts first/last and list sizes from variables in the cost', async () => {
    const paged = `query ($n: Int) { segment(id: "s") { members(first: $n) { id } } }`;
    expect((await h.post({ query: paged, variables: { n: 10 } })).status).toBe(200);
    const costly = await h.post({ query: paged, variables: { n: 1_000_000 } });
    expect(costly.status).toBe(400);
    expect(costly.json.errors[0]).toMatchObject({
      message: expect.stringMatching(/costs \d+, more than the limit of 10000/),
      extensions: { code: 'OPERATION_LIMIT' },
    });
  });

  it('counts aliases of __typename toward the alias limit', async () => {
    const n = h.config.gateway.limits.maxAliases + 1;
    const query = `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    const response = await h.post({ query });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].message).toMatch(/Aliases limit/);
  });
});

describe('gateway rate and time limits', () => {
  it('answers 429 with Retry-After past a principal’s requests, and others go on', async () => {
    const h = await startHarness({
      limits: { rateLimit: { requests: 2, events: 100, windowSeconds: 60 } },
    });
    try {
      expect((await h.post({ query: DEVICE })).status).toBe(200);
      expect((await h.post({ query: DEVICE })).status).toBe(200);
      const third = await h.post({ query: DEVICE });
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(third.json.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect((await h.post({ query: DEVICE }, CLOUD_KEY)).status).toBe(200);
    } finally {
      await h.stop();
    }
  });

  it('answers 429 past a principal’s events in the window', async () => {
    const h = await startHarness({
      limits: { rateLimit: { requests: 100, events: 10, windowSeconds: 60 } },
    });
    try {
      expect((await h.post({ query: RECORD, variables: { events: events(6) } })).status).toBe(200);
      const over = await h.post({ query: RECORD, variables: { events: events(6) } });
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(over.json.errors[0]).toMatchObject({
        message: expect.stringMatching(/10 events per 60 s/),
        extensions: { code: 'RATE_LIMITED' },
      });
      expect((await h.post({ query: RECORD, variables: { events: events(4) } })).status).toBe(200);
    } finally {
      await h.stop();
    }
  });

  it('stops a request that runs out of time with TIMEOUT', async () => {
    const h = await startHarness({ limits: { requestTimeoutMs: 300 } });
    try {
      h.answer.current = () => ({
        json: { data: { device: { serial: 'PRN-1' } } },
        delayMs: 2_000,
      });
      const started = Date.now();
      const response = await h.post({ query: DEVICE });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(response.status).toBe(504);
      expect(response.json.errors[0].extensions.code).toBe('TIMEOUT');
    } finally {
      await h.stop();
    }
  });
});

describe('gateway errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ limits: { maxBodyBytes: 4096, maxTokens: 200 } });
  });
  afterAll(() => h.stop());
  afterEach(() => {
    h.answer.current = defaultAnswer;
  });

  const expectJsonError = (
    response: { status: number; headers: Headers; json: Body; text: string },
    status: number,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/json/);
    expect(response.json.errors[0].message).toEqual(expect.any(String));
    expect(response.text).not.toMatch(/<html|node_modules|at .*\(|\/work\//i);
  };

  it('answers syntax errors, token limits and unknown operation names with 400', async () => {
    const syntax = await h.post({ query: '{ device(' });
    expectJsonError(syntax, 400);
    expect(syntax.json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const tokens = `{ ${Array.from({ length: 250 }, () => '__typename').join(' ')} }`;
    const limited = await h.post({ query: tokens });
    expectJsonError(limited, 400);
    expect(limited.json.errors[0].message).toMatch(/contains more tha[nt] 200 tokens/);
    const unknown = await h.post({ query: 'query A { __typename }', operationName: 'B' });
    expectJsonError(unknown, 400);
    expect(unknown.json.errors[0]).toMatchObject({
      message: 'Unknown operation named "B".',
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
    });
    const ambiguous = await h.post({ query: 'query A { __typename } query B { __typename }' });
    expectJsonError(ambiguous, 400);
  });

  it('answers bodies it cannot read with JSON errors: malformed, too large, encoded, not UTF-8', async () => {
    expectJsonError(await h.post('{"query": '), 400);
    expectJsonError(
      await h.post(JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(5000) })),
      413,
    );
    expectJsonError(
      await h.post('{"query":"{ __typename }"}', SERVICE_KEY, { 'content-encoding': 'compress' }),
      415,
    );
    expectJsonError(
      await h.post('{"query":"{ __typename }"}', SERVICE_KEY, {
        'content-type': 'application/json; charset=latin1',
      }),
      415,
    );
    const notUtf8 = Buffer.concat([
      Buffer.from('{"query":"{ __typename }","x":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expectJsonError(await h.post(notUtf8), 400);
    // A gzipped body is read like any other.
    const gz = await h.post(gzipSync(Buffer.from('{"query":"{ __typename }"}')), SERVICE_KEY, {
      'content-encoding': 'gzip',
    });
    expect(gz.json).toEqual({ data: { __typename: 'Query' } });
    const missing = await fetch(h.url.replace('/graphql', '/nowhere'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('masks a subgraph that fails or cannot be reached as UNAVAILABLE, with no address', async () => {
    h.answer.current = () => ({ status: 502, raw: '<html>Bad gateway at 10.0.0.7:4001</html>' });
    const failing = await h.post({ query: DEVICE });
    expect(failing.json.errors[0]).toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
    expect(failing.text).not.toMatch(/127\.0\.0\.1|10\.0\.0\.7|http:|serviceName|products/);
    h.answer.current = () => ({
      status: 500,
      json: {
        errors: [
          {
            message: 'Neo4j at bolt://127.0.0.1:7687 refused',
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
        ],
      },
    });
    const broken = await h.post({ query: DEVICE });
    expect(broken.text).not.toMatch(/bolt|127\.0\.0\.1/);
  });

  it('passes on what a subgraph says about the request, such as a value its scalar rejects', async () => {
    h.answer.current = () => ({
      status: 400,
      json: {
        errors: [
          {
            message:
              'Variable "$events" got invalid value 0 at "events[0].occurredAt"; DateTime must be a string',
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      },
    });
    const response = await h.post({
      query: RECORD,
      variables: { events: [{ eventId: 'e1', occurredAt: 0, installation: { serial: 'PRN-1' } }] },
    });
    expect(response.json.errors[0]).toEqual({
      message: expect.stringMatching(/DateTime must be a string/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(JSON.stringify(response.json)).not.toMatch(/INTERNAL_SERVER_ERROR|serviceName/);
  });

  it('hides "Did you mean" for fields and enum values from partners, not from services', async () => {
    const field = '{ device(serial: "PRN-1") { seria } }';
    const partner = await h.post({ query: field }, CLOUD_KEY);
    expect(partner.status).toBe(400);
    expect(partner.json.errors[0].message).toBe('Cannot query field "seria" on type "Device".');
    const service = await h.post({ query: field });
    expect(service.json.errors[0].message).toMatch(/Did you mean "serial"/);
    const enumValue = '{ customerByIdentifier(namespace: EMAL, value: "a@b.c") { id } }';
    const hidden = await h.post({ query: enumValue }, CLOUD_KEY);
    expect(hidden.json.errors[0].message).not.toMatch(/Did you mean/);
    const shown = await h.post({ query: enumValue });
    expect(shown.json.errors[0].message).toMatch(/Did you mean the enum value "EMAIL"/);
  });
});

describe('gateway request size', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  /** `{ __typename }` (answered by the gateway itself), padded to exactly `bytes` bytes. */
  const ofSize = (bytes: number) => {
    const bare = JSON.stringify({ query: '{ __typename }', extensions: { pad: '' } });
    const body = JSON.stringify({
      query: '{ __typename }',
      extensions: { pad: 'x'.repeat(bytes - bare.length) },
    });
    expect(body.length).toBe(bytes);
    return body;
  };

  it('reads a body of MAX_REQUEST_BYTES by default: a batch at the intake caps fits', async () => {
    expect(h.config.gateway.limits.maxBodyBytes).toBe(MAX_REQUEST_BYTES);
    const response = await h.post(ofSize(MAX_REQUEST_BYTES));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a larger body with 413 PAYLOAD_TOO_LARGE in JSON, naming both sizes', async () => {
    const bytes = Math.round(15.2 * 1024 * 1024);
    const response = await h.post(ofSize(bytes));
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(response.json).toEqual({
      errors: [
        {
          message: 'The request body is 15.2 MB; at most 13.5 MB is accepted',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_REQUEST_BYTES, bytes },
        },
      ],
    });
  });

  it('counts a compressed body once inflated', async () => {
    const response = await h.post(
      gzipSync(Buffer.from(ofSize(MAX_REQUEST_BYTES + 1))),
      SERVICE_KEY,
      { 'content-encoding': 'gzip' },
    );
    expect(response.status).toBe(413);
    expect(response.json.errors[0]).toEqual({
      message: 'The request body is more than 13.5 MB; at most 13.5 MB is accepted',
      extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_REQUEST_BYTES },
    });
  });
});

describe('gateway whose subgraph is down', () => {
  it('answers UNAVAILABLE without the address it tried', async () => {
    const h = await startHarness();
    try {
      // Point every subgraph at a port nothing listens on.
      const closed = await listen(express(), '127.0.0.1', 0);
      await closed.close();
      const config = {
        ...h.config.gateway,
        subgraphUrls: {
          products: `${closed.url}/graphql`,
          customers: `${closed.url}/graphql`,
          campaigns: `${closed.url}/graphql`,
        },
      };
      const { app, apollo } = await createGateway({ config, signing: h.config.signing, logger });
      const server = await listen(app, '127.0.0.1', 0);
      try {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
          body: JSON.stringify({ query: DEVICE }),
        });
        const text = await response.text();
        expect(JSON.parse(text).errors[0]).toEqual({
          message: 'A service behind the gateway is unavailable; try again later',
          extensions: { code: 'UNAVAILABLE' },
        });
        expect(text).not.toMatch(/127\.0\.0\.1|http:|ECONNREFUSED/);
      } finally {
        await apollo.stop();
        await server.close();
      }
    } finally {
      await h.stop();
    }
  });
});

describe('gateway in production', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ production: true });
  });
  afterAll(() => h.stop());

  it('answers introspection to services only', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await h.post({ query })).json).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
    const partner = await h.post({ query }, CLOUD_KEY);
    expect(partner.status).toBe(403);
    expect(partner.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const typeQuery = await h.post(
      { query: '{ ...F } fragment F on Query { __type(name: "Device") { name } }' },
      CLOUD_KEY,
    );
    expect(typeQuery.status).toBe(403);
  });

  it('serves no landing page', async () => {
    const response = await fetch(h.url, {
      headers: { accept: 'text/html', authorization: `Bearer ${SERVICE_KEY}` },
    });
    expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
  });
});

describe('gateway authorization', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('refuses a root field or a field the principal may not use with 403, naming it', async () => {
    const response = await h.post({ query: DEVICE }, AD_KEY);
    expect(response.status).toBe(403);
    expect(response.json.errors[0]).toMatchObject({
      message: expect.stringMatching(/may not use device/),
      extensions: { code: 'FORBIDDEN', coordinate: 'Query.device' },
    });
    const field = await h.post(
      { query: '{ device(serial: "PRN-1") { lifecycleWorkflowId } }' },
      CLOUD_KEY,
    );
    expect(field.status).toBe(403);
    expect(field.json.errors[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      coordinate: 'Device.lifecycleWorkflowId',
    });
    expect(field.text).not.toContain(CLOUD_KEY);
  });
});

describe('GraphQL over HTTP audit through the gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('passes every MUST, and every SHOULD but the 200-on-error ones of plain application/json', async () => {
    const fetchFn = (input: string | URL | Request, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${SERVICE_KEY}`);
      return fetch(input, { ...init, headers });
    };
    const results = await Promise.all(
      serverAudits({ url: h.url, fetchFn }).map((audit) => audit.fn()),
    );
    const failed = results
      .filter((r) => r.status !== 'ok')
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    const mustFailed = failed.filter((line) => line.startsWith('MUST'));
    expect(mustFailed).toEqual([]);
    // The spec lets legacy application/json clients get 200 for a request that never ran; the
    // gateway answers every parse, validation and coercion failure with 400 whatever the client
    // accepts, so that no client, monitor or balancer mistakes a refused request for a success.
    expect(failed.filter((line) => line.startsWith('SHOULD')).map((l) => l.split(':')[0])).toEqual([
      'SHOULD use 200 status code on document parsing failure when accepting application/json',
      'SHOULD use 200 status code on document validation failure when accepting application/json',
      'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
    ]);
  });
});
