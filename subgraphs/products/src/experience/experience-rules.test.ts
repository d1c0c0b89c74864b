import {
  deviceMenu,
  journeyMenu,
  rankOffers,
  type DeviceContext,
  type OfferCandidate,
} from './experience-rules';

const context = (overrides: Partial<DeviceContext>): DeviceContext => ({
  stage: 'SUPPORT',
  noun: 'printer',
  order: null,
  installationHelpOffered: false,
  inkLevel: null,
  lastPaperJamAt: null,
  now: '2026-05-10T12:00:00.000Z',
  ...overrides,
});
const ids = (c: Partial<DeviceContext>) => deviceMenu(context(c)).map((a) => a.id);

describe('the stage-aware menu', () => {
  it('tracks the delivery while waiting, with the promise and the carrier expectation', () => {
    const menu = deviceMenu(
      context({
        stage: 'DELIVERING',
        order: {
          carrierStatus: 'In transit',
          promisedDeliveryAt: '2026-05-04T18:00:00.000Z',
          expectedDeliveryAt: '2026-05-05T12:00:00.000Z',
        },
      }),
    );
    expect(menu).toEqual([
      {
        id: 'WHERE_IS_MY_DEVICE',
        label: 'Where is my printer?',
        detail: 'In transit; promised 2026-05-04; expected 2026-05-05',
      },
      { id: 'TRAINING', label: 'Training before it arrives', detail: null },
      { id: 'TALK_TO_EXPERT', label: 'Talk to an expert', detail: null },
    ]);
  });

  it('switches to installation after delivery, with help once it was offered', () => {
    expect(ids({ stage: 'INSTALLING' })).toEqual(['CONNECT_WIFI', 'CONFIGURE', 'TALK_TO_EXPERT']);
    expect(ids({ stage: 'INSTALLING', installationHelpOffered: true })[0]).toBe(
      'INSTALLATION_HELP',
    );
  });

  it('follows the device state in support: low ink first, a recent jam, always a way to report', () => {
    expect(ids({})).toEqual(['ORDER_INK', 'REPORT_PROBLEM', 'TALK_TO_EXPERT']);
    expect(ids({ inkLevel: 12, lastPaperJamAt: '2026-05-10T08:00:00.000Z' })).toEqual([
      'ORDER_INK',
      'FIX_PAPER_JAM',
      'REPORT_PROBLEM',
      'TALK_TO_EXPERT',
    ]);
    expect(ids({ inkLevel: 80, lastPaperJamAt: '2026-05-01T08:00:00.000Z' })).toEqual([
      'ORDER_INK',
      'REPORT_PROBLEM',
      'TALK_TO_EXPERT',
    ]);
  });

  it('offers an expert at every stage', () => {
    for (const stage of [
      'PURCHASED',
      'DELIVERING',
      'INSTALLING',
      'SUPPORT',
      'OPTED_OUT',
      'RETIRED',
      null,
    ] as const) {
      expect(ids({ stage }).at(-1)).toBe('TALK_TO_EXPERT');
    }
    expect(journeyMenu('ENGAGED', 'LJ-200').map((a) => a.id)).toEqual([
      'LEARN_MORE',
      'TALK_TO_EXPERT',
    ]);
    expect(journeyMenu('OPTED_OUT', 'LJ-200').map((a) => a.id)).toEqual(['TALK_TO_EXPERT']);
  });
});

describe('offers where the person stands', () => {
  const coupon = (overrides: Partial<OfferCandidate>): OfferCandidate => ({
    couponCode: 'CPN-1',
    storeId: 'store-a',
    sku: 'LJ-200',
    amount: 50,
    currency: 'USD',
    expiresAt: '2026-06-01T00:00:00.000Z',
    meters: 100,
    ...overrides,
  });

  it('shows one coupon per store, its best, ranked by the amount off and then the nearest store', () => {
    const offers = rankOffers([
      coupon({ couponCode: 'A-small', storeId: 'store-a', amount: 20, meters: 40 }),
      coupon({ couponCode: 'A-big', storeId: 'store-a', amount: 30, meters: 40 }),
      coupon({ couponCode: 'B', storeId: 'store-b', amount: 50, meters: 300 }),
      coupon({ couponCode: 'C', storeId: 'store-c', amount: 30, meters: 10 }),
    ]);
    expect(offers.map((o) => [o.storeId, o.couponCode])).toEqual([
      ['store-b', 'B'],
      ['store-c', 'C'],
      ['store-a', 'A-big'],
    ]);
    expect(offers[0]).toEqual({
      couponCode: 'B',
      storeId: 'store-b',
      sku: 'LJ-200',
      amount: 50,
      currency: 'USD',
      expiresAt: '2026-06-01T00:00:00.000Z',
    });
  });

  it('of two equal coupons at one store keeps the one valid longer, then the smaller code', () => {
    const later = '2026-07-01T00:00:00.000Z';
    expect(
      rankOffers([coupon({ couponCode: 'X' }), coupon({ couponCode: 'Y', expiresAt: later })]),
    ).toMatchObject([{ couponCode: 'Y' }]);
    expect(rankOffers([coupon({ couponCode: 'Z' }), coupon({ couponCode: 'X' })])).toMatchObject([
      { couponCode: 'X' },
    ]);
  });

  it('shows nothing when no coupon is valid there', () => {
    expect(rankOffers([])).toEqual([]);
  });
});
