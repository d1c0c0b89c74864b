/**
 * Authentication and authorization at the gateway of the whole system: API keys and signed
 * tokens become principals, the subgraphs accept the gateway's signature for each of them, the
 * rights table refuses what a principal may not use, and a value a subgraph's scalar rejects is
 * the client's error.
 */
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

describe('the gateway in front of the real subgraphs', () => {
  let system: TestSystem;
  const run = uniqueKey('gwauth');
  const customerId = `${run}-ana`;

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }`,
      { input: { id: customerId, displayName: 'Ana' } },
    );
  });

  afterAll(async () => {
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'eventId'] WHERE n[key] IS :: STRING AND n[key] STARTS WITH $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  it('refuses a request without a credential or with an unknown one', async () => {
    const missing = await system.request('{ __typename }', {}, null);
    expect(missing.status).toBe(401);
    expect(missing.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const unknown = await system.request('{ __typename }', {}, 'an-unregistered-key-0123456789');
    expect(unknown.status).toBe(401);
  });

  it('lets a person read themselves through a subgraph that checks the signature', async () => {
    const token = await system.personToken(customerId);
    const own = await system.request<{ customer: { id: string } | null }>(
      `query ($id: ID!) { customer(id: $id) { id } }`,
      { id: customerId },
      token,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data?.customer).toEqual({ id: customerId });
  });

  it('refuses root fields and fields outside a principal’s rights with 403', async () => {
    const person = await system.personToken(customerId);
    const queue = await system.request('{ interventions { id } }', {}, person);
    expect(queue.status).toBe(403);
    expect(queue.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      coordinate: 'Query.interventions',
    });
    const marketer = await system.staffToken(`${run}-e1`, ['marketer']);
    const profile = await system.request(
      `query ($id: ID!) { customer(id: $id) { id } }`,
      { id: customerId },
      marketer,
    );
    expect(profile.status).toBe(403);
    expect(profile.errors?.[0]?.message).toMatch(/may not use customer/);
    const ads = await system.request(
      `query ($id: ID!) { customer(id: $id) { id } }`,
      { id: customerId },
      system.keyOf('demo-ad-platform'),
    );
    expect(ads.status).toBe(403);
  });

  it('refuses a staff token whose roles the gateway does not know', async () => {
    const token = await system.staffToken(`${run}-e2`, ['wizard']);
    const response = await system.request('{ __typename }', {}, token);
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.message).toMatch(/no role/);
  });

  it('answers a date-time the scalar rejects as BAD_USER_INPUT', async () => {
    const response = await system.request(
      `mutation ($events: [LifecycleEventInput!]!) { recordEvents(events: $events) { accepted } }`,
      { events: [{ eventId: `${run}-ev`, occurredAt: 0, installation: { serial: `${run}-x` } }] },
    );
    expect(response.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response)).not.toMatch(/INTERNAL_SERVER_ERROR|127\.0\.0\.1|serviceName/);
  });
});
