/**
 * The demo story (scripts/src/seed.ts) under keys of one test run, for the console's browser
 * tests: Ana sees and clicks the campaign's ad, buys her printer, which is shipped, delivered and
 * installed; she recommends the printer to Ben, who buys one too; her printer's telemetry
 * predicts a failure, which opens an intervention that escalates to an expert.
 */
import { degradingPrinterReadings } from '@experience-graph/device-health';
import { deviceLifecycleWorkflowId, journeyWorkflowId } from '@experience-graph/workflows';
import { eventually, uniqueKey, type TestSystem } from './system';

export interface ConsoleStory {
  run: string;
  ana: { id: string; name: string };
  ben: { id: string; name: string };
  sku: string;
  serial: string;
  friendSerial: string;
  campaign: { id: string; name: string };
  /** The intervention opened on Ana's printer, escalated to an expert; set by `seed`. */
  interventionId: string;
  /** Sends the story through the gateway and waits until the intervention has escalated. */
  seed(): Promise<void>;
  /** Terminates the story's workflows and deletes what it stored, however far `seed` got. */
  remove(): Promise<void>;
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

/** The story's keys, unique to this run; nothing is sent until `seed`. */
export function consoleStory(system: TestSystem): ConsoleStory {
  const run = uniqueKey('console');
  const ana = { id: `${run}-ana`, name: `Ana ${run}` };
  const ben = { id: `${run}-ben`, name: `Ben ${run}` };
  const sku = `${run}-LJ-200`;
  const serial = `${run}-PRN-0001`;
  const friendSerial = `${run}-PRN-0002`;
  const campaign = { id: `${run}-social`, name: `LJ-200 launch ${run}` };
  let sequence = 0;
  const eventId = (what: string) => `${run}-${(sequence += 1)}-${what}`;

  const seed = async (story: ConsoleStory) => {
    await system.data(
      `mutation Setup($ana: RegisterCustomerInput!, $ben: RegisterCustomerInput!,
                    $model: RegisterProductModelInput!, $device: RegisterDeviceInput!,
                    $friendDevice: RegisterDeviceInput!, $campaign: CreateCampaignInput!,
                    $contact: SetConsentInput!, $telemetry: SetConsentInput!) {
      ana: registerCustomer(input: $ana) { id }
      ben: registerCustomer(input: $ben) { id }
      registerProductModel(input: $model) { sku }
      device: registerDevice(input: $device) { serial }
      friendDevice: registerDevice(input: $friendDevice) { serial }
      createCampaign(input: $campaign) { id }
      contact: setConsent(input: $contact) { granted }
      telemetry: setConsent(input: $telemetry) { granted }
    }`,
      {
        ana: { id: ana.id, displayName: ana.name },
        ben: { id: ben.id, displayName: ben.name },
        model: { sku, name: 'LJ-200 inkjet printer', category: 'printer' },
        device: { serial, sku },
        friendDevice: { serial: friendSerial, sku },
        campaign: {
          id: campaign.id,
          name: campaign.name,
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: sku,
        },
        contact: {
          customerId: ana.id,
          purpose: 'MARKETING_CONTACT',
          granted: true,
          channels: ['PUSH', 'EMAIL'],
        },
        telemetry: { customerId: ana.id, purpose: 'TELEMETRY_USE', granted: true },
      },
    );
    const order = `${run}-order-1`;
    await system.recordAccepted([
      {
        eventId: eventId('sees-ad'),
        occurredAt: minutes(-60),
        adImpression: { customerId: ana.id, campaignId: campaign.id },
      },
      {
        eventId: eventId('clicks-ad'),
        occurredAt: minutes(-59),
        adClick: { customerId: ana.id, campaignId: campaign.id },
      },
      {
        eventId: eventId('buys'),
        occurredAt: minutes(-58),
        purchase: {
          customerId: ana.id,
          serial,
          orderId: order,
          amount: 199,
          currency: 'USD',
          promisedDeliveryAt: minutes(-40),
        },
      },
      {
        eventId: eventId('shipped'),
        occurredAt: minutes(-57),
        shipmentUpdate: {
          orderId: order,
          carrier: 'Parcel Co',
          status: 'Delivered to the door',
          expectedDeliveryAt: minutes(-50),
        },
      },
      {
        eventId: eventId('delivered'),
        occurredAt: minutes(-50),
        delivery: { orderId: order, inFull: true },
      },
      { eventId: eventId('installed'), occurredAt: minutes(-49), installation: { serial } },
      {
        eventId: eventId('refers'),
        occurredAt: minutes(-40),
        referral: { referrerId: ana.id, referredId: ben.id, sku, code: `${run}-FRIENDS` },
      },
      {
        eventId: eventId('ben-buys'),
        occurredAt: minutes(-30),
        purchase: {
          customerId: ben.id,
          serial: friendSerial,
          orderId: `${run}-order-2`,
          amount: 199,
          currency: 'USD',
          promisedDeliveryAt: minutes(-10),
        },
      },
    ]);
    await eventually(
      () =>
        system.data<{ device: { stage: string | null } }>(
          `query ($serial: ID!) { device(serial: $serial) { stage } }`,
          { serial },
        ),
      (v) => v.device.stage === 'SUPPORT',
      60_000,
    );
    await system.recordAccepted([
      {
        eventId: eventId('telemetry'),
        occurredAt: minutes(0),
        telemetry: { serial, readings: degradingPrinterReadings(`${serial}-reading`, Date.now()) },
      },
    ]);
    const escalated = await eventually(
      () =>
        system.data<{ device: { interventions: Array<{ id: string; status: string }> } }>(
          `query ($serial: ID!) { device(serial: $serial) { interventions { id status } } }`,
          { serial },
        ),
      (v) => v.device.interventions[0]?.status === 'ESCALATED',
      90_000,
    );
    story.interventionId = escalated.device.interventions[0]?.id ?? '';
  };

  const story: ConsoleStory = {
    run,
    ana,
    ben,
    sku,
    serial,
    friendSerial,
    campaign,
    interventionId: '',
    seed: () => seed(story),
    async remove() {
      for (const id of [
        deviceLifecycleWorkflowId(serial),
        deviceLifecycleWorkflowId(friendSerial),
        journeyWorkflowId(ana.id, sku),
        journeyWorkflowId(ben.id, sku),
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
    },
  };
  return story;
}
