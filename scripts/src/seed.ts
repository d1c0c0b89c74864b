import { setTimeout as sleep } from 'node:timers/promises';
import { graphqlRequest } from './graphql-client';

/** The demo story's keys, so the start-up summary can point at them. */
export const DEMO = {
  customerId: 'cust-ana',
  serial: 'PRN-0001',
  sku: 'LJ-200',
  campaignId: 'camp-lj200-social',
} as const;

const SETUP = `
mutation Seed($customer: RegisterCustomerInput!, $model: RegisterProductModelInput!,
              $device: RegisterDeviceInput!, $campaign: CreateCampaignInput!) {
  registerCustomer(input: $customer) { id }
  registerProductModel(input: $model) { sku }
  registerDevice(input: $device) { serial }
  createCampaign(input: $campaign) { id }
}`;

const EVENTS = `
mutation Events($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { rejected results { status error { message path } } }
}`;

const STAGE = `query Stage($serial: ID!) { device(serial: $serial) { stage } }`;

/**
 * Seeds the demo story through the gateway, as a client would: Ana, the LJ-200 and its social
 * ad campaign, and printer PRN-0001 bought after an ad, shipped, delivered and installed. Event
 * ids are fixed, so seeding again changes nothing.
 */
export async function seedDemo(gateway: { url: string; apiKey: string }): Promise<void> {
  await graphqlRequest(gateway, SETUP, {
    customer: { id: DEMO.customerId, displayName: 'Ana' },
    model: { sku: DEMO.sku, name: 'LJ-200 inkjet printer' },
    device: { serial: DEMO.serial, sku: DEMO.sku },
    campaign: {
      id: DEMO.campaignId,
      name: 'LJ-200 launch, social ads',
      channel: 'SOCIAL_AD',
      journeyStage: 'INTERESTED',
      productSku: DEMO.sku,
    },
  });
  const day = 24 * 3600_000;
  const start = Date.now() - 10 * day;
  const at = (days: number) => new Date(start + days * day).toISOString();
  const order = `demo-order-${DEMO.serial}`;
  const id = (what: string) => `demo-${DEMO.serial}-${what}`;
  const { recordEvents } = await graphqlRequest<{
    recordEvents: {
      rejected: number;
      results: Array<{ status: string; error: { message: string } | null }>;
    };
  }>(gateway, EVENTS, {
    events: [
      {
        eventId: id('ad-seen'),
        occurredAt: at(-3),
        adImpression: { customerId: DEMO.customerId, campaignId: DEMO.campaignId },
      },
      {
        eventId: id('ad-clicked'),
        occurredAt: at(-2),
        adClick: { customerId: DEMO.customerId, campaignId: DEMO.campaignId },
      },
      {
        eventId: id('purchased'),
        occurredAt: at(0),
        purchase: {
          customerId: DEMO.customerId,
          serial: DEMO.serial,
          orderId: order,
          amount: 249,
          currency: 'USD',
          promisedDeliveryAt: at(3),
        },
      },
      {
        eventId: id('shipped'),
        occurredAt: at(1),
        shipmentUpdate: {
          orderId: order,
          carrier: 'Parcel Co',
          status: 'In transit',
          expectedDeliveryAt: at(3),
        },
      },
      { eventId: id('delivered'), occurredAt: at(2), delivery: { orderId: order, inFull: true } },
      { eventId: id('installed'), occurredAt: at(3), installation: { serial: DEMO.serial } },
    ],
  });
  const problems = recordEvents.results.filter((r) => r.status === 'REJECTED');
  if (problems.length > 0) {
    throw new Error(
      `Demo events were rejected: ${problems.map((p) => p.error?.message).join('; ')}`,
    );
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const data = await graphqlRequest<{ device: { stage: string | null } | null }>(
      gateway,
      STAGE,
      {
        serial: DEMO.serial,
      },
    );
    if (data.device?.stage === 'SUPPORT') return;
    await sleep(250);
  }
  throw new Error(
    `The demo device ${DEMO.serial} did not reach SUPPORT within 30 s; is the worker running?`,
  );
}
