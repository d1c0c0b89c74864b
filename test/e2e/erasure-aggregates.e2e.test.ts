/**
 * Erasure and opt-out through the gateway: aggregates do not move, and after an erasure no
 * Temporal history, memo or search attribute of any workflow that ran for the person holds
 * their id, name, e-mail, phone or coordinates, every payload decoded by the SDK's converter.
 */
import { erasureIdOf } from '@experience-graph/erasure-keys';
import {
  deviceLifecycleWorkflowId,
  erasureWorkflowId,
  journeyWorkflowId,
  searchAttributes,
} from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';
import { findPersonInTemporal, type PersonMarks } from '../support/temporal-payloads';

const DAY = 86_400_000;
/** Temporal deletes executions in the background; on a loaded two-core machine, slowly. */
const TEMPORAL_BACKGROUND_MS = 90_000;

const AGGREGATES = `query ($campaign: ID!, $sku: ID!, $referrer: ID!, $segment: ID!) {
  campaign(id: $campaign) {
    conversions
    funnel {
      stages { stage people conversionFromPrevious conversionFromFirst }
      purchases revenueInfluenced attributedRevenue { model revenue }
    }
    first: attributedRevenue(model: FIRST_TOUCH)
    last: attributedRevenue(model: LAST_TOUCH)
    linear: attributedRevenue(model: LINEAR)
    decay: attributedRevenue(model: TIME_DECAY)
    deliveryPerformance { orders delivered onTimeRate inFullRate otifRate }
  }
  productModel(sku: $sku) {
    perception { target expressed gap mentions }
    deliveryPerformance { orders delivered onTimeRate inFullRate otifRate }
  }
  referrer: customer(id: $referrer) {
    value { historical referral total peopleReferred peopleReferredDirectly }
  }
  segment(id: $segment) { memberCount }
}`;

interface Aggregates {
  campaign: {
    funnel: { stages: Array<{ stage: string; people: number }>; purchases: number };
    [field: string]: unknown;
  };
  referrer: { value: { peopleReferred: number; peopleReferredDirectly: number } };
  segment: { memberCount: number };
  [field: string]: unknown;
}

const REFERRALS = `query ($id: ID!) {
  customer(id: $id) { referrals { id } erasedReferrals value { peopleReferred peopleReferredDirectly } }
}`;
interface Referrals {
  customer: {
    referrals: Array<{ id: string }>;
    erasedReferrals: number;
    value: { peopleReferred: number; peopleReferredDirectly: number };
  };
}

