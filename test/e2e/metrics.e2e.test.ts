import { parseSamples, sampleSum, scrape, type Sample } from '@experience-graph/metrics';
import { deviceLifecycleWorkflowId } from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

const RECORD = `mutation RecordEvents($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { results { status error { code } } }
}`;

type Batch = {
  recordEvents: { results: Array<{ status: string; error: { code: string } | null }> };
};

describe('metrics scraped from every service', () => {
  let system: TestSystem;
  const run = uniqueKey('metrics');
  const ids = { customer: `${run}-cust`, sku: `${run}-sku`, serial: `${run}-serial` };
  const at = new Date(Date.now() - 60_000).toISOString();
  const purchase = {
    eventId: `${run}-sale`,
    occurredAt: at,
    purchase: {
      customerId: ids.customer,
      serial: ids.serial,
      orderId: `${run}-order`,
      amount: 99,
      currency: 'USD',
      promisedDeliveryAt: at,
    },
  };
  const scrapeAll = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(system.metricsUrls).map(async ([s, url]) => [s, await scrape(url)] as const),
      ),
    ) as Record<keyof TestSystem['metricsUrls'], Sample[]>;

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($c: RegisterCustomerInput!, $m: RegisterProductModelInput!, $d: RegisterDeviceInput!) {
        registerCustomer(input: $c) { id } registerProductModel(input: $m) { sku } registerDevice(input: $d) { serial }
      }`,
      {
        c: { id: ids.customer, displayName: 'Metered' },
        m: { sku: ids.sku, name: 'Model' },
        d: { serial: ids.serial, sku: ids.sku },
      },
    );
  });

  afterAll(async () => {
    await system.client.workflow
      .getHandle(deviceLifecycleWorkflowId(ids.serial))
      .terminate('test over')
      .catch(() => undefined);
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId', 'orderId'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  it('counts requests, events, statements and deliveries, each where it happened', async () => {
    const before = await scrapeAll();
    expect(
      sampleSum(before.gateway, 'eg_graphql_requests_total', { operation: 'RecordEvents' }),
    ).toBe(0);

    // An accepted event and a rejected one, then the accepted one again: a duplicate.
    const first = await system.data<Batch>(RECORD, {
      events: [
        purchase,
        {
          eventId: `${run}-click`,
          occurredAt: at,
          adClick: { customerId: ids.customer, campaignId: `${run}-no-such-campaign` },
        },
      ],
    });
    expect(first.recordEvents.results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['ACCEPTED', null],
      ['REJECTED', 'UNKNOWN_REFERENCE'],
    ]);
    const again = await system.data<Batch>(RECORD, { events: [purchase] });
    expect(again.recordEvents.results[0]?.status).toBe('DUPLICATE');
    // A read, a partner refused it, and a request without a credential.
    await system.data(`query MetricsCustomer($id: ID!) { customer(id: $id) { id } }`, {
      id: ids.customer,
    });
    const refused = await system.request(
      `query PartnerPeek($id: ID!) { customer(id: $id) { id } }`,
      { id: ids.customer },
      system.keyOf('demo-carrier'),
    );
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect((await system.request('{ __typename }', {}, null)).status).toBe(401);

    // The relay delivers the sale's signal shortly after; the lane's backlog is then empty.
    const after = await eventually(
      async () => {
        const scraped = await scrapeAll();
        const lane = { lane: system.taskQueue };
        if (sampleSum(scraped.relay, 'eg_relay_events_delivered_total', lane) < 1) {
          throw new Error('the sale is not delivered yet');
        }
        if (sampleSum(scraped.relay, 'eg_relay_owed_signals', lane) !== 0) {
          throw new Error('signals are still owed on the lane');
        }
        if (sampleSum(scraped.worker, 'eg_neo4j_statement_duration_seconds_count') < 1) {
          throw new Error('the lifecycle has not written its state yet');
        }
        return scraped;
      },
      () => true,
      60_000,
    );

    const gateway = (labels: Record<string, string>) =>
      sampleSum(after.gateway, 'eg_graphql_requests_total', labels);
    expect(gateway({ operation: 'RecordEvents', principal: 'service:local', outcome: 'ok' })).toBe(
      2,
    );
    expect(
      gateway({ operation: 'MetricsCustomer', principal: 'service:local', outcome: 'ok' }),
    ).toBe(1);
    expect(
      gateway({
        operation: 'PartnerPeek',
        principal: 'partner:demo-carrier',
        outcome: 'FORBIDDEN',
      }),
    ).toBe(1);
    expect(
      sampleSum(after.gateway, 'eg_graphql_request_duration_seconds_count', {
        operation: 'RecordEvents',
      }),
    ).toBe(2);
    const http = (samples: Sample[], labels: Record<string, string>) =>
      sampleSum(samples, 'eg_http_requests_total', { route: '/graphql', ...labels });
    expect(http(after.gateway, { status: '401', principal: 'anonymous' })).toBe(1);
    expect(http(after.gateway, { principal: 'partner:demo-carrier' })).toBe(1);
    // The subgraph knows the principal from the gateway's signature.
    expect(http(after.products, { status: '200', principal: 'service:local' })).toBeGreaterThan(0);

    const events = (labels: Record<string, string>) =>
      sampleSum(after.products, 'eg_intake_events_total', {
        principal: 'service:local',
        ...labels,
      });
    expect(events({ kind: 'purchase', status: 'accepted', code: 'none' })).toBe(1);
    expect(events({ kind: 'purchase', status: 'duplicate', code: 'none' })).toBe(1);
    expect(events({ kind: 'adClick', status: 'rejected', code: 'UNKNOWN_REFERENCE' })).toBe(1);
    // The subgraph sees the gateway's fetches, for the principal the gateway vouched for.
    const fetches = after.products.filter(
      (s) =>
        s.name === 'eg_graphql_requests_total' &&
        s.labels['principal'] === 'service:local' &&
        s.labels['operation']?.startsWith('RecordEvents'),
    );
    expect(fetches.reduce((sum, s) => sum + s.value, 0)).toBe(2);

    // Statements: the intake's reads and its write transaction; the customer read.
    const statements = (samples: Sample[], labels: Record<string, string>) =>
      sampleSum(samples, 'eg_neo4j_statement_duration_seconds_count', labels);
    expect(statements(after.products, { mode: 'read' })).toBeGreaterThan(0);
    expect(statements(after.products, { mode: 'transaction', outcome: 'ok' })).toBeGreaterThan(0);
    expect(statements(after.customers, {})).toBeGreaterThan(0);
    expect(statements(after.relay, {})).toBeGreaterThan(0);
    expect(after.products.some((s) => s.name === 'eg_neo4j_statement_info')).toBe(true);

    const lane = { lane: system.taskQueue };
    expect(sampleSum(after.relay, 'eg_relay_delivery_lag_seconds_count', lane)).toBeGreaterThan(0);
    expect(sampleSum(after.relay, 'eg_relay_oldest_owed_age_seconds', lane)).toBe(0);
    expect(sampleSum(after.relay, 'eg_relay_backlog_read_failures_total', lane)).toBe(0);
    expect(sampleSum(after.relay, 'eg_relay_delivery_failures_total', lane)).toBe(0);
  });

  it('never serves the gateway metrics on its public port', async () => {
    const response = await fetch(system.gatewayUrl.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(404);
    const text = await (await fetch(system.metricsUrls.gateway)).text();
    expect(() => parseSamples(text)).not.toThrow();
    expect(text).toContain('eg_graphql_requests_total');
  });
});
