/**
 * Offers and the menu as promised, through the gateway on the real servers: every partner store
 * whose geofence holds an engaged person is considered (one coupon per store, ranked, consent
 * read when acting), a device's experience shows its owner's offers where they stand, a
 * customer's journeys leave out the models they bought, and "Talk to an expert" before a sale
 * opens a case in the experts' queue.
 */
import { journeyWorkflowId } from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

jest.setTimeout(240_000);

const run = uniqueKey('offers');
const ids = {
  sku: `${run}-LJ`,
  other: `${run}-OJ`,
  serial: `${run}-PRN`,
  campaign: `${run}-ad`,
  otherCampaign: `${run}-ad2`,
  ana: `${run}-ana`,
  cara: `${run}-cara`,
  dan: `${run}-dan`,
  storeA: `${run}-A`,
  storeB: `${run}-B`,
  storeC: `${run}-C`,
  order: `${run}-order`,
};
// A spot of this run's own, so that no other run's or the demo's stores share these geofences.
const base = {
  latitude: Math.round((-40 + Math.random() * 10) * 1e6) / 1e6,
  longitude: Math.round((150 + Math.random() * 10) * 1e6) / 1e6,
};
const at = (northMeters: number) => ({
  latitude: Math.round((base.latitude + northMeters / 111_195) * 1e6) / 1e6,
  longitude: base.longitude,
});
// Store A's centre is at the base, B's 220 m north, both with a 300 m geofence; C is 1.2 km
// north. The person stands 90 m north of A: inside A's and B's geofences, nearer A, not in C's.
const standing = at(90);
const onlyInB = at(400);
const farAway = at(5_000);
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
let sequence = 0;
const eventId = (what: string) => `${run}-${(sequence += 1)}-${what}`;

interface Offer {
  couponCode: string;
  storeId: string;
  amount: number;
  currency: string;
  product: { sku: string };
}

