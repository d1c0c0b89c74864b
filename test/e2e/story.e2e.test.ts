/**
 * The acceptance story of DESIGN.md §2, steps 1–9 and 11, played through the gateway only on
 * the real servers. After every step it checks the graph through GraphQL and the lifecycle in
 * Temporal (stage and search attributes).
 */
import { degradingPrinterReadings } from '@experience-graph/device-health';
import {
  deviceLifecycleWorkflowId,
  journeyWorkflowId,
  searchAttributes,
} from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';
import { findPersonInTemporal } from '../support/temporal-payloads';

jest.setTimeout(180_000);

const run = uniqueKey('story');
const ids = {
  ana: `${run}-ana`,
  ben: `${run}-ben`,
  sku: `${run}-LJ-200`,
  serial: `${run}-PRN-0001`,
  campaign: `${run}-social`,
  store: `${run}-store`,
  offer: `${run}-offer`,
  order: `${run}-order`,
};
const anaName = `Ana ${run}`;
// A spot inside the store's geofence; these digits must never reach a workflow history.
// A spot of this run's own, so that no other store (the demo data's, another run's) shares the
// partner store's geofence.
const spot = (from: number) => Math.round((from + Math.random() * 10) * 1e6) / 1e6;
const nearStore = { latitude: spot(-35), longitude: spot(-170) };
const farAway = { latitude: 40.0, longitude: -3.7 };
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
let sequence = 0;

const eventId = (what: string) => `${run}-${(sequence += 1)}-${what}`;

