import { setTimeout as sleep } from 'node:timers/promises';
import { degradingPrinterReadings } from '@experience-graph/device-health';
import { graphqlRequest } from './graphql-client';

/** The demo story's keys, so the start-up summary can point at them. */
export const DEMO = {
  customerId: 'cust-ana',
  friendId: 'cust-ben',
  serial: 'PRN-0001',
  friendSerial: 'PRN-0002',
  sku: 'LJ-200',
  campaignId: 'camp-lj200-social',
  storeId: 'store-downtown',
} as const;

type Gateway = { url: string; apiKey: string };

/** Who sends which part of the story: the maker's own service and each partner, by its key. */
export interface DemoSenders {
  url: string;
  /** The maker's back office: the set-up, the referral programme, the app and web shop. */
  service: string;
  adPlatform: string;
  retailer: string;
  carrier: string;
  deviceCloud: string;
  community: string;
}

/** The carrier the retailer hands the demo orders to (a registered carrier's id). */
export const DEMO_CARRIER_ID = 'demo-carrier';

const SETUP = `
mutation Seed($ana: RegisterCustomerInput!, $ben: RegisterCustomerInput!, $model: RegisterProductModelInput!,
              $device: RegisterDeviceInput!, $friendDevice: RegisterDeviceInput!, $campaign: CreateCampaignInput!,
              $store: CreateStoreInput!, $offer: CreateOfferInput!, $location: SetConsentInput!,
              $contact: SetConsentInput!, $telemetry: SetConsentInput!) {
  ana: registerCustomer(input: $ana) { id }
  ben: registerCustomer(input: $ben) { id }
  registerProductModel(input: $model) { sku }
  device: registerDevice(input: $device) { serial }
  friendDevice: registerDevice(input: $friendDevice) { serial }
  createCampaign(input: $campaign) { id }
  createStore(input: $store) { id }
  createOffer(input: $offer) { id }
  location: setConsent(input: $location) { granted }
  contact: setConsent(input: $contact) { granted }
  telemetry: setConsent(input: $telemetry) { granted }
}`;

const EVENTS = `
mutation Events($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { results { status error { message path } } }
}`;

const STATE = `query State($id: ID!, $serial: ID!) {
  customer(id: $id) { coupons { code } }
  device(serial: $serial) { stage interventions { id } }
}`;

const DAY = 24 * 3600_000;
// The partner store's geofence centre; a location is only ever an event's input, never stored.
const STORE = { latitude: 47.3769, longitude: 8.5417 };

async function send(gateway: Gateway, events: Array<Record<string, unknown>>): Promise<void> {
  const { recordEvents } = await graphqlRequest<{
    recordEvents: {
      results: Array<{ status: string; error: { message: string; path: string } | null }>;
    };
  }>(gateway, EVENTS, { events });
  // Seeding again sends the same ids with times relative to now: those are already seeded.
  const problems = recordEvents.results.filter(
    (r) =>
      r.status === 'REJECTED' &&
      !r.error?.message.includes('was already used for a different event'),
  );
  if (problems.length > 0) {
    throw new Error(
      `Demo events were rejected: ${problems.map((p) => `${p.error?.path}: ${p.error?.message}`).join('; ')}`,
    );
  }
}

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`The demo did not reach "${what}" within 60 s; is the worker running?`);
    await sleep(250);
  }
}

/**
 * Seeds the demo story through the gateway, as partners would send it: Ana sees and clicks the
 * LJ-200's social ad, walks by the partner store and gets its coupon, buys PRN-0001 with it,
 * which is shipped, delivered and installed; she recommends the printer to Ben, who buys
 * PRN-0002; Ana signs in to the app (her e-mail, loyalty card and app install become her
 * identifiers), buys ink on the web shop known only by her e-mail and reviews the printer; Ben
 * answers a question in the community and Ana finds it helpful; PRN-0001's telemetry starts predicting a failure, which opens an intervention.
 * Event ids are fixed, so seeding again changes nothing.
 */
