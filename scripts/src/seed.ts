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

const EVENT = `
mutation Event($input: DeviceEventInput!) {
  recordDeviceEvent(input: $input) { workflowId }
}`;

const STAGE = `query Stage($serial: ID!) { device(serial: $serial) { stage } }`;

/**
 * Seeds the demo story through the gateway, as a client would: Ana, the LJ-200 and its social
 * ad campaign, and printer PRN-0001 bought, shipped, delivered and installed. Event ids are
 * fixed, so seeding again changes nothing.
 */
export async function seedDemo(gatewayUrl: string): Promise<void> {
  await graphqlRequest(gatewayUrl, SETUP, {
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
  const events = [
    { type: 'PURCHASED', customerId: DEMO.customerId, at: start },
    { type: 'SHIPPED', at: start + day },
    { type: 'DELIVERED', at: start + 3 * day },
    { type: 'INSTALLED', at: start + 4 * day },
  ];
  for (const event of events) {
    await graphqlRequest(gatewayUrl, EVENT, {
      input: {
        eventId: `demo-${DEMO.serial}-${event.type.toLowerCase()}`,
        type: event.type,
        serial: DEMO.serial,
        customerId: event.customerId ?? null,
        occurredAt: new Date(event.at).toISOString(),
      },
    });
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const data = await graphqlRequest<{ device: { stage: string | null } | null }>(
      gatewayUrl,
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
