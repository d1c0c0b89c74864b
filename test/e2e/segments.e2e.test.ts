/**
 * Rule-based segments kept current as events arrive (issue 4, item 8), through the gateway:
 * memberships follow purchases, device stages, referrals down the chain and consent changes
 * without any recomputation being asked for, and read both ways.
 */
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

const DAY = 86_400_000;

describe('segments through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('segments');
  const id = (name: string) => `${run}-${name}`;
  const sku = id('LJ-200');
  const [ana, ben] = [id('ana'), id('ben')];
  const readerKey = `reader-${run}`.padEnd(24, '0');
  const valuable = id('valuable-owners');
  const advocates = id('advocates');
  const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  const record = (events: Array<Record<string, unknown>>) => system.recordAccepted(events);
  const segmentsOf = async (customerId: string) =>
    (
      await system.data<{ customer: { segments: Array<{ id: string }> } }>(
        `query ($id: ID!) { customer(id: $id) { segments { id } } }`,
        { id: customerId },
      )
    ).customer.segments
      .map((s) => s.id)
      .filter((s) => s.startsWith(run));
  const define = (input: Record<string, unknown>) =>
    system.request<{ defineSegment: { id: string } }>(
      `mutation ($input: DefineSegmentInput!) { defineSegment(input: $input) { id } }`,
      { input },
    );
  const consent = (granted: boolean) =>
    system.data(`mutation ($k: SetConsentInput!) { setConsent(input: $k) { granted } }`, {
      k: { customerId: ana, purpose: 'MARKETING_CONTACT', granted, channels: [] },
    });

  beforeAll(async () => {
    system = await startSystem({
      extraClients: [
        {
          id: 'reader',
          role: 'community',
          key: readerKey,
          campaignIds: [],
          storeIds: [],
          skus: [],
        },
      ],
    });
    await system.data(
      `mutation ($m: RegisterProductModelInput!, $d: RegisterDeviceInput!,
                 $ana: RegisterCustomerInput!, $ben: RegisterCustomerInput!) {
        registerProductModel(input: $m) { sku }
        registerDevice(input: $d) { serial }
        ana: registerCustomer(input: $ana) { id }
        ben: registerCustomer(input: $ben) { id }
      }`,
      {
        m: { sku, name: 'LJ-200' },
        d: { serial: id('PRN-1'), sku },
        ana: { id: ana, displayName: 'Ana' },
        ben: { id: ben, displayName: 'Ben' },
      },
    );
  });

  afterAll(async () => {
    // Segments are global: leave none behind for other tests' events to evaluate.
    for (const segment of [valuable, advocates]) {
      await system?.request(`mutation ($id: ID!) { deleteSegment(id: $id) }`, { id: segment });
    }
    await system?.stop();
  });

  it('refuses a bad definition with the path of the bad part, and stores nothing', async () => {
    const bad = await define({
      id: id('bad'),
      name: 'Bad',
      conditions: [
        { field: 'TOTAL_VALUE', atLeast: 100 },
        { field: 'OWNS_DEVICE_IN_STAGE', value: 'FLYING' },
      ],
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.conditions.1.value',
    });
    expect(bad.errors?.[0]?.message).toContain('OWNS_DEVICE_IN_STAGE needs a value');
    const unknownField = await define({
      id: id('bad'),
      name: 'Bad',
      conditions: [{ field: 'SHOE_SIZE', atLeast: 40 }],
    });
    expect(unknownField.errors?.[0]?.message).toContain('SHOE_SIZE');
    const { segment } = await system.data<{ segment: unknown }>(
      `query ($id: ID!) { segment(id: $id) { id } }`,
      { id: id('bad') },
    );
    expect(segment).toBeNull();
  });

  it('keeps memberships current as purchases, stages, referrals and consents arrive', async () => {
    expect(
      (
        await define({
          id: valuable,
          name: 'Valuable owners we may contact',
          conditions: [
            { field: 'TOTAL_VALUE', atLeast: 150 },
            { field: 'OWNS_DEVICE_IN_STAGE', value: 'PURCHASED' },
            { field: 'CONSENT_GRANTED', value: 'MARKETING_CONTACT' },
          ],
        })
      ).errors,
    ).toBeUndefined();
    expect(
      (
        await define({
          id: advocates,
          name: 'Advocates',
          match: 'ANY',
          conditions: [
            { field: 'REFERRAL_VALUE', atLeast: 10 },
            { field: 'HELPFUL_VOTES', atLeast: 5 },
          ],
        })
      ).errors,
    ).toBeUndefined();
    expect(await segmentsOf(ana)).toEqual([]);

    await consent(true);
    await record([
      {
        eventId: id('buys'),
        occurredAt: at(3),
        purchase: {
          customerId: ana,
          serial: id('PRN-1'),
          orderId: id('order-1'),
          amount: 200,
          currency: 'USD',
          promisedDeliveryAt: at(-2),
        },
      },
    ]);
    // The purchase raises her value at once; the device's stage follows when the lifecycle
    // records it, and with it the membership.
    await eventually(
      () => segmentsOf(ana),
      (segments) => segments.includes(valuable),
    );

    // Ben's order raises Ana's referral value: the refresh reaches up the chain.
    await record([
      {
        eventId: id('refers'),
        occurredAt: at(2),
        referral: { referrerId: ana, referredId: ben, sku },
      },
      {
        eventId: id('ben-orders'),
        occurredAt: at(1),
        order: { customerId: ben, orderId: id('order-2'), amount: 40, currency: 'USD' },
      },
    ]);
    expect(await segmentsOf(ana)).toEqual([advocates, valuable].sort());
    expect(await segmentsOf(ben)).toEqual([]);

    // A consent withdrawn takes her out at once.
    await consent(false);
    expect(await segmentsOf(ana)).toEqual([advocates]);

    // The other direction: the segment's members.
    const { segment } = await system.data<{
      segment: { memberCount: number; members: Array<{ id: string }>; conditions: unknown[] };
    }>(
      `query ($id: ID!) {
        segment(id: $id) { memberCount members(first: 500) { id } conditions { field atLeast value } }
      }`,
      { id: advocates },
    );
    expect(segment.members.map((m) => m.id)).toContain(ana);
    expect(segment.members.map((m) => m.id)).not.toContain(ben);
    expect(segment.memberCount).toBeGreaterThanOrEqual(1);
    expect(segment.conditions).toEqual([
      { field: 'REFERRAL_VALUE', atLeast: 10, value: null },
      { field: 'HELPFUL_VOTES', atLeast: 5, value: null },
    ]);
  });

  it('lets no partner define segments', async () => {
    const forbidden = await system.request(
      `mutation ($id: ID!) { deleteSegment(id: $id) }`,
      { id: advocates },
      readerKey,
    );
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const { segment } = await system.data<{ segment: { id: string } | null }>(
      `query ($id: ID!) { segment(id: $id) { id } }`,
      { id: advocates },
    );
    expect(segment).toEqual({ id: advocates });
  });
});