describe('offers and the menu as promised', () => {
  let system: TestSystem;
  const results = async (events: Array<Record<string, unknown>>, credential?: string) => {
    const response = await system.request<{
      recordEvents: {
        results: Array<{ status: string; error: { code: string; path: string } | null }>;
      };
    }>(
      `mutation ($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { results { status error { code path } } }
      }`,
      { events },
      credential,
    );
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data.recordEvents.results;
  };
  const consent = (customerId: string, granted: boolean) =>
    system.data(`mutation ($input: SetConsentInput!) { setConsent(input: $input) { granted } }`, {
      input: { customerId, purpose: 'LOCATION_OFFERS', granted },
    });
  const journeyStage = (customerId: string, sku: string) =>
    eventually(
      () => system.client.workflow.getHandle(journeyWorkflowId(customerId, sku)).query('stage'),
      (stage) => stage === 'ENGAGED',
      90_000,
    );
  type Coupons = { customer: { coupons: Array<{ code: string; offer: { id: string } }> } };
  const coupons = async (customerId: string) =>
    (
      await system.data<Coupons>(
        `query ($id: ID!) { customer(id: $id) { coupons { code offer { id } } } }`,
        { id: customerId },
      )
    ).customer.coupons;
  /** The proximity coupons a journey's workflow has decided so far (issued or not). */
  const considered = async (customerId: string) => {
    const history = await system.client.workflow
      .getHandle(journeyWorkflowId(customerId, ids.sku))
      .fetchHistory();
    return (history.events ?? []).filter(
      (e) =>
        e.activityTaskCompletedEventAttributes &&
        (history.events ?? []).some(
          (s) =>
            Number(s.eventId) ===
              Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) &&
            s.activityTaskScheduledEventAttributes?.activityType?.name ===
              'considerProximityCoupon',
        ),
    ).length;
  };
  const journeyExperience = `query ($id: ID!, $sku: ID!, $at: LocationInput) {
    journeyExperience(customerId: $id, sku: $sku, location: $at) {
      stage actions { id } offers { couponCode storeId amount currency product { sku } }
    } }`;

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!, $m2: RegisterProductModelInput!,
                 $d: RegisterDeviceInput!, $c: CreateCampaignInput!, $c2: CreateCampaignInput!,
                 $a: CreateStoreInput!, $b: CreateStoreInput!, $s3: CreateStoreInput!,
                 $oa: CreateOfferInput!, $ob: CreateOfferInput!, $ob2: CreateOfferInput!,
                 $oc: CreateOfferInput!,
                 $ana: RegisterCustomerInput!, $cara: RegisterCustomerInput!, $dan: RegisterCustomerInput!) {
        m: registerProductModel(input: $m) { sku }
        m2: registerProductModel(input: $m2) { sku }
        d: registerDevice(input: $d) { serial }
        c: createCampaign(input: $c) { id }
        c2: createCampaign(input: $c2) { id }
        a: createStore(input: $a) { id }
        b: createStore(input: $b) { id }
        s3: createStore(input: $s3) { id }
        oa: createOffer(input: $oa) { id }
        ob: createOffer(input: $ob) { id }
        ob2: createOffer(input: $ob2) { id }
        oc: createOffer(input: $oc) { id }
        ana: registerCustomer(input: $ana) { id }
        cara: registerCustomer(input: $cara) { id }
        dan: registerCustomer(input: $dan) { id }
      }`,
      {
        m: { sku: ids.sku, name: 'LJ printer', category: 'printer' },
        m2: { sku: ids.other, name: 'OJ printer', category: 'printer' },
        d: { serial: ids.serial, sku: ids.sku },
        c: {
          id: ids.campaign,
          name: 'LJ ads',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.sku,
        },
        c2: {
          id: ids.otherCampaign,
          name: 'OJ ads',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: ids.other,
        },
        a: { id: ids.storeA, name: 'Store A', ...at(0), radiusMeters: 300 },
        b: { id: ids.storeB, name: 'Store B', ...at(220), radiusMeters: 300 },
        s3: { id: ids.storeC, name: 'Store C', ...at(1_200), radiusMeters: 300 },
        oa: offer('oa', ids.storeA, 30),
        ob: offer('ob', ids.storeB, 50),
        // A store's lesser offer: a store gives one coupon, its best.
        ob2: offer('ob2', ids.storeB, 10),
        oc: offer('oc', ids.storeC, 70),
        ana: { id: ids.ana, displayName: 'Ana' },
        cara: { id: ids.cara, displayName: 'Cara' },
        dan: { id: ids.dan, displayName: 'Dan' },
      },
    );
    await consent(ids.ana, true);
    await consent(ids.cara, true);
    await system.recordAccepted(
      [ids.ana, ids.cara].map((customerId) => ({
        eventId: eventId('click'),
        occurredAt: minutes(-30),
        adClick: { customerId, campaignId: ids.campaign },
      })),
    );
    await journeyStage(ids.ana, ids.sku);
    await journeyStage(ids.cara, ids.sku);
  });

  afterAll(async () => {
    for (const customerId of [ids.ana, ids.cara, ids.dan]) {
      for (const sku of [ids.sku, ids.other]) {
        await system.client.workflow
          .getHandle(journeyWorkflowId(customerId, sku))
          .terminate('test over')
          .catch(() => undefined);
      }
    }
    await system.client.workflow
      .getHandle(`device:${ids.serial}`)
      .terminate('test over')
      .catch(() => undefined);
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId', 'code', 'customerId', 'key']
                           WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  it('considers every store whose geofence holds the person: one coupon per store, ranked; none after consent is revoked', async () => {
    // Cara revokes her consent before she walks by: the journey reads it when it acts.
    await consent(ids.cara, false);
    await system.recordAccepted(
      [ids.ana, ids.cara].map((customerId) => ({
        eventId: eventId('near'),
        occurredAt: minutes(-20),
        storeProximity: { customerId, sku: ids.sku, ...standing },
      })),
    );
    const issued = await eventually(
      () => coupons(ids.ana),
      (list) => list.length >= 2,
      90_000,
    );
    expect(issued.map((c) => c.offer.id).sort()).toEqual([`${run}-oa`, `${run}-ob`]);
    // Both stores were decided for Cara too, and neither gave her anything.
    await eventually(
      () => considered(ids.cara),
      (n) => n === 2,
      90_000,
    );
    expect(await coupons(ids.cara)).toEqual([]);

    // The menu there shows both, the larger amount first; only B's where only B's geofence is.
    const code = (offerId: string) => issued.find((c) => c.offer.id === offerId)?.code;
    const here = await system.data<{ journeyExperience: { offers: Offer[] } }>(journeyExperience, {
      id: ids.ana,
      sku: ids.sku,
      at: standing,
    });
    expect(here.journeyExperience.offers).toEqual([
      {
        couponCode: code(`${run}-ob`),
        storeId: ids.storeB,
        amount: 50,
        currency: 'USD',
        product: { sku: ids.sku },
      },
      {
        couponCode: code(`${run}-oa`),
        storeId: ids.storeA,
        amount: 30,
        currency: 'USD',
        product: { sku: ids.sku },
      },
    ]);
    const inB = await system.data<{ journeyExperience: { offers: Offer[] } }>(journeyExperience, {
      id: ids.ana,
      sku: ids.sku,
      at: onlyInB,
    });
    expect(inB.journeyExperience.offers.map((o) => o.storeId)).toEqual([ids.storeB]);

    // A second visit is not a second coupon at either store.
    await system.recordAccepted([
      {
        eventId: eventId('near-again'),
        occurredAt: minutes(-19),
        storeProximity: { customerId: ids.ana, sku: ids.sku, ...standing },
      },
    ]);
    await eventually(
      () => considered(ids.ana),
      (n) => n === 2,
      30_000,
    );
    expect(await coupons(ids.ana)).toHaveLength(2);
  });

  it("shows a device's owner their valid offers where they stand, none elsewhere or without consent", async () => {
    const issued = await coupons(ids.ana);
    const codeA = issued.find((c) => c.offer.id === `${run}-oa`)?.code;
    const codeB = issued.find((c) => c.offer.id === `${run}-ob`)?.code;
    // Ana buys the printer at store A with A's coupon; B's stays valid.
    await system.recordAccepted([
      {
        eventId: eventId('buy'),
        occurredAt: minutes(-10),
        purchase: {
          customerId: ids.ana,
          serial: ids.serial,
          orderId: ids.order,
          storeId: ids.storeA,
          couponCode: codeA,
          amount: 199,
          currency: 'USD',
          promisedDeliveryAt: minutes(24 * 60),
        },
      },
    ]);
    const token = await system.personToken(ids.ana);
    const experience = (location: unknown) =>
      system.request<{
        device: { owner: { id: string } | null; experience: { stage: string; offers: Offer[] } };
      }>(
        `query ($serial: ID!, $at: LocationInput) {
          device(serial: $serial) {
            owner { id }
            experience(location: $at) {
              stage offers { couponCode storeId amount currency product { sku } }
            }
          }
        }`,
        { serial: ids.serial, at: location },
        token,
      );
    const owned = await eventually(
      () => experience(standing),
      (r) => r.data?.device?.owner?.id === ids.ana && r.data.device.experience.offers.length > 0,
      90_000,
    );
    expect(owned.data?.device.experience.offers).toEqual([
      {
        couponCode: codeB,
        storeId: ids.storeB,
        amount: 50,
        currency: 'USD',
        product: { sku: ids.sku },
      },
    ]);
    expect((await experience(farAway)).data?.device.experience.offers).toEqual([]);
    expect((await experience(null)).data?.device.experience.offers).toEqual([]);

    // Bad input changes nothing and names the argument.
    const bad = await experience({ latitude: 91, longitude: 0 });
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toContain('location.latitude');

    await consent(ids.ana, false);
    expect((await experience(standing)).data?.device.experience.offers).toEqual([]);
    await consent(ids.ana, true);
    expect((await experience(standing)).data?.device.experience.offers).toHaveLength(1);
  });

  it("lists a customer's journeys only with the models they have not bought", async () => {
    await system.recordAccepted([
      {
        eventId: eventId('other-click'),
        occurredAt: minutes(-5),
        adClick: { customerId: ids.ana, campaignId: ids.otherCampaign },
      },
    ]);
    await journeyStage(ids.ana, ids.other);
    type Journeys = { customer: { journeys: Array<{ stage: string; product: { sku: string } }> } };
    const read = () =>
      system.data<Journeys>(
        `query ($id: ID!) { customer(id: $id) { journeys { stage product { sku } } } }`,
        { id: ids.ana },
      );
    const journeys = await eventually(read, (v) =>
      v.customer.journeys.some((j) => j.product.sku === ids.other),
    );
    expect(journeys.customer.journeys).toEqual([{ stage: 'ENGAGED', product: { sku: ids.other } }]);
    // Cara, engaged with both models, orders the other one outright (an order, not a tracked
    // device): her journey with it stays where it was, and is no longer listed.
    await system.recordAccepted([
      {
        eventId: eventId('cara-other-click'),
        occurredAt: minutes(-5),
        adClick: { customerId: ids.cara, campaignId: ids.otherCampaign },
      },
    ]);
    await journeyStage(ids.cara, ids.other);
    await eventually(
      () =>
        system.data<Journeys>(
          `query ($id: ID!) { customer(id: $id) { journeys { stage product { sku } } } }`,
          { id: ids.cara },
        ),
      (v) => v.customer.journeys.length === 2,
    );
    await system.recordAccepted([
      {
        eventId: eventId('cara-order'),
        occurredAt: minutes(-4),
        order: {
          customerId: ids.cara,
          orderId: `${ids.order}-cara`,
          amount: 199,
          currency: 'USD',
          sku: ids.other,
        },
      },
    ]);
    // The model she has not bought is still listed.
    const cara = await system.data<Journeys>(
      `query ($id: ID!) { customer(id: $id) { journeys { stage product { sku } } } }`,
      { id: ids.cara },
    );
    expect(cara.customer.journeys).toEqual([{ stage: 'ENGAGED', product: { sku: ids.sku } }]);
  });

  it('opens a case an expert sees when a person asks to talk to an expert before a sale', async () => {
    const dan = await system.personToken(ids.dan);
    const menu = await system.request<{ journeyExperience: { actions: Array<{ id: string }> } }>(
      journeyExperience,
      { id: ids.dan, sku: ids.other, at: null },
      dan,
    );
    expect(menu.data?.journeyExperience.actions.map((a) => a.id)).toContain('TALK_TO_EXPERT');

    const topic = 'Does it print on card stock?';
    const ask = eventId('ask');
    expect(
      await results(
        [
          {
            eventId: ask,
            occurredAt: minutes(-1),
            presaleExpertRequest: { sku: ids.other, topic },
          },
          // Not about someone else, not about an unknown model, not without a question.
          {
            eventId: eventId('ask-for-ana'),
            occurredAt: minutes(-1),
            presaleExpertRequest: { customerId: ids.ana, sku: ids.other, topic },
          },
          {
            eventId: eventId('ask-unknown'),
            occurredAt: minutes(-1),
            presaleExpertRequest: { sku: `${run}-nothing`, topic },
          },
          {
            eventId: eventId('ask-empty'),
            occurredAt: minutes(-1),
            presaleExpertRequest: { sku: ids.other, topic: ' ' },
          },
        ],
        dan,
      ),
    ).toEqual([
      { status: 'ACCEPTED', error: null },
      {
        status: 'REJECTED',
        error: { code: 'FORBIDDEN', path: 'events[1].presaleExpertRequest.customerId' },
      },
      {
        status: 'REJECTED',
        error: { code: 'UNKNOWN_REFERENCE', path: 'events[2].presaleExpertRequest.sku' },
      },
      {
        status: 'REJECTED',
        error: { code: 'INVALID', path: 'events[3].presaleExpertRequest.topic' },
      },
    ]);

    const expert = await system.staffToken(`${run}-expert`, ['expert']);
    type Queue = {
      interventions: Array<{
        id: string;
        reason: string;
        status: string;
        escalatedAt: string | null;
        device: unknown;
        product: { sku: string; name: string };
        customer: { id: string; displayName: string } | null;
        topic: string | null;
        assignee: string | null;
        outcome: string | null;
      }>;
    };
    const queue = `query ($status: InterventionStatus) {
      interventions(status: $status, first: 200) {
        id reason status escalatedAt device { serial } product { sku name }
        customer { id displayName } topic assignee outcome
      } }`;
    const mine = (q: Queue) => q.interventions.filter((i) => i.product.sku === ids.other);
    const seen = await system.request<Queue>(queue, { status: 'ESCALATED' }, expert);
    expect(seen.errors).toBeUndefined();
    const [opened] = mine(seen.data as Queue);
    expect(mine(seen.data as Queue)).toHaveLength(1);
    expect(opened).toMatchObject({
      reason: 'CUSTOMER_REQUEST',
      status: 'ESCALATED',
      device: null,
      product: { sku: ids.other, name: 'OJ printer' },
      customer: { id: ids.dan, displayName: 'Dan' },
      topic,
      assignee: null,
      outcome: null,
    });
    expect(opened?.escalatedAt).not.toBeNull();

    // The person cannot confirm it away; the expert who answers it closes it.
    const confirm = await system.request(
      `mutation ($id: ID!) { confirmFix(interventionId: $id) { id } }`,
      { id: opened?.id },
      dan,
    );
    expect(confirm.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const resolved = await system.request<{
      resolveIntervention: { status: string; outcome: string; assignee: string };
    }>(
      `mutation ($input: ResolveInterventionInput!) {
        resolveIntervention(input: $input) { status outcome assignee }
      }`,
      { input: { interventionId: opened?.id, note: 'Yes, up to 250 gsm' } },
      expert,
    );
    expect(resolved.data?.resolveIntervention).toEqual({
      status: 'CLOSED',
      outcome: 'RESOLVED_BY_EXPERT',
      assignee: `${run}-expert`,
    });
    const after = await system.request<Queue>(queue, { status: 'ESCALATED' }, expert);
    expect(mine(after.data as Queue)).toEqual([]);
    const closed = await system.request<Queue>(queue, { status: 'CLOSED' }, expert);
    expect(mine(closed.data as Queue).map((i) => i.id)).toEqual([opened?.id]);
  });

  it('takes a question before a sale out of the queue when the person opts out of the model', async () => {
    const dan = await system.personToken(ids.dan);
    const topic = 'Is it quiet?';
    expect(
      await results(
        [
          {
            eventId: eventId('ask-2'),
            occurredAt: minutes(-1),
            presaleExpertRequest: { sku: ids.other, topic },
          },
        ],
        dan,
      ),
    ).toEqual([{ status: 'ACCEPTED', error: null }]);
    const support = await system.staffToken(`${run}-support`, ['support']);
    const queue = async () =>
      (
        await system.request<{
          interventions: Array<{ product: { sku: string }; topic: string | null }>;
        }>(
          `{ interventions(status: ESCALATED, first: 200) { product { sku } topic } }`,
          {},
          support,
        )
      ).data?.interventions.filter((i) => i.product.sku === ids.other && i.topic === topic) ?? [];
    expect(await queue()).toHaveLength(1);
    expect(
      await results(
        [
          {
            eventId: eventId('opt-out'),
            occurredAt: minutes(0),
            optOut: { sku: ids.other },
          },
        ],
        dan,
      ),
    ).toEqual([{ status: 'ACCEPTED', error: null }]);
    await eventually(queue, (list) => list.length === 0, 90_000);
  });
});

function offer(suffix: string, storeId: string, amount: number) {
  return {
    id: `${run}-${suffix}`,
    storeId,
    productSku: ids.sku,
    amount,
    currency: 'USD',
    validDays: 14,
  };
}