describe('the Experience Graph story', () => {
  let system: TestSystem;
  const record = async (...events: Array<Record<string, unknown>>) => {
    const data = await system.data<{
      recordEvents: {
        results: Array<{
          status: string;
          error: { code: string; message: string; path: string } | null;
        }>;
      };
    }>(
      `mutation Record($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { results { status error { code message path } } }
      }`,
      { events },
    );
    return data.recordEvents.results;
  };
  const accept = async (...events: Array<Record<string, unknown>>) => {
    const results = await record(...events);
    expect(results).toEqual(events.map(() => ({ status: 'ACCEPTED', error: null })));
  };
  const attributes = async (workflowId: string, stage: string) =>
    eventually(
      () => system.client.workflow.getHandle(workflowId).describe(),
      (d) => d.typedSearchAttributes.get(searchAttributes.stage) === stage,
    );

  beforeAll(async () => {
    system = await startSystem({
      timers: { installHelpAfterMs: 3_000, confirmFixWithinMs: 3_000 },
    });
  });

  afterAll(async () => {
    for (const id of [
      deviceLifecycleWorkflowId(ids.serial),
      journeyWorkflowId(ids.ana, ids.sku),
      journeyWorkflowId(ids.ben, ids.sku),
    ]) {
      await system.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId', 'code', 'customerId']
                           WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       OPTIONAL MATCH (n)<-[:FROM]-(r:TelemetryReading)
       DETACH DELETE n, r`,
      { run },
    );
    await system.stop();
  });

  it('1–2. a printer model with a registered printer, and a social-ad campaign assigned to INTERESTED', async () => {
    const data = await system.data<Record<string, unknown>>(
      `mutation Setup($model: RegisterProductModelInput!, $device: RegisterDeviceInput!,
                      $campaign: CreateCampaignInput!, $ana: RegisterCustomerInput!, $ben: RegisterCustomerInput!,
                      $store: CreateStoreInput!, $offer: CreateOfferInput!) {
        registerProductModel(input: $model) { sku category }
        registerDevice(input: $device) { serial stage model { sku } }
        createCampaign(input: $campaign) { id journeyStage channel product { sku } }
        ana: registerCustomer(input: $ana) { id }
        ben: registerCustomer(input: $ben) { id }
        createStore(input: $store) { id }
        createOffer(input: $offer) { id amount active }
      }`,
      {
        model: { sku: ids.sku, name: 'LJ-200 inkjet printer', category: 'printer' },
        device: { serial: ids.serial, sku: ids.sku },
        campaign: {
          id: ids.campaign,
          name: 'LJ-200 social',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
        ana: { id: ids.ana, displayName: anaName },
        ben: { id: ids.ben, displayName: 'Ben' },
        store: { id: ids.store, name: 'Partner store', ...nearStore, radiusMeters: 300 },
        offer: {
          id: ids.offer,
          storeId: ids.store,
          productSku: ids.sku,
          amount: 50,
          currency: 'USD',
          validDays: 14,
        },
      },
    );
    expect(data).toEqual({
      registerProductModel: { sku: ids.sku, category: 'printer' },
      registerDevice: { serial: ids.serial, stage: null, model: { sku: ids.sku } },
      createCampaign: {
        id: ids.campaign,
        journeyStage: 'INTERESTED',
        channel: 'SOCIAL_AD',
        product: { sku: ids.sku },
      },
      ana: { id: ids.ana },
      ben: { id: ids.ben },
      createStore: { id: ids.store },
      createOffer: { id: ids.offer, amount: 50, active: true },
    });
    await system.data(
      `mutation Consent($a: SetConsentInput!, $b: SetConsentInput!, $c: SetConsentInput!) {
        a: setConsent(input: $a) { granted }
        b: setConsent(input: $b) { granted }
        c: setConsent(input: $c) { granted }
      }`,
      {
        a: { customerId: ids.ana, purpose: 'LOCATION_OFFERS', granted: true },
        c: { customerId: ids.ana, purpose: 'TELEMETRY_USE', granted: true },
        b: {
          customerId: ids.ana,
          purpose: 'MARKETING_CONTACT',
          granted: true,
          channels: ['PUSH', 'EMAIL'],
        },
      },
    );
  });

  it('3. Ana sees the ad (interested), clicks it (engaged); the click links her, the campaign and the product', async () => {
    await accept({
      eventId: eventId('impression'),
      occurredAt: minutes(-30),
      adImpression: { customerId: ids.ana, campaignId: ids.campaign },
    });
    const journeyId = journeyWorkflowId(ids.ana, ids.sku);
    await attributes(journeyId, 'INTERESTED');
    await accept({
      eventId: eventId('click'),
      occurredAt: minutes(-29),
      adClick: { customerId: ids.ana, campaignId: ids.campaign },
    });
    const description = await attributes(journeyId, 'ENGAGED');
    expect(description.typedSearchAttributes.get(searchAttributes.customerId)).toBe(ids.ana);
    expect(description.typedSearchAttributes.get(searchAttributes.campaignId)).toBe(ids.campaign);

    const view = await eventually(
      () =>
        system.data<{
          customer: {
            journeys: Array<{ stage: string; workflowId: string; product: { sku: string } }>;
            timeline: unknown[];
          };
        }>(
          `query ($id: ID!) { customer(id: $id) {
             journeys { stage workflowId product { sku } }
             timeline { type channel campaign { id name } product { sku name } }
          } }`,
          { id: ids.ana },
        ),
      (v) => v.customer.journeys[0]?.stage === 'ENGAGED',
    );
    expect(view.customer.journeys).toEqual([
      { stage: 'ENGAGED', workflowId: journeyId, product: { sku: ids.sku } },
    ]);
    expect(view.customer.timeline[0]).toEqual({
      type: 'AD_CLICK',
      channel: 'SOCIAL_AD',
      campaign: { id: ids.campaign, name: 'LJ-200 social' },
      product: { sku: ids.sku, name: 'LJ-200 inkjet printer' },
    });
  });

  it('4. engaged Ana near the partner store gets its $50 coupon; Ben, without location consent, does not', async () => {
    await accept(
      {
        eventId: eventId('ben-click'),
        occurredAt: minutes(-28),
        adClick: { customerId: ids.ben, campaignId: ids.campaign },
      },
      {
        eventId: eventId('ana-near'),
        occurredAt: minutes(-27),
        storeProximity: { customerId: ids.ana, sku: ids.sku, ...nearStore },
      },
      {
        eventId: eventId('ben-near'),
        occurredAt: minutes(-27),
        storeProximity: { customerId: ids.ben, sku: ids.sku, ...nearStore },
      },
    );
    type Coupons = {
      customer: {
        coupons: Array<{
          code: string;
          redeemedAt: string | null;
          offer: { amount: number; store: { id: string } };
        }>;
      };
    };
    const coupons = `query ($id: ID!) { customer(id: $id) { coupons { code redeemedAt offer { amount store { id } } } } }`;
    const ana = await eventually(
      () => system.data<Coupons>(coupons, { id: ids.ana }),
      (v) => v.customer.coupons.length === 1,
    );
    expect(ana.customer.coupons[0]).toMatchObject({
      redeemedAt: null,
      offer: { amount: 50, store: { id: ids.store } },
    });
    await attributes(journeyWorkflowId(ids.ben, ids.sku), 'ENGAGED');
    const benHistory = await system.client.workflow
      .getHandle(journeyWorkflowId(ids.ben, ids.sku))
      .fetchHistory();
    expect(JSON.stringify(benHistory)).toContain('considerProximityCoupon');
    expect((await system.data<Coupons>(coupons, { id: ids.ben })).customer.coupons).toEqual([]);

    const experience = `query ($id: ID!, $sku: ID!, $at: LocationInput) {
      journeyExperience(customerId: $id, sku: $sku, location: $at) { stage actions { id } offers { couponCode storeId amount currency } } }`;
    const near = await system.data<{
      journeyExperience: { offers: unknown[]; actions: unknown[]; stage: string };
    }>(experience, {
      id: ids.ana,
      sku: ids.sku,
      at: nearStore,
    });
    expect(near.journeyExperience).toEqual({
      stage: 'ENGAGED',
      actions: [{ id: 'LEARN_MORE' }, { id: 'TALK_TO_EXPERT' }],
      offers: [
        {
          couponCode: ana.customer.coupons[0]?.code,
          storeId: ids.store,
          amount: 50,
          currency: 'USD',
        },
      ],
    });
    const far = await system.data<{ journeyExperience: { offers: unknown[] } }>(experience, {
      id: ids.ana,
      sku: ids.sku,
      at: farAway,
    });
    expect(far.journeyExperience.offers).toEqual([]);
  });

  it('5. Ana buys PRN-0001 in the store with the coupon: attributed to the campaign, hers, PURCHASED', async () => {
    const { customer } = await system.data<{ customer: { coupons: Array<{ code: string }> } }>(
      `query ($id: ID!) { customer(id: $id) { coupons { code } } }`,
      { id: ids.ana },
    );
    const code = customer.coupons[0]?.code;
    await accept({
      eventId: eventId('purchase'),
      occurredAt: minutes(-20),
      purchase: {
        customerId: ids.ana,
        serial: ids.serial,
        orderId: ids.order,
        storeId: ids.store,
        couponCode: code,
        amount: 199,
        currency: 'USD',
        promisedDeliveryAt: minutes(24 * 60),
      },
    });
    const device = await attributes(deviceLifecycleWorkflowId(ids.serial), 'PURCHASED');
    expect(device.typedSearchAttributes.get(searchAttributes.serial)).toBe(ids.serial);
    expect(device.typedSearchAttributes.get(searchAttributes.customerId)).toBe(ids.ana);
    await attributes(journeyWorkflowId(ids.ana, ids.sku), 'PURCHASED');

    const view = await eventually(
      () =>
        system.data<{
          device: { stage: string; owner: { id: string } | null };
          campaign: { conversions: number };
          customer: { coupons: Array<{ redeemedAt: string | null }> };
        }>(
          `query ($serial: ID!, $campaign: ID!, $id: ID!) {
            device(serial: $serial) { stage owner { id } }
            campaign(id: $campaign) { conversions }
            customer(id: $id) { coupons { redeemedAt } }
          }`,
          { serial: ids.serial, campaign: ids.campaign, id: ids.ana },
        ),
      (v) => v.device.stage === 'PURCHASED' && v.device.owner !== null,
    );
    expect(view.device).toEqual({ stage: 'PURCHASED', owner: { id: ids.ana } });
    expect(view.campaign.conversions).toBe(1);
    expect(view.customer.coupons[0]?.redeemedAt).not.toBeNull();

    // The same coupon cannot be used twice, and the same printer cannot be sold twice.
    const again = await record({
      eventId: eventId('purchase-again'),
      occurredAt: minutes(-19),
      purchase: {
        customerId: ids.ana,
        serial: ids.serial,
        orderId: `${ids.order}-2`,
        amount: 1,
        currency: 'USD',
        promisedDeliveryAt: minutes(60),
      },
    });
    expect(again[0]?.error).toMatchObject({ code: 'CONFLICT', path: 'events[0].purchase.serial' });
  });

  it('6. waiting for delivery: where is my printer, training; delivered on time and in full', async () => {
    await accept({
      eventId: eventId('shipped'),
      occurredAt: minutes(-10),
      shipmentUpdate: {
        orderId: ids.order,
        carrier: 'Parcel Co',
        status: 'Out for delivery',
        expectedDeliveryAt: minutes(60),
      },
    });
    await attributes(deviceLifecycleWorkflowId(ids.serial), 'DELIVERING');
    const menu = await eventually(
      () =>
        system.data<{
          device: {
            stage: string;
            experience: { actions: Array<{ id: string; label: string; detail: string | null }> };
          };
        }>(
          `query ($serial: ID!) { device(serial: $serial) { stage experience { actions { id label detail } } } }`,
          { serial: ids.serial },
        ),
      (v) => v.device.stage === 'DELIVERING',
    );
    expect(menu.device.experience.actions.map((a) => a.id)).toEqual([
      'WHERE_IS_MY_DEVICE',
      'TRAINING',
      'TALK_TO_EXPERT',
    ]);
    expect(menu.device.experience.actions[0]).toMatchObject({ label: 'Where is my printer?' });
    expect(menu.device.experience.actions[0]?.detail).toMatch(
      /^Out for delivery; promised \d{4}-\d{2}-\d{2}; expected \d{4}-\d{2}-\d{2}$/,
    );

    await accept({
      eventId: eventId('delivered'),
      occurredAt: minutes(0),
      delivery: { orderId: ids.order, inFull: true },
    });
    const otif = await system.data<{
      device: { order: { onTime: boolean; inFull: boolean } };
      productModel: { deliveryPerformance: unknown };
      campaign: { deliveryPerformance: unknown };
    }>(
      `query ($serial: ID!, $sku: ID!, $campaign: ID!) {
        device(serial: $serial) { order { onTime inFull } }
        productModel(sku: $sku) { deliveryPerformance { orders delivered onTimeRate inFullRate otifRate } }
        campaign(id: $campaign) { deliveryPerformance { orders delivered otifRate } }
      }`,
      { serial: ids.serial, sku: ids.sku, campaign: ids.campaign },
    );
    expect(otif).toEqual({
      device: { order: { onTime: true, inFull: true } },
      productModel: {
        deliveryPerformance: { orders: 1, delivered: 1, onTimeRate: 1, inFullRate: 1, otifRate: 1 },
      },
      campaign: { deliveryPerformance: { orders: 1, delivered: 1, otifRate: 1 } },
    });
    const second = await record({
      eventId: eventId('delivered-again'),
      occurredAt: minutes(0),
      delivery: { orderId: ids.order, inFull: true },
    });
    expect(second[0]?.error).toMatchObject({
      code: 'CONFLICT',
      path: 'events[0].delivery.orderId',
    });
  });

  it('7. delivered: the menu switches to installation, and help comes when installation is late', async () => {
    await attributes(deviceLifecycleWorkflowId(ids.serial), 'INSTALLING');
    const query = `query ($serial: ID!) { device(serial: $serial) { stage experience { actions { id } } } }`;
    type Menu = { device: { stage: string; experience: { actions: Array<{ id: string }> } } };
    const helped = await eventually(
      () => system.data<Menu>(query, { serial: ids.serial }),
      (v) => v.device.experience.actions[0]?.id === 'INSTALLATION_HELP',
    );
    expect(helped.device.experience.actions.map((a) => a.id)).toEqual([
      'INSTALLATION_HELP',
      'CONNECT_WIFI',
      'CONFIGURE',
      'TALK_TO_EXPERT',
    ]);
    const timeline = await system.data<{
      customer: { timeline: Array<{ type: string; channel: string }> };
    }>(`query ($id: ID!) { customer(id: $id) { timeline { type channel } } }`, { id: ids.ana });
    expect(timeline.customer.timeline).toContainEqual({
      type: 'INSTALLATION_HELP_OFFERED',
      channel: 'PUSH',
    });
  });

  it('8. installed: stage SUPPORT with the support menu', async () => {
    await accept({
      eventId: eventId('installed'),
      occurredAt: minutes(1),
      installation: { serial: ids.serial },
    });
    await attributes(deviceLifecycleWorkflowId(ids.serial), 'SUPPORT');
    const menu = await eventually(
      () =>
        system.data<{ device: { stage: string; experience: { actions: Array<{ id: string }> } } }>(
          `query ($serial: ID!) { device(serial: $serial) { stage experience { actions { id } } } }`,
          { serial: ids.serial },
        ),
      (v) => v.device.stage === 'SUPPORT',
    );
    expect(menu.device.experience.actions.map((a) => a.id)).toEqual([
      'ORDER_INK',
      'REPORT_PROBLEM',
      'TALK_TO_EXPERT',
    ]);
  });

  it('9. the error rate rises: an intervention tells Ana the fix, ships a part, escalates, an expert resolves it', async () => {
    await accept({
      eventId: eventId('telemetry'),
      occurredAt: minutes(3),
      telemetry: {
        serial: ids.serial,
        readings: degradingPrinterReadings(`${ids.serial}-reading`, Date.now()),
      },
    });
    const deviceId = deviceLifecycleWorkflowId(ids.serial);
    const open = await eventually(
      () => system.client.workflow.getHandle(deviceId).describe(),
      (d) => d.typedSearchAttributes.get(searchAttributes.openIntervention) === true,
    );
    expect(open.typedSearchAttributes.get(searchAttributes.stage)).toBe('SUPPORT');
    type View = {
      device: {
        health: {
          level: string;
          reasons: string[];
          failureHorizonDays: number | null;
          inkLevel: number;
        };
        interventions: Array<{
          id: string;
          reason: string;
          status: string;
          notifiedVia: string | null;
          partShippedAt: string | null;
          outcome: string | null;
        }>;
        experience: { actions: Array<{ id: string; detail: string | null }> };
      };
    };
    const query = `query ($serial: ID!) { device(serial: $serial) {
      health { level reasons failureHorizonDays inkLevel }
      interventions { id reason status notifiedVia partShippedAt outcome }
      experience { actions { id detail } }
    } }`;
    const escalated = await eventually(
      () => system.data<View>(query, { serial: ids.serial }),
      (v) => v.device.interventions[0]?.status === 'ESCALATED',
    );
    expect(escalated.device.health.level).toBe('AT_RISK');
    expect(escalated.device.health.reasons[0]).toMatch(
      /^error rate rising: \d+\.\d% of pages over the last day/,
    );
    expect(escalated.device.health.failureHorizonDays).toBeGreaterThan(0);
    const [incident] = escalated.device.interventions;
    expect(incident).toMatchObject({
      reason: 'PREDICTED_FAILURE',
      notifiedVia: 'PUSH',
      outcome: null,
    });
    expect(incident?.partShippedAt).not.toBeNull();
    expect(escalated.device.experience.actions[0]).toEqual({ id: 'ORDER_INK', detail: '15% left' });

    // Ops find the open case in Temporal by serial and open intervention.
    const listed = await eventually(
      async () => {
        const found: string[] = [];
        const query = `Serial = '${ids.serial}' AND OpenIntervention = true`;
        for await (const w of system.client.workflow.list({ query })) found.push(w.workflowId);
        return found.sort();
      },
      (found) => found.length === 2,
    );
    expect(listed).toEqual([deviceId, incident?.id].sort());

    await system.data(
      `mutation ($input: ResolveInterventionInput!) { resolveIntervention(input: $input) { id } }`,
      {
        input: { interventionId: incident?.id, note: 'Replaced the print head' },
      },
    );
    const closed = await eventually(
      () => system.data<View>(query, { serial: ids.serial }),
      (v) => v.device.interventions[0]?.status === 'CLOSED',
    );
    expect(closed.device.interventions[0]?.outcome).toBe('RESOLVED_BY_EXPERT');
    await eventually(
      () => system.client.workflow.getHandle(deviceId).describe(),
      (d) => d.typedSearchAttributes.get(searchAttributes.openIntervention) === false,
    );
    const again = await system.request(
      `mutation ($id: ID!) { confirmFix(interventionId: $id) { id } }`,
      { id: incident?.id },
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'interventionId',
    });

    const timeline = await system.data<{
      customer: { timeline: Array<{ type: string; channel: string | null }> };
    }>(`query ($id: ID!) { customer(id: $id) { timeline { type channel } } }`, { id: ids.ana });
    const types = timeline.customer.timeline.map((t) => t.type);
    for (const step of [
      'INTERVENTION_OPENED',
      'INTERVENTION_NOTIFIED',
      'PART_SHIPPED',
      'ESCALATED_TO_EXPERT',
      'INTERVENTION_CLOSED',
    ]) {
      expect(types).toContain(step);
    }

    // Talk to an expert, at any stage: a case that starts escalated.
    await accept({
      eventId: eventId('expert'),
      occurredAt: minutes(4),
      expertRequest: { serial: ids.serial, topic: 'Prints are streaky' },
    });
    const asked = await eventually(
      () => system.data<View>(query, { serial: ids.serial }),
      (v) =>
        v.device.interventions[0]?.reason === 'CUSTOMER_REQUEST' &&
        v.device.interventions[0]?.status === 'ESCALATED',
    );
    expect(asked.device.interventions).toHaveLength(2);
  });

  it('11. Ana opts out: every link to the printer is wiped, nothing personal happens again, aggregates stay', async () => {
    await accept({
      eventId: eventId('opt-out'),
      occurredAt: minutes(2),
      optOut: { customerId: ids.ana, serial: ids.serial },
    });
    const device = await attributes(deviceLifecycleWorkflowId(ids.serial), 'OPTED_OUT');
    expect(device.typedSearchAttributes.get(searchAttributes.customerId)).toBeUndefined();
    const view = await eventually(
      () =>
        system.data<{
          customer: {
            devices: unknown[];
            journeys: unknown[];
            coupons: unknown[];
            timeline: Array<{ product: { sku: string } | null }>;
          };
          device: { stage: string; owner: unknown };
          campaign: { conversions: number };
        }>(
          `query ($id: ID!, $serial: ID!, $campaign: ID!) {
            customer(id: $id) { devices { serial } journeys { stage } coupons { code } timeline { product { sku } } }
            device(serial: $serial) { stage owner { id } }
            campaign(id: $campaign) { conversions }
          }`,
          { id: ids.ana, serial: ids.serial, campaign: ids.campaign },
        ),
      (v) => v.device.stage === 'OPTED_OUT',
    );
    expect(view.customer).toEqual({ devices: [], journeys: [], coupons: [], timeline: [] });
    expect(view.device).toEqual({ stage: 'OPTED_OUT', owner: null });
    expect(view.campaign.conversions).toBe(1);
    const cases = await eventually(
      () =>
        system.data<{
          device: { interventions: Array<{ status: string; outcome: string | null }> };
        }>(
          `query ($serial: ID!) { device(serial: $serial) { interventions { status outcome } } }`,
          { serial: ids.serial },
        ),
      (v) => v.device.interventions[0]?.status === 'CLOSED',
    );
    expect(cases.device.interventions[0]?.outcome).toBe('CANCELLED');

    const later = await record({
      eventId: eventId('late-click'),
      occurredAt: minutes(3),
      adClick: { customerId: ids.ana, campaignId: ids.campaign },
    });
    expect(later[0]?.error).toMatchObject({
      code: 'OPTED_OUT',
      path: 'events[0].adClick.customerId',
    });

    // Workflow histories carry ids only: no name, no location, in any payload of any run of
    // Ana's lifecycles and the interventions they opened, each payload decoded.
    const sightings = await findPersonInTemporal(
      system.client,
      { name: anaName, coordinates: [nearStore] },
      {
        workflowIds: [deviceLifecycleWorkflowId(ids.serial), journeyWorkflowId(ids.ana, ids.sku)],
        queries: [`Serial = '${ids.serial}'`],
      },
    );
    expect(sightings).toEqual([]);
  });
});
