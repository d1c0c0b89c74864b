import { deviceLifecycleWorkflowId } from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

const RECORD = `mutation ($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { accepted duplicates rejected results { index eventId status outcome error { code path message } } }
}`;

type Batch = {
  recordEvents: {
    accepted: number;
    duplicates: number;
    rejected: number;
    results: Array<{
      index: number;
      eventId: string;
      status: string;
      outcome: string | null;
      error: { code: string; path: string; message: string } | null;
    }>;
  };
};

describe('event intake through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('intake');
  const ids = {
    customer: `${run}-cust`,
    sku: `${run}-sku`,
    serial: `${run}-serial`,
    campaign: `${run}-camp`,
  };
  const at = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($c: RegisterCustomerInput!, $m: RegisterProductModelInput!, $d: RegisterDeviceInput!, $k: CreateCampaignInput!) {
        registerCustomer(input: $c) { id } registerProductModel(input: $m) { sku } registerDevice(input: $d) { serial }
        createCampaign(input: $k) { id }
      }`,
      {
        c: { id: ids.customer, displayName: 'Walk-in' },
        m: { sku: ids.sku, name: 'Model' },
        d: { serial: ids.serial, sku: ids.sku },
        k: {
          id: ids.campaign,
          name: 'Campaign',
          channel: 'EMAIL',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
      },
    );
  });

  afterAll(async () => {
    await system.client.workflow
      .getHandle(deviceLifecycleWorkflowId(ids.serial))
      .terminate('test over')
      .catch(() => undefined);
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId', 'readingId'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  it('refuses an oversized batch whole, naming the limit', async () => {
    const events = Array.from({ length: 501 }, (_, i) => ({
      eventId: `${run}-big-${i}`,
      occurredAt: at,
      installation: { serial: ids.serial },
    }));
    const response = await system.request(RECORD, { events });
    expect(response.errors?.[0]).toMatchObject({
      message: 'events: at most 500 events per batch, got 501',
      extensions: { code: 'BAD_USER_INPUT', field: 'events' },
    });
    const written = await system.graph.read(
      'MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $prefix RETURN t',
      { prefix: `${run}-big-` },
    );
    expect(written).toEqual([]);
  });

  it('answers every event of a mixed batch on its own; a bad one never blocks the good ones', async () => {
    const walkIn = {
      eventId: `${run}-walk-in`,
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
    const { recordEvents } = await system.data<Batch>(RECORD, {
      events: [
        { eventId: `${run}-no-payload`, occurredAt: at },
        walkIn,
        {
          eventId: `${run}-unknown-campaign`,
          occurredAt: at,
          adClick: { customerId: ids.customer, campaignId: 'no-such-campaign' },
        },
        {
          eventId: `${run}-future-reading`,
          occurredAt: at,
          telemetry: {
            serial: ids.serial,
            readings: [
              {
                readingId: `${run}-r1`,
                at: new Date(Date.now() + 3600_000).toISOString(),
                pagesPrinted: 1,
                errors: 0,
                paperJams: 0,
                inkLevel: 50,
              },
            ],
          },
        },
        {
          eventId: `${run}-bad-store`,
          occurredAt: at,
          purchase: { ...walkIn.purchase, storeId: 'no-such-store' },
        },
        { eventId: `${run}-installed`, occurredAt: at, installation: { serial: ids.serial } },
      ],
    });
    expect(recordEvents.accepted).toBe(2);
    expect(recordEvents.rejected).toBe(4);
    expect(
      recordEvents.results.map((r) => [
        r.index,
        r.status,
        r.error?.code ?? null,
        r.error?.path ?? null,
      ]),
    ).toEqual([
      [0, 'REJECTED', 'INVALID', 'events[0]'],
      [1, 'ACCEPTED', null, null],
      [2, 'REJECTED', 'UNKNOWN_REFERENCE', 'events[2].adClick.campaignId'],
      [3, 'REJECTED', 'INVALID', 'events[3].telemetry.readings[0].at'],
      // Judged after the walk-in sale in the same batch: the device is sold now.
      [4, 'REJECTED', 'CONFLICT', 'events[4].purchase.serial'],
      [5, 'ACCEPTED', null, null],
    ]);
    // The installation right behind the sale is the buyer's touchpoint at once.
    const { customer } = await system.data<{ customer: { timeline: Array<{ type: string }> } }>(
      `query ($id: ID!) { customer(id: $id) { timeline { type } } }`,
      { id: ids.customer },
    );
    expect(customer.timeline.map((t) => t.type).sort()).toEqual(['INSTALLATION', 'PURCHASE']);

    // A walk-in sale without any earlier touch is accepted and attributed to no campaign.
    const { campaign } = await system.data<{ campaign: { conversions: number } }>(
      `query ($id: ID!) { campaign(id: $id) { conversions } }`,
      { id: ids.campaign },
    );
    expect(campaign.conversions).toBe(0);

    // Sending it again changes nothing; reusing its id for something else is refused.
    const again = await system.data<Batch>(RECORD, {
      events: [walkIn, { ...walkIn, purchase: { ...walkIn.purchase, amount: 1 } }],
    });
    expect(again.recordEvents.results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['DUPLICATE', null],
      ['REJECTED', 'CONFLICT'],
    ]);
  });

  it('never starts again a device lifecycle that ended: a delivery after the opt-out is a touchpoint only', async () => {
    const serial = `${run}-closed`;
    const orderId = `${run}-closed-order`;
    await system.data(
      `mutation ($d: RegisterDeviceInput!) { registerDevice(input: $d) { serial } }`,
      {
        d: { serial, sku: ids.sku },
      },
    );
    const sent = (name: string, event: Record<string, unknown>) => ({
      eventId: `${run}-closed-${name}`,
      occurredAt: at,
      ...event,
    });
    const first = await system.data<Batch>(RECORD, {
      events: [
        sent('sale', {
          purchase: {
            customerId: ids.customer,
            serial,
            orderId,
            amount: 99,
            currency: 'USD',
            promisedDeliveryAt: at,
          },
        }),
        sent('opt-out', { optOut: { customerId: ids.customer, serial } }),
      ],
    });
    expect(first.recordEvents.results.map((r) => [r.status, r.outcome])).toEqual([
      ['ACCEPTED', 'SIGNALLED'],
      ['ACCEPTED', 'SIGNALLED'],
    ]);
    const handle = system.client.workflow.getHandle(deviceLifecycleWorkflowId(serial));
    const ended = await eventually(
      () => handle.describe(),
      (d) => d.status.name === 'COMPLETED',
      60_000,
    );
    await eventually(
      () =>
        system.graph.read<{ stage: string }>(
          'MATCH (d:Device {serial: $serial}) RETURN d.stage AS stage',
          { serial },
        ),
      (rows) => rows[0]?.stage === 'OPTED_OUT',
      60_000,
    );
    const late = await system.data<Batch>(RECORD, {
      events: [
        sent('shipped', { shipmentUpdate: { orderId, carrier: 'Carrier', status: 'In transit' } }),
        sent('delivered', { delivery: { orderId, inFull: true } }),
      ],
    });
    expect(late.recordEvents.results.map((r) => [r.status, r.outcome])).toEqual([
      ['ACCEPTED', 'LIFECYCLE_ENDED'],
      ['ACCEPTED', 'LIFECYCLE_ENDED'],
    ]);
    // Still the one run that ended, and nothing owed that could start another.
    const now = await handle.describe();
    expect([now.runId, now.status.name]).toEqual([ended.runId, 'COMPLETED']);
    const [owed] = await system.graph.read<{ n: number }>(
      'MATCH (s:OwedSignal {workflowId: $id}) RETURN count(s) AS n',
      { id: deviceLifecycleWorkflowId(serial) },
    );
    expect(owed?.n).toBe(0);
  });
});
