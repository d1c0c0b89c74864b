/**
 * Attribution and funnels through the gateway (issue 4, item 6). The expected credits are
 * computed by hand with the default half-life (7 days) and lookback window (90 days).
 */
import { deviceLifecycleWorkflowId, journeyWorkflowId } from '@experience-graph/workflows';
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

const DAY = 86_400_000;
const AMOUNT = 350;

interface Credit {
  campaign: { id: string } | null;
  referrer: { id: string } | null;
  touchType: string;
  share: number;
  revenue: number;
}

describe('attribution and funnels through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('attribution');
  const id = (name: string) => `${run}-${name}`;
  const sku = id('LJ-200');
  // The purchase an hour ago; every other time is relative to it.
  const placedAt = Date.now() - 3_600_000;
  const daysBefore = (days: number) => new Date(placedAt - days * DAY).toISOString();
  const people = ['rae', 'ann', 'bob', 'cat', 'dan', 'eve'];
  const buyers = ['ann', 'eve'];

  const record = (events: Array<Record<string, unknown>>) => system.recordAccepted(events);
  const ad = (kind: 'adImpression' | 'adClick', who: string, campaign: string, days: number) => ({
    eventId: id(`${kind}-${who}-${campaign}-${days}`),
    occurredAt: daysBefore(days),
    [kind]: { customerId: id(who), campaignId: id(campaign) },
  });
  const purchase = (who: string, days: number) => ({
    eventId: id(`buys-${who}`),
    occurredAt: daysBefore(days),
    purchase: {
      customerId: id(who),
      serial: id(`printer-${who}`),
      orderId: id(`order-${who}`),
      amount: AMOUNT,
      currency: 'USD',
      promisedDeliveryAt: daysBefore(-5),
    },
  });

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!) { registerProductModel(input: $m) { sku } }`,
      {
        m: { sku, name: 'LJ-200' },
      },
    );
    for (const [campaign, channel] of [
      ['social', 'SOCIAL_AD'],
      ['search', 'SEARCH_AD'],
    ] as const) {
      await system.data(
        `mutation ($c: CreateCampaignInput!) { createCampaign(input: $c) { id } }`,
        {
          c: {
            id: id(campaign),
            name: campaign,
            channel,
            journeyStage: 'INTERESTED',
            productSku: sku,
          },
        },
      );
    }
    for (const name of people) {
      await system.data(
        `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
        {
          c: { id: id(name), displayName: name },
        },
      );
    }
    for (const name of buyers) {
      await system.data(
        `mutation ($d: RegisterDeviceInput!) { registerDevice(input: $d) { serial } }`,
        {
          d: { serial: id(`printer-${name}`), sku },
        },
      );
    }
    await record([
      // Ann: too old an impression, a referral by Rae 14 days before, the social ad 7 days
      // before, the search ad clicked at the purchase, and a click after it.
      ad('adImpression', 'ann', 'social', 100),
      {
        eventId: id('rae-refers-ann'),
        occurredAt: daysBefore(14),
        referral: { referrerId: id('rae'), referredId: id('ann'), sku },
      },
      ad('adImpression', 'ann', 'social', 7),
      ad('adClick', 'ann', 'search', 0),
      purchase('ann', 0),
      ad('adClick', 'ann', 'social', -0.01),
      // The rest of the social campaign's audience: Bob only saw it, Cat clicked, Dan saw it
      // and then came near a store with the product.
      ad('adImpression', 'bob', 'social', 6),
      ad('adImpression', 'cat', 'social', 6),
      ad('adClick', 'cat', 'social', 5),
      ad('adImpression', 'dan', 'social', 6),
      {
        eventId: id('dan-near-store'),
        occurredAt: daysBefore(4),
        storeProximity: { customerId: id('dan'), sku, latitude: -89.9, longitude: 0 },
      },
      // Eve buys without any touch.
      purchase('eve', 0),
    ]);
  });

  afterAll(async () => {
    const workflows = [
      ...buyers.map((b) => deviceLifecycleWorkflowId(id(`printer-${b}`))),
      ...people.map((p) => journeyWorkflowId(id(p), sku)),
    ];
    for (const workflowId of workflows) {
      await system.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  // An order is reached through its device; every model in one request.
  const attribution = async (buyer: string) => {
    const credits = 'campaign { id } referrer { id } touchType share revenue';
    const { device } = await system.data<{
      device: { order: Record<string, Credit[]> };
    }>(
      `query ($serial: ID!) { device(serial: $serial) { order {
        first: attribution(model: FIRST_TOUCH) { ${credits} }
        last: attribution(model: LAST_TOUCH) { ${credits} }
        linear: attribution(model: LINEAR) { ${credits} }
        decay: attribution(model: TIME_DECAY) { ${credits} }
      } } }`,
      { serial: id(`printer-${buyer}`) },
    );
    return device.order;
  };

  it('credits each campaign and the referral under the four models', async () => {
    const result = await attribution('ann');
    const summary = (credits: Credit[]) =>
      credits.map((c) => [c.campaign?.id ?? c.referrer?.id, c.touchType, c.share, c.revenue]);
    const rae = id('rae');
    const social = id('social');
    const search = id('search');
    expect(summary(result['first'] ?? [])).toEqual([[rae, 'REFERRAL', 1, AMOUNT]]);
    expect(summary(result['last'] ?? [])).toEqual([[search, 'AD_CLICK', 1, AMOUNT]]);
    const linear = result['linear'] ?? [];
    expect(linear.map((c) => c.campaign?.id ?? c.referrer?.id)).toEqual([rae, social, search]);
    for (const c of linear) {
      expect(c.share).toBeCloseTo(1 / 3, 9);
      expect(c.revenue).toBeCloseTo(AMOUNT / 3, 9);
    }
    // Weights 1/4 (14 days), 1/2 (7 days), 1 (0 days) of a total of 7/4.
    const decay = result['decay'] ?? [];
    expect(decay.map((c) => c.campaign?.id ?? c.referrer?.id)).toEqual([rae, social, search]);
    const expected = [1 / 7, 2 / 7, 4 / 7];
    decay.forEach((c, i) => {
      expect(c.share).toBeCloseTo(expected[i] ?? NaN, 9);
      expect(c.revenue).toBeCloseTo((expected[i] ?? NaN) * AMOUNT, 9);
    });
  });

  it("credits Rae's referral with her share of Ann's order", async () => {
    const { customer } = await system.data<{ customer: Record<string, number> }>(
      `query ($id: ID!) { customer(id: $id) {
        first: referralAttributedRevenue(model: FIRST_TOUCH)
        last: referralAttributedRevenue(model: LAST_TOUCH)
        linear: referralAttributedRevenue(model: LINEAR)
        decay: referralAttributedRevenue(model: TIME_DECAY)
      } }`,
      { id: id('rae') },
    );
    expect(customer['first']).toBe(AMOUNT);
    expect(customer['last']).toBe(0);
    expect(customer['linear']).toBeCloseTo(AMOUNT / 3, 9);
    expect(customer['decay']).toBeCloseTo(AMOUNT / 7, 9);
  });

  it('leaves an order with no touch before it unattributed', async () => {
    const result = await attribution('eve');
    for (const model of ['first', 'last', 'linear', 'decay']) {
      expect(result[model]).toEqual([]);
    }
  });

  it("shows the social campaign's funnel, the revenue it influenced and what it is credited", async () => {
    const { campaign } = await system.data<{
      campaign: {
        funnel: {
          stages: Array<{
            stage: string;
            people: number;
            conversionFromPrevious: number | null;
            conversionFromFirst: number | null;
          }>;
          purchases: number;
          revenueInfluenced: number;
          attributedRevenue: Array<{ model: string; revenue: number }>;
        };
        linear: number;
        decay: number;
      };
    }>(
      `query ($id: ID!) { campaign(id: $id) {
        funnel {
          stages { stage people conversionFromPrevious conversionFromFirst }
          purchases revenueInfluenced attributedRevenue { model revenue }
        }
        linear: attributedRevenue(model: LINEAR)
        decay: attributedRevenue(model: TIME_DECAY)
      } }`,
      { id: id('social') },
    );
    // Saw: Ann, Bob, Cat, Dan. Clicked: Cat (Ann's click on it came after her purchase, but she
    // clicked). Engaged: Ann and Cat (clicks), Dan (store visit). Purchased: Ann.
    expect(campaign.funnel.stages).toEqual([
      { stage: 'SAW', people: 4, conversionFromPrevious: null, conversionFromFirst: 1 },
      { stage: 'CLICKED', people: 2, conversionFromPrevious: 0.5, conversionFromFirst: 0.5 },
      { stage: 'ENGAGED', people: 3, conversionFromPrevious: 1.5, conversionFromFirst: 0.75 },
      { stage: 'PURCHASED', people: 1, conversionFromPrevious: 1 / 3, conversionFromFirst: 0.25 },
    ]);
    expect(campaign.funnel.purchases).toBe(1);
    expect(campaign.funnel.revenueInfluenced).toBe(AMOUNT);
    const byModel = Object.fromEntries(
      campaign.funnel.attributedRevenue.map((r) => [r.model, r.revenue]),
    );
    expect(byModel['FIRST_TOUCH']).toBe(0);
    expect(byModel['LAST_TOUCH']).toBe(0);
    expect(byModel['LINEAR']).toBeCloseTo(AMOUNT / 3, 9);
    expect(byModel['TIME_DECAY']).toBeCloseTo((2 / 7) * AMOUNT, 9);
    expect(campaign.linear).toBeCloseTo(AMOUNT / 3, 9);
    expect(campaign.decay).toBeCloseTo((2 / 7) * AMOUNT, 9);
  });

  it('refuses an unknown attribution model', async () => {
    const response = await system.request(
      `query ($serial: ID!) { device(serial: $serial) { order { attribution(model: MOST_RECENT) { share } } } }`,
      { serial: id('printer-ann') },
    );
    expect(response.errors?.[0]?.message).toMatch(/MOST_RECENT/);
  });
});
