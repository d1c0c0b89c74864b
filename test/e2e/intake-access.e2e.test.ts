import { erasureIdOf } from '@experience-graph/erasure-keys';
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

const RECORD = `mutation ($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { accepted duplicates rejected results { index eventId status error { code path message } } }
}`;

interface Result {
  index: number;
  eventId: string;
  status: string;
  error: { code: string; path: string; message: string } | null;
}
type Batch = { recordEvents: { results: Result[] } };

/** The attacks of the access model, sent by partners through the gateway with their own keys. */
describe('the event intake within each sender’s rights', () => {
  let system: TestSystem;
  const run = uniqueKey('intake-access');
  const ids = {
    ana: `${run}-ana`,
    ben: `${run}-ben`,
    optedOut: `${run}-opted`,
    erased: `${run}-erased`,
    sku: `${run}-sku`,
    serial: `${run}-serial`,
    campaign: `${run}-camp`,
    otherCampaign: `${run}-camp-2`,
  };
  const anaEmail = `ana.${run}@example.com`.toLowerCase();
  const benEmail = `ben.${run}@example.com`.toLowerCase();
  const at = new Date(Date.now() - 60_000).toISOString();
  const client = (id: string, campaignIds: string[]) => ({
    id,
    role: 'adPlatform' as const,
    key: `${id}-key-for-the-access-test-${run}`,
    campaignIds,
    storeIds: [],
    skus: [],
  });
  const adA = client(`ads-a-${run}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'), [ids.campaign]);
  const adB = client(`ads-b-${run}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'), [ids.campaign]);

  const send = async (key: string, events: Array<Record<string, unknown>>) => {
    const response = await system.request<Batch>(RECORD, { events }, key);
    if (!response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data.recordEvents.results;
  };
  const count = async (cypher: string, params: Record<string, unknown>) =>
    (await system.graph.read<{ n: number }>(cypher, params))[0]?.n;

  beforeAll(async () => {
    system = await startSystem({ extraClients: [adA, adB] });
    await system.data(
      `mutation ($m: RegisterProductModelInput!, $d: RegisterDeviceInput!, $k: CreateCampaignInput!, $k2: CreateCampaignInput!) {
        registerProductModel(input: $m) { sku } registerDevice(input: $d) { serial }
        createCampaign(input: $k) { id } other: createCampaign(input: $k2) { id }
      }`,
      {
        m: { sku: ids.sku, name: 'Model' },
        d: { serial: ids.serial, sku: ids.sku },
        k: {
          id: ids.campaign,
          name: 'Campaign',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
        k2: {
          id: ids.otherCampaign,
          name: 'Another',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
      },
    );
    for (const id of [ids.ana, ids.ben, ids.optedOut, ids.erased]) {
      await system.data(
        `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
        {
          c: { id, displayName: id },
        },
      );
    }
    // The maker's own service links e-mails and records an opt-out: every right.
    await system.recordAccepted([
      {
        eventId: `${run}-ana-email`,
        occurredAt: at,
        identify: { customerId: ids.ana },
        identifiers: [{ namespace: 'EMAIL', value: anaEmail }],
      },
      {
        eventId: `${run}-ben-email`,
        occurredAt: at,
        identify: { customerId: ids.ben },
        identifiers: [{ namespace: 'EMAIL', value: benEmail }],
      },
      {
        eventId: `${run}-opt-out`,
        occurredAt: at,
        optOut: { customerId: ids.optedOut, sku: ids.sku },
      },
    ]);
    await system.data(
      `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { id } }`,
      { input: { customerId: ids.erased, reason: 'CUSTOMER_REQUEST' } },
    );
  });

  afterAll(async () => {
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId', 'key'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.graph.write(
      `MATCH (e:Erasure {id: $erasureId}) OPTIONAL MATCH (e)-[:ERASED]->(k:ErasedKey) DETACH DELETE e, k`,
      { erasureId: erasureIdOf(system.config.erasure.salt, ids.erased) },
    );
    await system.stop();
  });

  it('refuses an ad platform purchases, telemetry, opt-outs and sign-ups, storing nothing', async () => {
    const events = [
      {
        eventId: `${run}-x-purchase`,
        occurredAt: at,
        purchase: {
          customerId: ids.ana,
          serial: ids.serial,
          orderId: `${run}-x-order`,
          amount: 1,
          currency: 'USD',
          promisedDeliveryAt: at,
        },
      },
      {
        eventId: `${run}-x-telemetry`,
        occurredAt: at,
        telemetry: {
          serial: ids.serial,
          readings: [
            { readingId: `${run}-x-r1`, at, pagesPrinted: 1, errors: 9, paperJams: 9, inkLevel: 1 },
          ],
        },
      },
      {
        eventId: `${run}-x-opt-out`,
        occurredAt: at,
        optOut: { customerId: ids.ana, sku: ids.sku },
      },
      {
        eventId: `${run}-x-identify`,
        occurredAt: at,
        identify: {},
        identifiers: [{ namespace: 'EMAIL', value: `new.${run}@example.com` }],
      },
      {
        eventId: `${run}-x-campaign`,
        occurredAt: at,
        adClick: { customerId: ids.ana, campaignId: ids.otherCampaign },
      },
    ];
    const results = await send(adA.key, events);
    expect(results.map((r) => [r.status, r.error?.code, r.error?.path])).toEqual([
      ['REJECTED', 'FORBIDDEN', 'events[0].purchase'],
      ['REJECTED', 'FORBIDDEN', 'events[1].telemetry'],
      ['REJECTED', 'FORBIDDEN', 'events[2].optOut'],
      ['REJECTED', 'FORBIDDEN', 'events[3].identify'],
      ['REJECTED', 'FORBIDDEN', 'events[4].adClick.campaignId'],
    ]);
    expect(
      await count(
        `RETURN COUNT { (t:Touchpoint) WHERE t.eventId STARTS WITH $prefix } +
                COUNT { (:Order {id: $order}) } + COUNT { (:TelemetryReading {readingId: $reading}) } +
                COUNT { (i:Identifier) WHERE i.value CONTAINS 'new.' AND i.value CONTAINS $run } AS n`,
        {
          prefix: `${run}-x-`,
          order: `${run}-x-order`,
          reading: `${run}-x-r1`,
          run: run.toLowerCase(),
        },
      ),
    ).toBe(0);
    const [ana] = await system.graph.read<{ optedOut: string[] | null }>(
      'MATCH (c:Customer {id: $id}) RETURN c.optedOutSkus AS optedOut',
      { id: ids.ana },
    );
    expect(ana?.optedOut ?? []).toEqual([]);
  });

  it("refuses an ad platform's identifiers that would merge two customers, merging no one", async () => {
    const results = await send(adA.key, [
      {
        eventId: `${run}-m-named`,
        occurredAt: at,
        adImpression: { customerId: ids.ana, campaignId: ids.campaign },
        identifiers: [{ namespace: 'EMAIL', value: benEmail }],
      },
      {
        eventId: `${run}-m-tied`,
        occurredAt: at,
        adImpression: { campaignId: ids.campaign },
        identifiers: [
          { namespace: 'EMAIL', value: anaEmail },
          { namespace: 'EMAIL', value: benEmail },
        ],
      },
      {
        eventId: `${run}-m-learn`,
        occurredAt: at,
        adImpression: { customerId: ids.ana, campaignId: ids.campaign },
        identifiers: [{ namespace: 'COOKIE', value: `${run}-cookie` }],
      },
    ]);
    expect(results.map((r) => [r.status, r.error?.code, r.error?.path])).toEqual([
      ['REJECTED', 'IDENTITY_FORBIDDEN', 'events[0].identifiers[0]'],
      ['REJECTED', 'IDENTITY_FORBIDDEN', 'events[1].identifiers[0]'],
      ['REJECTED', 'IDENTITY_FORBIDDEN', 'events[2].identifiers[0]'],
    ]);
    for (const r of results) expect(r.error?.message).not.toContain(ids.ben);
    expect(
      await count(
        'RETURN COUNT { (m:Merge) WHERE m.survivorId IN $people OR m.absorbedId IN $people } AS n',
        { people: [ids.ana, ids.ben] },
      ),
    ).toBe(0);
    expect(
      await count('MATCH (c:Customer) WHERE c.id IN $people RETURN count(c) AS n', {
        people: [ids.ana, ids.ben],
      }),
    ).toBe(2);
    expect(
      await count('RETURN COUNT { (:Identifier {key: $key}) } AS n', {
        key: `COOKIE:${run}-cookie`,
      }),
    ).toBe(0);
    // Naming a known person by a known identifier is always allowed.
    const named = await send(adA.key, [
      {
        eventId: `${run}-m-name`,
        occurredAt: at,
        adImpression: { campaignId: ids.campaign },
        identifiers: [{ namespace: 'EMAIL', value: anaEmail }],
      },
    ]);
    expect(named.map((r) => r.status)).toEqual(['ACCEPTED']);
  });

  it('tells a partner nothing about unknown, opted-out and erased people', async () => {
    const about = (customerId: string, tag: string) => ({
      eventId: `${run}-o-${tag}`,
      occurredAt: at,
      adClick: { customerId, campaignId: ids.campaign },
    });
    const events = [
      about(`${run}-nobody`, 'unknown'),
      about(ids.optedOut, 'opted'),
      about(ids.erased, 'erased'),
    ];
    const partner = await send(adA.key, events);
    expect(partner.map((r) => r.status)).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
    const answers = partner.map((r) => ({
      ...r.error,
      path: r.error?.path.replace(/^events\[\d+\]/, ''),
    }));
    expect(answers).toEqual([answers[0], answers[0], answers[0]]);
    expect(answers[0]).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: '.adClick.customerId',
      message: 'adClick.customerId: names no one this sender may send about',
    });
    // The maker's own service keeps the detailed answers.
    const service = await send(
      system.keyOf('local'),
      events.map((e) => ({ ...e, eventId: `${e.eventId}-service` })),
    );
    expect(service.map((r) => r.error?.code)).toEqual(['UNKNOWN_REFERENCE', 'OPTED_OUT', 'ERASED']);
    expect(
      await count('MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $prefix RETURN count(t) AS n', {
        prefix: `${run}-o-`,
      }),
    ).toBe(0);
  });

  it("keeps two partners' equal event ids apart: both accepted, each its own", async () => {
    const impression = {
      eventId: `${run}-same-id`,
      occurredAt: at,
      adImpression: { customerId: ids.ana, campaignId: ids.campaign },
    };
    const [a] = await send(adA.key, [impression]);
    const [b] = await send(adB.key, [impression]);
    expect([a?.status, b?.status]).toEqual(['ACCEPTED', 'ACCEPTED']);
    const touchpoints = await system.graph.read<{ recordedBy: string; key: string }>(
      `MATCH (:Customer {id: $ana})-[:HAD]->(t:Touchpoint {eventId: $eventId})
       RETURN t.recordedBy AS recordedBy, t.key AS key ORDER BY recordedBy`,
      { ana: ids.ana, eventId: impression.eventId },
    );
    expect(touchpoints).toEqual(
      [adA, adB].map((c) => ({
        recordedBy: `partner:${c.id}`,
        key: `partner:${c.id}:${impression.eventId}`,
      })),
    );
    // Each partner's resend is its own duplicate; reusing its own id for another event is its
    // own conflict, and says nothing of the other partner's event.
    const [again] = await send(adA.key, [impression]);
    expect(again?.status).toBe('DUPLICATE');
    const [reused] = await send(adB.key, [
      { ...impression, adImpression: { ...impression.adImpression, customerId: ids.ben } },
    ]);
    expect(reused?.error?.code).toBe('CONFLICT');
    const [fresh] = await send(system.keyOf('local'), [impression]);
    expect(fresh?.status).toBe('ACCEPTED');
  });
});
