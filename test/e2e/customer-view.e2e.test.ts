/**
 * The single customer view (issue 4, item 2): one query through the gateway returns a person's
 * profile, identities, consents, timeline, devices and stages, campaigns touched, referrals,
 * value and sentiment, and costs exactly one request to each subgraph.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

const VIEW = readFileSync(
  path.join(__dirname, '..', '..', 'schema', 'operations', 'customer-view.graphql'),
  'utf8',
);
const DAY = 86_400_000;

interface View {
  customer: {
    id: string;
    displayName: string;
    identities: Array<{ namespace: string; value: string }>;
    consents: Array<{ purpose: string; granted: boolean }>;
    timeline: Array<{
      type: string;
      campaign: { id: string; name: string } | null;
      product: { sku: string; name: string } | null;
      device: { serial: string } | null;
      sentiment: number | null;
    }>;
    referredBy: { id: string } | null;
    referrals: Array<{ id: string; displayName: string }>;
    value: { historical: number; referral: number; total: number; peopleReferred: number };
    sentiment: { score: number | null; mentions: number };
    devices: Array<{ serial: string; stage: string | null; model: { name: string } }>;
    campaignsTouched: Array<{ id: string; name: string }>;
    coupons: Array<{ code: string }>;
  } | null;
}

describe('the single customer view through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('view');
  const id = (name: string) => `${run}-${name}`;
  const sku = id('LJ-200');
  const ana = id('ana');
  const ben = id('ben');
  const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  const record = (events: Array<Record<string, unknown>>) => system.recordAccepted(events);

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!, $d: RegisterDeviceInput!, $c: CreateCampaignInput!,
                 $ana: RegisterCustomerInput!, $ben: RegisterCustomerInput!, $k: SetConsentInput!) {
        registerProductModel(input: $m) { sku }
        registerDevice(input: $d) { serial }
        createCampaign(input: $c) { id }
        ana: registerCustomer(input: $ana) { id }
        ben: registerCustomer(input: $ben) { id }
        setConsent(input: $k) { granted }
      }`,
      {
        m: { sku, name: 'LJ-200 inkjet printer' },
        d: { serial: id('PRN-1'), sku },
        c: {
          id: id('social'),
          name: 'LJ-200 launch',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: sku,
        },
        ana: { id: ana, displayName: 'Ana' },
        ben: { id: ben, displayName: 'Ben' },
        k: { customerId: ana, purpose: 'MARKETING_CONTACT', granted: true, channels: ['EMAIL'] },
      },
    );
    await record([
      {
        eventId: id('ad'),
        occurredAt: at(10),
        adClick: { customerId: ana, campaignId: id('social') },
      },
      {
        eventId: id('buys'),
        occurredAt: at(9),
        purchase: {
          customerId: ana,
          serial: id('PRN-1'),
          orderId: id('order-1'),
          amount: 200,
          currency: 'USD',
          promisedDeliveryAt: at(5),
        },
      },
      {
        eventId: id('signs-in'),
        occurredAt: at(8),
        identifiers: [{ namespace: 'EMAIL', value: `${run}@example.com` }],
        identify: { customerId: ana },
      },
      {
        eventId: id('review'),
        occurredAt: at(7),
        review: { customerId: ana, sku, rating: 5, text: 'Excellent printer, I love it' },
      },
      {
        eventId: id('refers'),
        occurredAt: at(6),
        referral: { referrerId: ana, referredId: ben, sku },
      },
      {
        eventId: id('ben-orders'),
        occurredAt: at(5),
        order: { customerId: ben, orderId: id('order-2'), amount: 40, currency: 'USD' },
      },
    ]);
    // The device's stage is the lifecycle's to record.
    await eventually(
      () =>
        system.data<{ device: { stage: string | null } }>(
          `query ($s: ID!) { device(serial: $s) { stage } }`,
          { s: id('PRN-1') },
        ),
      ({ device }) => device.stage === 'PURCHASED',
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers everything about a person in one request to each subgraph', async () => {
    system.resetSubgraphRequests();
    const { customer } = await system.data<View>(VIEW, { id: ana });
    expect(system.subgraphRequests()).toEqual({ customers: 1, products: 1, campaigns: 1 });

    expect(customer).toMatchObject({
      id: ana,
      displayName: 'Ana',
      identities: [{ namespace: 'EMAIL', value: `${run}@example.com` }],
      consents: [{ purpose: 'MARKETING_CONTACT', granted: true }],
      referredBy: null,
      referrals: [{ id: ben, displayName: 'Ben' }],
      value: { historical: 200, referral: 20, total: 220, peopleReferred: 1 },
      sentiment: { mentions: 1 },
      devices: [
        { serial: id('PRN-1'), stage: 'PURCHASED', model: { name: 'LJ-200 inkjet printer' } },
      ],
      campaignsTouched: [{ id: id('social'), name: 'LJ-200 launch' }],
    });
    expect(customer?.sentiment.score).toBeGreaterThan(0);
    // Newest first, across channels, with names the customers subgraph provides. (The journey
    // adds touchpoints of its own, such as a retargeting offer, between them.)
    const sent = new Set(['REFERRAL', 'REVIEW', 'IDENTIFY', 'PURCHASE', 'AD_CLICK']);
    expect(customer?.timeline.map((t) => t.type).filter((t) => sent.has(t))).toEqual([
      'REFERRAL',
      'REVIEW',
      'IDENTIFY',
      'PURCHASE',
      'AD_CLICK',
    ]);
    expect(customer?.timeline.at(-1)).toMatchObject({
      campaign: { id: id('social'), name: 'LJ-200 launch' },
      product: { sku, name: 'LJ-200 inkjet printer' },
    });
    expect(customer?.timeline.find((t) => t.type === 'PURCHASE')?.device).toEqual({
      serial: id('PRN-1'),
    });
  });

  it('costs the same single requests for the person at the other end of a referral', async () => {
    system.resetSubgraphRequests();
    const { customer } = await system.data<View>(VIEW, { id: ben });
    expect(system.subgraphRequests()).toEqual({ customers: 1, products: 1, campaigns: 1 });
    expect(customer).toMatchObject({
      referredBy: { id: ana },
      value: { historical: 40, referral: 0, total: 40 },
      devices: [],
      campaignsTouched: [],
    });
  });
});