export async function seedDemo(senders: DemoSenders): Promise<void> {
  const as = (apiKey: string): Gateway => ({ url: senders.url, apiKey });
  const gateway = as(senders.service);
  const id = (what: string) => `demo-${what}`;
  const now = Date.now();
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  await graphqlRequest(gateway, SETUP, {
    ana: { id: DEMO.customerId, displayName: 'Ana' },
    ben: { id: DEMO.friendId, displayName: 'Ben' },
    model: { sku: DEMO.sku, name: 'LJ-200 inkjet printer', category: 'printer' },
    device: { serial: DEMO.serial, sku: DEMO.sku },
    friendDevice: { serial: DEMO.friendSerial, sku: DEMO.sku },
    campaign: {
      id: DEMO.campaignId,
      name: 'LJ-200 launch, social ads',
      channel: 'SOCIAL_AD',
      journeyStage: 'INTERESTED',
      productSku: DEMO.sku,
    },
    store: { id: DEMO.storeId, name: 'Downtown partner store', ...STORE, radiusMeters: 250 },
    offer: {
      id: 'offer-downtown-lj200',
      storeId: DEMO.storeId,
      productSku: DEMO.sku,
      amount: 50,
      currency: 'USD',
      validDays: 60,
    },
    location: { customerId: DEMO.customerId, purpose: 'LOCATION_OFFERS', granted: true },
    contact: {
      customerId: DEMO.customerId,
      purpose: 'MARKETING_CONTACT',
      granted: true,
      channels: ['PUSH', 'EMAIL'],
    },
    telemetry: { customerId: DEMO.customerId, purpose: 'TELEMETRY_USE', granted: true },
  });
  const ana = DEMO.customerId;
  await send(as(senders.adPlatform), [
    {
      eventId: id('ana-sees-ad'),
      occurredAt: at(-45),
      adImpression: { customerId: ana, campaignId: DEMO.campaignId },
    },
    {
      eventId: id('ana-clicks-ad'),
      occurredAt: at(-44),
      adClick: { customerId: ana, campaignId: DEMO.campaignId },
    },
  ]);
  await send(as(senders.retailer), [
    {
      eventId: id('ana-near-store'),
      occurredAt: at(-43),
      storeProximity: { customerId: ana, sku: DEMO.sku, ...STORE },
    },
  ]);
  // The journey decides the coupon; the purchase uses it.
  const offered = await until(
    'a coupon for Ana',
    () =>
      graphqlRequest<{ customer: { coupons: Array<{ code: string }> } }>(gateway, STATE, {
        id: ana,
        serial: DEMO.serial,
      }),
    (s) => s.customer.coupons.length > 0,
  );
  const order = id('order-PRN-0001');
  await send(as(senders.retailer), [
    {
      eventId: id('ana-buys'),
      occurredAt: at(-42),
      purchase: {
        customerId: ana,
        serial: DEMO.serial,
        orderId: order,
        storeId: DEMO.storeId,
        couponCode: offered.customer.coupons[0]?.code,
        amount: 199,
        currency: 'USD',
        promisedDeliveryAt: at(-38),
        carrierId: DEMO_CARRIER_ID,
      },
    },
    {
      eventId: id('ben-buys'),
      occurredAt: at(-29),
      purchase: {
        customerId: DEMO.friendId,
        serial: DEMO.friendSerial,
        orderId: id('order-PRN-0002'),
        storeId: DEMO.storeId,
        amount: 199,
        currency: 'USD',
        promisedDeliveryAt: at(-26),
        carrierId: DEMO_CARRIER_ID,
      },
    },
  ]);
  await send(as(senders.carrier), [
    {
      eventId: id('shipped'),
      occurredAt: at(-41),
      shipmentUpdate: {
        orderId: order,
        carrier: 'Parcel Co',
        status: 'Delivered to the door',
        expectedDeliveryAt: at(-39),
      },
    },
    { eventId: id('delivered'), occurredAt: at(-39), delivery: { orderId: order, inFull: true } },
  ]);
  await send(as(senders.deviceCloud), [
    { eventId: id('installed'), occurredAt: at(-38), installation: { serial: DEMO.serial } },
  ]);
  // The maker's own referral programme.
  await send(gateway, [
    {
      eventId: id('ana-refers-ben'),
      occurredAt: at(-30),
      referral: { referrerId: ana, referredId: DEMO.friendId, sku: DEMO.sku, code: 'ANA-FRIENDS' },
    },
  ]);
  // Who Ana is across channels (the maker's app and web shop), what she buys besides printers,
  // and what she and Ben say in the community.
  await send(gateway, [
    {
      eventId: id('ana-signs-in'),
      occurredAt: at(-28),
      identifiers: [
        { namespace: 'EMAIL', value: 'ana@example.com' },
        { namespace: 'LOYALTY_ID', value: 'LOY-1001' },
        { namespace: 'APP_INSTALL', value: 'app-ana-phone' },
      ],
      identify: { customerId: ana },
    },
    {
      eventId: id('ana-buys-ink'),
      occurredAt: at(-20),
      // The web shop knows her by e-mail only.
      identifiers: [{ namespace: 'EMAIL', value: 'ana@example.com' }],
      order: { orderId: id('order-ink-1'), amount: 34.5, currency: 'USD', sku: DEMO.sku },
    },
  ]);
  await send(as(senders.community), [
    {
      eventId: id('ana-reviews'),
      occurredAt: at(-19),
      review: {
        customerId: ana,
        sku: DEMO.sku,
        rating: 4,
        text: 'Great print quality and easy setup, but the ink runs out quickly.',
      },
    },
    {
      eventId: id('ben-answers'),
      occurredAt: at(-18),
      communityAnswer: {
        customerId: DEMO.friendId,
        sku: DEMO.sku,
        answerId: id('answer-wifi'),
        questionText: 'How do I connect the LJ-200 to Wi-Fi?',
        text: 'Hold the Wi-Fi button for five seconds, then pick your network in the app. Works great.',
      },
    },
    {
      eventId: id('ana-votes'),
      occurredAt: at(-17),
      answerVote: { customerId: ana, answerId: id('answer-wifi'), helpful: true },
    },
  ]);
  await until(
    'PRN-0001 in SUPPORT',
    () =>
      graphqlRequest<{ device: { stage: string | null } }>(gateway, STATE, {
        id: ana,
        serial: DEMO.serial,
      }),
    (s) => s.device.stage === 'SUPPORT',
  );
  await send(as(senders.deviceCloud), [
    {
      eventId: id('PRN-0001-telemetry'),
      occurredAt: at(0),
      telemetry: {
        serial: DEMO.serial,
        readings: degradingPrinterReadings(`demo-${DEMO.serial}-reading`, now),
      },
    },
  ]);
  await until(
    'an intervention on PRN-0001',
    () =>
      graphqlRequest<{ device: { interventions: unknown[] } }>(gateway, STATE, {
        id: ana,
        serial: DEMO.serial,
      }),
    (s) => s.device.interventions.length > 0,
  );
}