describe('erasure and opt-out keep aggregates and leave nothing in Temporal', () => {
  let system: TestSystem;
  const run = uniqueKey('residue');
  const id = (name: string) => `${run}-${name}`;
  const ids = {
    sku: id('model'),
    campaign: id('campaign'),
    store: id('store'),
    segment: id('segment'),
    rita: id('rita'),
    cleo: id('cleo'),
    eve: id('eve'),
    dan: id('dan'),
    cleoSerial: id('printer-c'),
    danSerial: id('printer-d'),
    cleoOrder: id('order-c'),
    danOrder: id('order-d'),
    eveOrder: id('order-e'),
  };
  // Coordinates of this run alone, so a sighting cannot come from another test's data.
  const store = {
    latitude: Number((20 + Math.random() * 20).toFixed(6)),
    longitude: Number((5 + Math.random() * 20).toFixed(6)),
  };
  const cleo: PersonMarks = {
    customerId: ids.cleo,
    name: `Cleo Erasable ${run}`,
    email: `Cleo.${run}@Example.com`,
    phone: `+44 20 7${String(Date.now()).slice(-6)}`,
    coordinates: [store],
  };
  const danName = `Dan Optout ${run}`;
  const now = Date.now();
  const daysAgo = (days: number) => new Date(now - days * DAY).toISOString();
  let erasureId = '';
  let danErasureId = '';

  const aggregates = () =>
    system.data<Aggregates>(AGGREGATES, {
      campaign: ids.campaign,
      sku: ids.sku,
      referrer: ids.rita,
      segment: ids.segment,
    });
  const referrals = async (who: string) =>
    (await system.data<Referrals>(REFERRALS, { id: who })).customer;

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!, $c: CreateCampaignInput!, $s: CreateStoreInput!,
                 $dc: RegisterDeviceInput!, $dd: RegisterDeviceInput!,
                 $rita: RegisterCustomerInput!, $cleo: RegisterCustomerInput!,
                 $eve: RegisterCustomerInput!, $dan: RegisterCustomerInput!) {
        registerProductModel(input: $m) { sku }
        createCampaign(input: $c) { id }
        createStore(input: $s) { id }
        dc: registerDevice(input: $dc) { serial }
        dd: registerDevice(input: $dd) { serial }
        rita: registerCustomer(input: $rita) { id }
        cleo: registerCustomer(input: $cleo) { id }
        eve: registerCustomer(input: $eve) { id }
        dan: registerCustomer(input: $dan) { id }
      }`,
      {
        m: { sku: ids.sku, name: 'Printer' },
        c: {
          id: ids.campaign,
          name: 'Social',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
        s: { id: ids.store, name: 'Store', ...store, radiusMeters: 300 },
        dc: { serial: ids.cleoSerial, sku: ids.sku },
        dd: { serial: ids.danSerial, sku: ids.sku },
        rita: { id: ids.rita, displayName: 'Rita' },
        cleo: { id: ids.cleo, displayName: cleo.name },
        eve: { id: ids.eve, displayName: 'Eve' },
        dan: { id: ids.dan, displayName: danName },
      },
    );
    // Cleo's event ids carry her id, as a client's may: they must not survive either.
    const ev = (name: string, days: number, payload: Record<string, unknown>) => ({
      eventId: name.startsWith('cleo') ? `${ids.cleo}-${name}` : id(name),
      occurredAt: daysAgo(days),
      ...payload,
    });
    await system.recordAccepted([
      ev('cleo-identify', 12, {
        identifiers: [
          { namespace: 'EMAIL', value: cleo.email },
          { namespace: 'PHONE', value: cleo.phone },
        ],
        identify: { customerId: ids.cleo },
      }),
      ev('rita-refers-cleo', 10, {
        referral: { referrerId: ids.rita, referredId: ids.cleo, sku: ids.sku },
      }),
      ev('cleo-saw', 8, { adImpression: { customerId: ids.cleo, campaignId: ids.campaign } }),
      ev('cleo-clicked', 7, { adClick: { customerId: ids.cleo, campaignId: ids.campaign } }),
      ev('cleo-near', 6.5, { storeProximity: { customerId: ids.cleo, sku: ids.sku, ...store } }),
      ev('cleo-bought', 6, {
        purchase: {
          customerId: ids.cleo,
          serial: ids.cleoSerial,
          orderId: ids.cleoOrder,
          amount: 300,
          currency: 'USD',
          promisedDeliveryAt: daysAgo(3),
        },
      }),
      ev('cleo-delivered', 4, { delivery: { orderId: ids.cleoOrder, inFull: true } }),
      ev('cleo-installed', 3.5, { installation: { serial: ids.cleoSerial } }),
      ev('cleo-review', 3, {
        review: { customerId: ids.cleo, sku: ids.sku, rating: 5, text: 'excellent printer' },
      }),
      ev('cleo-refers-eve', 5, {
        referral: { referrerId: ids.cleo, referredId: ids.eve, sku: ids.sku },
      }),
      ev('eve-saw', 4.5, { adImpression: { customerId: ids.eve, campaignId: ids.campaign } }),
      ev('eve-ordered', 4, {
        order: {
          customerId: ids.eve,
          orderId: ids.eveOrder,
          amount: 80,
          currency: 'USD',
          quantity: 1,
          sku: ids.sku,
        },
      }),
      ev('dan-clicked', 6, { adClick: { customerId: ids.dan, campaignId: ids.campaign } }),
      ev('dan-bought', 5, {
        purchase: {
          customerId: ids.dan,
          serial: ids.danSerial,
          orderId: ids.danOrder,
          amount: 200,
          currency: 'USD',
          promisedDeliveryAt: daysAgo(3),
        },
      }),
      ev('dan-delivered', 2, { delivery: { orderId: ids.danOrder, inFull: false } }),
      ev('dan-installed', 1.5, { installation: { serial: ids.danSerial } }),
      ev('dan-review', 1, {
        review: { customerId: ids.dan, sku: ids.sku, rating: 2, text: 'terrible noise' },
      }),
    ]);
    await system.data(`mutation ($s: DefineSegmentInput!) { defineSegment(input: $s) { id } }`, {
      s: {
        id: ids.segment,
        name: 'Referrers of two',
        // Segments span every customer of the graph, which other tests (and benchmarks) share:
        // Rita's referral value narrows this one to her, whatever else the graph holds.
        conditions: [
          { field: 'PEOPLE_REFERRED', atLeast: 2 },
          { field: 'REFERRAL_VALUE', atLeast: 169.5, atMost: 170.5 },
        ],
      },
    });
    // Cleo asks for an expert: an intervention, a child workflow whose input names her.
    await eventually(
      () =>
        system.data<{ c: { stage: string | null }; d: { stage: string | null } }>(
          `query ($c: ID!, $d: ID!) { c: device(serial: $c) { stage } d: device(serial: $d) { stage } }`,
          { c: ids.cleoSerial, d: ids.danSerial },
        ),
      (v) => v.c.stage === 'SUPPORT' && v.d.stage === 'SUPPORT',
      90_000,
    );
    await system.recordAccepted([
      {
        eventId: `${ids.cleo}-expert`,
        occurredAt: daysAgo(0.5),
        expertRequest: { serial: ids.cleoSerial, topic: 'Paper keeps jamming' },
      },
    ]);
    await eventually(
      () =>
        system.data<{ device: { interventions: Array<{ status: string }> } }>(
          `query ($s: ID!) { device(serial: $s) { interventions { status } } }`,
          { s: ids.cleoSerial },
        ),
      (v) => v.device.interventions.length === 1,
      90_000,
    );
  }, 240_000);

  afterAll(async () => {
    if (!system) return;
    for (const workflowId of [
      deviceLifecycleWorkflowId(ids.danSerial),
      deviceLifecycleWorkflowId(ids.cleoSerial),
      ...[ids.rita, ids.eve, ids.dan, ids.cleo].map((p) => journeyWorkflowId(p, ids.sku)),
    ]) {
      await system.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await system.request(`mutation ($id: ID!) { deleteSegment(id: $id) }`, { id: ids.segment });
    await system.graph.write(
      `MATCH (p:ErasedPerson|AnonymousPerson)
       WHERE EXISTS { (p)-[:PLACED|HAD|REFERRED]-(x) WHERE any(k IN ['id', 'sku', 'serial', 'eventId'] WHERE x[k] IS :: STRING AND x[k] CONTAINS $run) }
          OR EXISTS { (p)-[:HAD]->(:Touchpoint)-[:ABOUT]->(:ProductModel {sku: $sku}) }
       DETACH DELETE p`,
      { run, sku: ids.sku },
    );
    await system.graph.write(
      `MATCH (t:Touchpoint)-[:ABOUT|VIA]->(x) WHERE x.sku = $sku OR x.id = $campaign DETACH DELETE t`,
      { sku: ids.sku, campaign: ids.campaign },
    );
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId', 'key'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.graph.write(
      `MATCH (e:Erasure) WHERE e.id IN $erasureIds
       OPTIONAL MATCH (e)-[:ERASED]->(k:ErasedKey) DETACH DELETE e, k`,
      { erasureIds: [erasureId, danErasureId] },
    );
    await system.stop();
  });

  it('keeps every aggregate through an opt-out and an erasure, and forgets the erased person in Temporal', async () => {
    const before = await aggregates();
    // The data are what they are meant to be, so that equality below means something.
    expect(before.campaign.funnel.stages.map((s) => s.people)).toEqual([3, 2, 2, 3]);
    const visitBefore = await system.graph.read<{ visit: string }>(
      `MATCH (:Customer {id: $cleo})-[:HAD]->(t:StoreProximity) RETURN elementId(t) AS visit`,
      { cleo: ids.cleo },
    );
    expect(visitBefore).toHaveLength(1);
    expect(before.campaign.funnel.purchases).toBe(3);
    expect(before.referrer.value).toMatchObject({ peopleReferred: 2, peopleReferredDirectly: 1 });
    expect(before.segment.memberCount).toBe(1);
    expect(await referrals(ids.rita)).toEqual({
      referrals: [{ id: ids.cleo }],
      erasedReferrals: 0,
      value: { peopleReferred: 2, peopleReferredDirectly: 1 },
    });

    // Dan opts out of his printer: every link between him and it goes, the counts stay.
    await system.recordAccepted([
      {
        eventId: id('dan-opts-out'),
        occurredAt: new Date().toISOString(),
        optOut: { customerId: ids.dan, serial: ids.danSerial },
      },
    ]);
    await eventually(
      () =>
        system.data<{ device: { stage: string; owner: { id: string } | null } }>(
          `query ($s: ID!) { device(serial: $s) { stage owner { id } } }`,
          { s: ids.danSerial },
        ),
      (v) => v.device.stage === 'OPTED_OUT' && v.device.owner === null,
      60_000,
    );
    expect(await aggregates()).toEqual(before);
    // Opted out, Dan keeps his id in his lifecycles' histories, never his name or a location.
    expect(
      await findPersonInTemporal(
        system.client,
        { name: danName, coordinates: [store] },
        {
          workflowIds: [
            deviceLifecycleWorkflowId(ids.danSerial),
            journeyWorkflowId(ids.dan, ids.sku),
          ],
        },
      ),
    ).toEqual([]);

    // Before erasing Cleo, the check sees her: it is not blind.
    const cleoScope = {
      workflowIds: [
        deviceLifecycleWorkflowId(ids.cleoSerial),
        journeyWorkflowId(ids.cleo, ids.sku),
        `intervention:${ids.cleoSerial}:1`,
      ],
      queries: [`Serial = '${ids.cleoSerial}'`, `CustomerId = '${ids.cleo}'`],
    };
    const seen = await findPersonInTemporal(system.client, cleo, cleoScope);
    expect(new Set(seen.map((s) => s.workflowId))).toEqual(
      new Set([
        deviceLifecycleWorkflowId(ids.cleoSerial),
        journeyWorkflowId(ids.cleo, ids.sku),
        `intervention:${ids.cleoSerial}:1`,
      ]),
    );

    const { eraseCustomer } = await system.data<{ eraseCustomer: { id: string } }>(
      `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { id } }`,
      { input: { customerId: ids.cleo, reason: 'CUSTOMER_REQUEST' } },
    );
    erasureId = eraseCustomer.id;
    expect(erasureId).toBe(erasureIdOf(system.config.erasure.salt, ids.cleo));
    await eventually(
      () =>
        system.data<{ erasure: { status: string } | null }>(
          `query ($id: ID!) { erasure(id: $id) { status } }`,
          { id: erasureId },
        ),
      (r) => r.erasure?.status === 'COMPLETED',
      180_000,
    );

    // Every aggregate as before; the referrer's list and counts agree.
    expect(await aggregates()).toEqual(before);
    const after = await referrals(ids.rita);
    expect(after).toEqual({
      referrals: [],
      erasedReferrals: 1,
      value: { peopleReferred: 2, peopleReferredDirectly: 1 },
    });
    expect(after.referrals.length + after.erasedReferrals).toBe(after.value.peopleReferredDirectly);
    // Her store visit, anonymised and held by her placeholder, is still labelled a store visit,
    // which is how the funnel finds it.
    const visitAfter = await system.graph.read<{ holder: string[]; labels: string[] }>(
      `MATCH (p)-[:HAD]->(t:Touchpoint) WHERE elementId(t) = $visit
       RETURN labels(p) AS holder, labels(t) AS labels`,
      { visit: visitBefore[0]?.visit },
    );
    expect(visitAfter).toEqual([
      {
        holder: ['ErasedPerson'],
        labels: expect.arrayContaining(['Touchpoint', 'StoreProximity']),
      },
    ]);

    // Temporal holds nothing of Cleo's: not in the lifecycles that ran for her (deleted, the
    // device's put back from the graph), not in the erasure's own history.
    const left = await eventually(
      () =>
        findPersonInTemporal(system.client, cleo, {
          ...cleoScope,
          workflowIds: [...cleoScope.workflowIds, erasureWorkflowId(erasureId)],
        }),
      (sightings) => sightings.length === 0,
      TEMPORAL_BACKGROUND_MS,
    );
    expect(left).toEqual([]);

    // The device's lifecycle is still there to find by serial: closed, opted out, no owner.
    const device = await system.client.workflow
      .getHandle(deviceLifecycleWorkflowId(ids.cleoSerial))
      .describe();
    expect(device.status.name).toBe('COMPLETED');
    expect(device.typedSearchAttributes.get(searchAttributes.serial)).toBe(ids.cleoSerial);
    expect(device.typedSearchAttributes.get(searchAttributes.stage)).toBe('OPTED_OUT');
    expect(device.typedSearchAttributes.get(searchAttributes.customerId)).toBeUndefined();

    // A later event about the device is recorded without a person and starts nothing again.
    const late = await system.data<{
      recordEvents: { results: Array<{ status: string; outcome: string | null }> };
    }>(
      `mutation ($e: [LifecycleEventInput!]!) { recordEvents(events: $e) { results { status outcome } } }`,
      {
        e: [
          {
            eventId: id('late-support'),
            occurredAt: new Date().toISOString(),
            supportRequest: { serial: ids.cleoSerial, topic: 'Still there?' },
          },
        ],
      },
    );
    expect(late.recordEvents.results[0]?.status).toBe('ACCEPTED');
    const still = await system.client.workflow
      .getHandle(deviceLifecycleWorkflowId(ids.cleoSerial))
      .describe();
    expect(still.runId).toBe(device.runId);
  }, 600_000);

  it('erases a person who opted out before: their former device forgets them too', async () => {
    const before = await aggregates();
    const dan: PersonMarks = { customerId: ids.dan, name: danName, coordinates: [store] };
    const scope = {
      workflowIds: [deviceLifecycleWorkflowId(ids.danSerial), journeyWorkflowId(ids.dan, ids.sku)],
      queries: [`Serial = '${ids.danSerial}'`],
    };
    // The opt-out unlinked the device from Dan in the graph; its history still has his id.
    expect((await findPersonInTemporal(system.client, dan, scope)).length).toBeGreaterThan(0);

    const { eraseCustomer } = await system.data<{ eraseCustomer: { id: string } }>(
      `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { id } }`,
      { input: { customerId: ids.dan, reason: 'CUSTOMER_REQUEST' } },
    );
    danErasureId = eraseCustomer.id;
    await eventually(
      () =>
        system.data<{ erasure: { status: string } | null }>(
          `query ($id: ID!) { erasure(id: $id) { status } }`,
          { id: danErasureId },
        ),
      (r) => r.erasure?.status === 'COMPLETED',
      180_000,
    );
    expect(await aggregates()).toEqual(before);
    const left = await eventually(
      () =>
        findPersonInTemporal(system.client, dan, {
          ...scope,
          workflowIds: [...scope.workflowIds, erasureWorkflowId(danErasureId)],
        }),
      (sightings) => sightings.length === 0,
      TEMPORAL_BACKGROUND_MS,
    );
    expect(left).toEqual([]);
    const device = await system.client.workflow
      .getHandle(deviceLifecycleWorkflowId(ids.danSerial))
      .describe();
    expect(device.status.name).toBe('COMPLETED');
    expect(device.typedSearchAttributes.get(searchAttributes.stage)).toBe('OPTED_OUT');
  }, 400_000);
});
