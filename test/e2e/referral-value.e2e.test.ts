/**
 * DESIGN.md §2 step 10: Ana recommends the LJ-200 to Ben, who buys one and recommends it to
 * five others, two of whom buy. Values follow from the graph; the expected ones are computed
 * here by hand with the default discount of 0.5 per hop.
 */
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

const PRICE = 199;

describe('referral value through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('referral');
  const id = (name: string) => `${run}-${name}`;
  const friends = ['cy', 'di', 'ed', 'fa', 'gu'];
  const buyers = ['ana', 'ben', 'cy', 'di'];
  const at = (minutes: number) => new Date(Date.now() - (100 - minutes) * 60_000).toISOString();
  const record = (events: Array<Record<string, unknown>>) =>
    system.data<{
      recordEvents: {
        results: Array<{
          status: string;
          error: { code: string; path: string; message: string } | null;
        }>;
      };
    }>(
      `mutation ($events: [LifecycleEventInput!]!) { recordEvents(events: $events) { results { status error { code path message } } } }`,
      { events },
    );

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!) { registerProductModel(input: $m) { sku } }`,
      {
        m: { sku: id('LJ-200'), name: 'LJ-200' },
      },
    );
    for (const name of ['ana', 'ben', ...friends]) {
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
          d: { serial: id(`printer-${name}`), sku: id('LJ-200') },
        },
      );
    }
  });

  afterAll(async () => {
    for (const name of buyers) {
      await system.client.workflow
        .getHandle(`device:${id(`printer-${name}`)}`)
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

  it("counts what Ana's and Ben's recommendations brought, each hop discounted", async () => {
    const referral = (from: string, to: string, minute: number) => ({
      eventId: id(`refers-${from}-${to}`),
      occurredAt: at(minute),
      referral: {
        referrerId: id(from),
        referredId: id(to),
        sku: id('LJ-200'),
        code: `${from.toUpperCase()}-FRIENDS`,
      },
    });
    const purchase = (name: string, minute: number) => ({
      eventId: id(`buys-${name}`),
      occurredAt: at(minute),
      purchase: {
        customerId: id(name),
        serial: id(`printer-${name}`),
        orderId: id(`order-${name}`),
        amount: PRICE,
        currency: 'USD',
        promisedDeliveryAt: at(minute + 60),
      },
    });
    const { recordEvents } = await record([
      purchase('ana', 1),
      referral('ana', 'ben', 2),
      purchase('ben', 3),
      ...friends.map((f, i) => referral('ben', f, 4 + i)),
      purchase('cy', 10),
      purchase('di', 11),
    ]);
    expect(recordEvents.results.filter((r) => r.status !== 'ACCEPTED')).toEqual([]);

    type Value = { historical: number; referral: number; total: number; peopleReferred: number };
    const { ana, ben, cy } = await system.data<{
      ana: { value: Value; referrals: Array<{ id: string }> };
      ben: { value: Value; referredBy: { id: string } | null; referrals: Array<{ id: string }> };
      cy: { value: Value };
    }>(
      `query ($ana: ID!, $ben: ID!, $cy: ID!) {
        ana: customer(id: $ana) { value { historical referral total peopleReferred } referrals { id } }
        ben: customer(id: $ben) { value { historical referral total peopleReferred } referredBy { id } referrals { id } }
        cy: customer(id: $cy) { value { historical referral total peopleReferred } }
      }`,
      { ana: id('ana'), ben: id('ben'), cy: id('cy') },
    );
    // Ben: his two buying friends, one hop away: 0.5 × 199 × 2 = 199.
    expect(ben.value).toEqual({ historical: 199, referral: 199, total: 398, peopleReferred: 5 });
    expect(ben.referredBy).toEqual({ id: id('ana') });
    expect(ben.referrals.map((r) => r.id)).toEqual(friends.map(id));
    // Ana: Ben one hop away (0.5 × 199 = 99.5) and his two buyers two hops away
    // (0.25 × 199 × 2 = 99.5): 199 in all.
    expect(ana.value).toEqual({ historical: 199, referral: 199, total: 398, peopleReferred: 6 });
    expect(ana.referrals).toEqual([{ id: id('ben') }]);
    expect(cy.value).toEqual({ historical: 199, referral: 0, total: 199, peopleReferred: 0 });
  });

  it('refuses a second referrer, a cycle and a self-referral, and changes nothing', async () => {
    const { recordEvents } = await record([
      {
        eventId: id('again'),
        occurredAt: at(20),
        referral: { referrerId: id('cy'), referredId: id('ben'), sku: id('LJ-200') },
      },
      {
        eventId: id('cycle'),
        occurredAt: at(21),
        referral: { referrerId: id('di'), referredId: id('ana'), sku: id('LJ-200') },
      },
      {
        eventId: id('self'),
        occurredAt: at(22),
        referral: { referrerId: id('ed'), referredId: id('ed'), sku: id('LJ-200') },
      },
    ]);
    expect(recordEvents.results.map((r) => [r.error?.code, r.error?.path])).toEqual([
      ['CONFLICT', 'events[0].referral.referredId'],
      ['CONFLICT', 'events[1].referral.referrerId'],
      ['INVALID', 'events[2].referral.referredId'],
    ]);
    const { ana } = await system.data<{ ana: { value: { referral: number } } }>(
      `query ($id: ID!) { ana: customer(id: $id) { value { referral } } }`,
      { id: id('ana') },
    );
    expect(ana.value.referral).toBe(199);
  });
});
