import { searchAttributes } from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

/**
 * One operation through the gateway that needs all three subgraphs (customer from customers,
 * devices from products, campaigns from campaigns) and the state the lifecycle workflow wrote.
 */
const RECORD_EVENTS = `
mutation RecordEvents($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { accepted results { eventId status } }
}`;

const CUSTOMER_VIEW = `
query CustomerView($id: ID!) {
  customer(id: $id) {
    id
    displayName
    devices {
      serial
      stage
      stageChangedAt
      lifecycleWorkflowId
      owner { id displayName }
      model {
        sku
        name
        campaigns { id name channel journeyStage product { sku name } }
      }
    }
  }
}`;

const PARTNER_KEY = 'adplatform-test-key-0123456789';

describe('the federated graph through the gateway', () => {
  let system: TestSystem;
  const ids = {
    customer: uniqueKey('cust'),
    sku: uniqueKey('sku'),
    serial: uniqueKey('serial'),
    campaign: uniqueKey('camp'),
  };

  beforeAll(async () => {
    system = await startSystem({
      extraClients: [
        {
          id: 'adplatform',
          role: 'adPlatform',
          key: PARTNER_KEY,
          campaignIds: [],
          storeIds: [],
          skus: [],
        },
      ],
    });
  });

  afterAll(async () => {
    await system.graph.write(
      `MATCH (n) WHERE (n:Customer AND n.id = $customer) OR (n:ProductModel AND n.sku = $sku)
         OR (n:Device AND n.serial = $serial) OR (n:Campaign AND n.id = $campaign)
       OPTIONAL MATCH (n)<-[:CONTAINS]-(o:Order)
       OPTIONAL MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH n.serial
       DETACH DELETE n, o, t`,
      ids,
    );
    await system.stop();
  });

  it('answers one customer view from all three subgraphs and the lifecycle state', async () => {
    await system.data(
      `mutation Setup($customer: RegisterCustomerInput!, $model: RegisterProductModelInput!,
                      $device: RegisterDeviceInput!, $campaign: CreateCampaignInput!) {
        registerCustomer(input: $customer) { id }
        registerProductModel(input: $model) { sku }
        registerDevice(input: $device) { serial stage }
        createCampaign(input: $campaign) { id }
      }`,
      {
        customer: { id: ids.customer, displayName: 'Ana' },
        model: { sku: ids.sku, name: 'LJ-200 printer' },
        device: { serial: ids.serial, sku: ids.sku },
        campaign: {
          id: ids.campaign,
          name: 'LJ-200 social launch',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
      },
    );
    const purchasedAt = '2026-03-01T10:00:00.000Z';
    const shippedAt = '2026-03-02T08:30:00.000Z';
    const batch = await system.data<{
      recordEvents: { accepted: number; results: Array<{ eventId: string; status: string }> };
    }>(RECORD_EVENTS, {
      events: [
        {
          eventId: `${ids.serial}-purchase`,
          occurredAt: purchasedAt,
          purchase: {
            customerId: ids.customer,
            serial: ids.serial,
            orderId: `${ids.serial}-order`,
            amount: 199,
            currency: 'USD',
            promisedDeliveryAt: '2026-03-04T18:00:00.000Z',
          },
        },
        {
          eventId: `${ids.serial}-ship`,
          occurredAt: shippedAt,
          shipmentUpdate: {
            orderId: `${ids.serial}-order`,
            carrier: 'Parcel Co',
            status: 'In transit',
          },
        },
      ],
    });
    expect(batch.recordEvents).toEqual({
      accepted: 2,
      results: [
        { eventId: `${ids.serial}-purchase`, status: 'ACCEPTED' },
        { eventId: `${ids.serial}-ship`, status: 'ACCEPTED' },
      ],
    });

    type View = {
      customer: {
        devices: Array<{ stage: string | null }>;
      } | null;
    };
    const view = await eventually(
      () => system.data<View>(CUSTOMER_VIEW, { id: ids.customer }),
      (v) => v.customer?.devices[0]?.stage === 'DELIVERING',
    );
    expect(view).toEqual({
      customer: {
        id: ids.customer,
        displayName: 'Ana',
        devices: [
          {
            serial: ids.serial,
            stage: 'DELIVERING',
            stageChangedAt: shippedAt,
            lifecycleWorkflowId: `device:${ids.serial}`,
            owner: { id: ids.customer, displayName: 'Ana' },
            model: {
              sku: ids.sku,
              name: 'LJ-200 printer',
              campaigns: [
                {
                  id: ids.campaign,
                  name: 'LJ-200 social launch',
                  channel: 'SOCIAL_AD',
                  journeyStage: 'INTERESTED',
                  product: { sku: ids.sku, name: 'LJ-200 printer' },
                },
              ],
            },
          },
        ],
      },
    });

    // The lifecycle is findable in Temporal by its business keys.
    const handle = system.client.workflow.getHandle(`device:${ids.serial}`);
    const description = await eventually(
      () => handle.describe(),
      (d) => d.typedSearchAttributes.get(searchAttributes.stage) === 'DELIVERING',
    );
    expect(description.typedSearchAttributes.get(searchAttributes.serial)).toBe(ids.serial);
    expect(description.typedSearchAttributes.get(searchAttributes.customerId)).toBe(ids.customer);
  });

  it('rejects bad input with the path of the bad field and writes nothing', async () => {
    const unknownModel = await system.request(
      `mutation { registerDevice(input: { serial: "${uniqueKey('s')}", sku: "no-such-sku" }) { serial } }`,
    );
    expect(unknownModel.errors?.[0]?.message).toBe('No product model has sku no-such-sku');
    expect(unknownModel.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.sku',
    });

    const future = new Date(Date.now() + 24 * 3600_000).toISOString();
    const rejected = await system.data<{
      recordEvents: { rejected: number; results: Array<{ status: string; error: unknown }> };
    }>(
      `mutation Events($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { rejected results { status error { code path message } } }
      }`,
      {
        events: [
          { eventId: uniqueKey('e'), occurredAt: future, installation: { serial: ids.serial } },
          {
            eventId: uniqueKey('e'),
            occurredAt: '2026-01-01T00:00:00Z',
            installation: { serial: 'no-such-serial' },
          },
        ],
      },
    );
    expect(rejected.recordEvents).toEqual({
      rejected: 2,
      results: [
        {
          status: 'REJECTED',
          error: {
            code: 'INVALID',
            path: 'events[0].occurredAt',
            message: 'occurredAt: must not be in the future',
          },
        },
        {
          status: 'REJECTED',
          error: {
            code: 'UNKNOWN_REFERENCE',
            path: 'events[1].installation.serial',
            message: 'No device has serial no-such-serial',
          },
        },
      ],
    });

    const badSerial = `bad serial ${uniqueKey('x')}`;
    const malformed = await system.request(
      `mutation { registerDevice(input: { serial: "${badSerial}", sku: "${ids.sku}" }) { serial } }`,
    );
    expect(malformed.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.serial',
    });
    const written = await system.graph.read('MATCH (d:Device {serial: $serial}) RETURN d', {
      serial: badSerial,
    });
    expect(written).toEqual([]);
  });

  it('refuses operations deeper than the configured limit', async () => {
    const deep = await system.request(
      `{ customer(id: "x") { devices { model { devices { model { devices { model { devices { model { devices { model { devices { serial } } } } } } } } } } } } }`,
    );
    expect(deep.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('admits only clients with a valid key, each to the operations of its rights', async () => {
    const anonymous = await system.request('{ __typename }', {}, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const wrongKey = await system.request('{ __typename }', {}, 'not-a-key-of-anyone-at-all');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.errors?.[0]?.message).toBe('The API key is not valid');

    // The ad platform may send its ad events, and nothing else.
    const events = await system.request(
      `mutation ($events: [LifecycleEventInput!]!) { recordEvents(events: $events) { rejected } }`,
      {
        events: [
          {
            eventId: uniqueKey('e'),
            occurredAt: '2026-01-01T00:00:00Z',
            installation: { serial: 'none' },
          },
        ],
      },
      PARTNER_KEY,
    );
    expect(events.data).toEqual({ recordEvents: { rejected: 1 } });
    const refused = await system.request<{
      recordEvents: { results: Array<{ error: { code: string; path: string } }> };
    }>(
      `mutation ($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { results { error { code path } } } }`,
      {
        events: [
          {
            eventId: uniqueKey('e'),
            occurredAt: '2026-01-01T00:00:00Z',
            installation: { serial: 'none' },
          },
        ],
      },
      PARTNER_KEY,
    );
    expect(refused.data?.recordEvents.results[0]?.error).toEqual({
      code: 'FORBIDDEN',
      path: 'events[0].installation',
    });
    const register = await system.request(
      `mutation { registerCustomer(input: { id: "${uniqueKey('c')}", displayName: "X" }) { id } }`,
      {},
      PARTNER_KEY,
    );
    expect(register.status).toBe(403);
    expect(register.errors?.[0]).toMatchObject({
      message: 'Partner adplatform (adPlatform) may not use registerCustomer',
      extensions: { code: 'FORBIDDEN', coordinate: 'Mutation.registerCustomer' },
    });
    const read = await system.request(`{ device(serial: "none") { serial } }`, {}, PARTNER_KEY);
    expect(read.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      coordinate: 'Query.device',
    });
  });
});
