import type { IntakeEvent } from './kinds';
import { createEventParser, namePerson } from './parse';
import type { EventFacts } from './facts';
import { factsBeforeOwnWrite, isRejection, planEvent } from './rules';

const parse = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'));
const event = (raw: Record<string, unknown>): IntakeEvent => {
  const parsed = parse({ eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z', ...raw });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return namePerson(parsed.event);
};

const facts = (overrides: Partial<EventFacts> = {}): EventFacts => ({
  touchpoint: null,
  customer: { optedOutSkus: [], ownedSerials: [] },
  modelFound: true,
  campaignSku: 'LJ-200',
  device: { sku: 'LJ-200', sold: false, ownerId: null },
  order: null,
  storeFound: true,
  coupon: null,
  answer: null,
  referral: { referredFound: true, alreadyReferredBy: null, wouldCycle: false },
  ...overrides,
});

const purchase = (extra: Record<string, unknown> = {}) =>
  event({
    purchase: {
      customerId: 'ana',
      serial: 'PRN-1',
      orderId: 'o-1',
      amount: 199,
      currency: 'USD',
      promisedDeliveryAt: '2026-05-04T00:00:00Z',
      ...extra,
    },
  });

describe('validating raw events', () => {
  it('names the bad field of the payload', () => {
    const result = parse({
      eventId: 'e1',
      occurredAt: '2026-05-01T10:00:00Z',
      feedback: { serial: 'PRN-1', rating: 9 },
    });
    expect(result).toEqual({
      ok: false,
      problem: { path: 'feedback.rating', message: 'feedback.rating: must be 1 to 5' },
    });
  });

  it('refuses text with control characters or unpaired surrogates, naming the field', () => {
    expect(
      parse({
        eventId: 'e1',
        occurredAt: '2026-05-01T10:00:00Z',
        identify: { customerId: 'ana', displayName: 'Ana\u0000' },
      }),
    ).toEqual({
      ok: false,
      problem: {
        path: 'identify.displayName',
        message: 'identify.displayName: must not contain control characters (U+0000 at position 3)',
      },
    });
    expect(
      parse({
        eventId: 'e1',
        occurredAt: '2026-05-01T10:00:00Z',
        supportRequest: { serial: 'PRN-1', topic: 'jam \ud83d' },
      }),
    ).toMatchObject({
      ok: false,
      problem: {
        path: 'supportRequest.topic',
        message:
          'supportRequest.topic: must be valid Unicode: an unpaired surrogate U+D83D at position 4',
      },
    });
  });

  it('wants exactly one payload', () => {
    const none = parse({ eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z' });
    expect(none.ok ? '' : none.problem.message).toMatch(
      /^event: exactly one of identify, adImpression, adClick/,
    );
    const two = parse({
      eventId: 'e1',
      occurredAt: '2026-05-01T10:00:00Z',
      installation: { serial: 'A' },
      feedback: { serial: 'A', rating: 3 },
    });
    expect(two).toEqual({
      ok: false,
      problem: {
        path: 'feedback',
        message: 'event: only one payload may be set, got installation and feedback',
      },
    });
  });

  it('refuses events from the future and an opt-out naming both or neither product key', () => {
    expect(
      parse({ eventId: 'e1', occurredAt: '2026-07-01T00:00:00Z', installation: { serial: 'A' } }),
    ).toMatchObject({
      ok: false,
      problem: { path: 'occurredAt' },
    });
    expect(
      parse({
        eventId: 'e1',
        occurredAt: '2026-05-01T00:00:00Z',
        optOut: { customerId: 'ana', serial: 'A', sku: 'B' },
      }),
    ).toMatchObject({
      ok: false,
      problem: {
        path: 'optOut.serial',
        message: 'optOut.serial: give exactly one of serial and sku',
      },
    });
  });
});

describe('plausible money and dates', () => {
  const payloadProblem = (raw: Record<string, unknown>, occurredAt = '2026-05-01T10:00:00Z') => {
    const r = parse({ eventId: 'e1', occurredAt, ...raw });
    return r.ok ? null : r.problem;
  };
  const order = (extra: Record<string, unknown>) => ({
    order: { customerId: 'ana', orderId: 'cd-1', amount: 12.5, currency: 'USD', ...extra },
  });
  const buy = (extra: Record<string, unknown>) => ({
    purchase: {
      customerId: 'ana',
      serial: 'PRN-1',
      orderId: 'o-1',
      amount: 199,
      currency: 'USD',
      promisedDeliveryAt: '2026-05-04T00:00:00Z',
      ...extra,
    },
  });

  it("wants a whole number of the currency's smallest unit", () => {
    expect(payloadProblem(order({ amount: 19.999 }))).toEqual({
      path: 'order.amount',
      message: "order.amount: must be a whole multiple of 0.01 USD, the currency's smallest unit",
    });
    expect(payloadProblem(order({ amount: 5e-324 }))?.path).toBe('order.amount');
    expect(payloadProblem(order({ amount: 1500.5, currency: 'JPY' }))?.message).toBe(
      "order.amount: must be a whole multiple of 1 JPY, the currency's smallest unit",
    );
    expect(payloadProblem(order({ amount: 1.234, currency: 'BHD' }))).toBeNull();
    // Sums of cents in floating point are whole numbers of cents within rounding.
    expect(payloadProblem(order({ amount: 29.97 }))).toBeNull();
    expect(payloadProblem(order({ amount: 0.1 + 0.2 }))).toBeNull();
  });

  it('refuses currencies ISO 4217 does not know', () => {
    expect(payloadProblem(order({ currency: 'XYZ' }))).toEqual({
      path: 'order.currency',
      message: 'order.currency: must be an ISO-4217 currency code',
    });
  });

  it('takes a free order, but not a device given for nothing or for more than a million', () => {
    expect(payloadProblem(order({ amount: 0 }))).toBeNull();
    expect(payloadProblem(order({ amount: -0.01 }))?.path).toBe('order.amount');
    expect(payloadProblem(buy({ amount: 0 }))).toEqual({
      path: 'purchase.amount',
      message: 'purchase.amount: must be more than 0',
    });
    expect(payloadProblem(buy({ amount: 1_000_000.01 }))?.path).toBe('purchase.amount');
  });

  it('refuses events dated before the earliest accepted day, which is configurable', () => {
    expect(payloadProblem(order({}), '1900-01-01T00:00:00Z')).toEqual({
      path: 'occurredAt',
      message: 'occurredAt: must not be before 1990-01-01, the earliest date accepted',
    });
    expect(payloadProblem(order({}), '0001-01-01T00:00:00Z')?.path).toBe('occurredAt');
    expect(payloadProblem(order({}), '1997-01-01T00:00:00Z')).toBeNull();
    const strict = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'), '2020-01-01');
    expect(
      strict({ eventId: 'e', occurredAt: '2019-12-31T23:59:59Z', ...order({}) }),
    ).toMatchObject({ ok: false, problem: { path: 'occurredAt' } });
    expect(strict({ eventId: 'e', occurredAt: '2020-01-01T00:00:00Z', ...order({}) }).ok).toBe(
      true,
    );
  });

  it('refuses a delivery promised before the sale or more than a year after it', () => {
    const decide = (promisedDeliveryAt: string) =>
      planEvent(event(buy({ promisedDeliveryAt })), facts());
    expect(decide('9999-12-31T00:00:00Z')).toEqual({
      code: 'INVALID',
      path: 'purchase.promisedDeliveryAt',
      message:
        "purchase.promisedDeliveryAt: must be at most 1 days before and 366 days after the event's occurredAt (2026-05-01T10:00:00.000Z), got 9999-12-31T00:00:00.000Z",
    });
    expect(decide('2026-04-29T00:00:00Z')).toMatchObject({ code: 'INVALID' });
    expect(isRejection(decide('2026-05-01T00:00:00Z'))).toBe(false);
    expect(isRejection(decide('2027-05-01T00:00:00Z'))).toBe(false);
    expect(decide('2027-05-03T00:00:00Z')).toMatchObject({ code: 'INVALID' });
  });

  it("refuses a carrier's delivery estimate more than a year from its update", () => {
    const update = (expectedDeliveryAt: string) =>
      planEvent(
        event({
          shipmentUpdate: { orderId: 'o-1', carrier: 'DHL', status: 'late', expectedDeliveryAt },
        }),
        facts({ order: null }),
      );
    expect(update('2030-01-01T00:00:00Z')).toMatchObject({
      code: 'INVALID',
      path: 'shipmentUpdate.expectedDeliveryAt',
    });
    // Within range, the rules go on to the order, which is unknown here.
    expect(update('2026-05-06T00:00:00Z')).toMatchObject({ code: 'UNKNOWN_REFERENCE' });
  });
});

describe('deciding events against the graph', () => {
  it('routes an ad click to the journey of the person and the campaign product', () => {
    const plan = planEvent(event({ adClick: { customerId: 'ana', campaignId: 'c1' } }), facts());
    expect(isRejection(plan) ? null : plan.journeyEvents).toEqual([
      {
        eventId: 'e1',
        occurredAt: '2026-05-01T10:00:00.000Z',
        type: 'AD_CLICK',
        customerId: 'ana',
        sku: 'LJ-200',
        campaignId: 'c1',
      },
    ]);
  });

  it('hands a purchase to both the device lifecycle and the journey', () => {
    const plan = planEvent(purchase(), facts());
    expect(isRejection(plan)).toBe(false);
    if (isRejection(plan)) return;
    expect(plan.deviceEvents.map((e) => [e.type, e.serial])).toEqual([['PURCHASED', 'PRN-1']]);
    expect(plan.journeyEvents.map((e) => [e.type, e.sku])).toEqual([['PURCHASED', 'LJ-200']]);
  });

  it.each([
    ['an unknown customer', facts({ customer: null }), 'UNKNOWN_REFERENCE', 'purchase.customerId'],
    ['an unknown device', facts({ device: null }), 'UNKNOWN_REFERENCE', 'purchase.serial'],
    [
      'a device sold before',
      facts({ device: { sku: 'LJ-200', sold: true, ownerId: 'ben' } }),
      'CONFLICT',
      'purchase.serial',
    ],
    [
      'a person who opted out',
      facts({ customer: { optedOutSkus: ['LJ-200'], ownedSerials: [] } }),
      'OPTED_OUT',
      'purchase.customerId',
    ],
  ])('rejects a purchase by %s', (_what, given, code, path) => {
    expect(planEvent(purchase(), given)).toMatchObject({ code, path });
  });

  it('checks a coupon: issued to the buyer, unused, for this product and store', () => {
    const coupon = {
      redeemed: false,
      expired: false,
      customerId: 'ana',
      storeId: 's1',
      sku: 'LJ-200',
    };
    const withCoupon = purchase({ storeId: 's1', couponCode: 'CPN-1' });
    expect(isRejection(planEvent(withCoupon, facts({ coupon })))).toBe(false);
    expect(planEvent(withCoupon, facts({ coupon: { ...coupon, redeemed: true } }))).toMatchObject({
      code: 'CONFLICT',
      path: 'purchase.couponCode',
      message: 'Coupon CPN-1 was already used',
    });
    expect(
      planEvent(withCoupon, facts({ coupon: { ...coupon, customerId: 'ben' } })),
    ).toMatchObject({
      message: 'Coupon CPN-1 was not issued to customer ana',
    });
    expect(
      planEvent(purchase({ storeId: 's2', couponCode: 'CPN-1' }), facts({ coupon })),
    ).toMatchObject({
      message: 'Coupon CPN-1 is only valid at store s1',
    });
  });

  it('rejects a second delivery of an order', () => {
    const delivered = facts({
      order: {
        deliveredAt: '2026-05-02T00:00:00Z',
        serial: 'PRN-1',
        sku: 'LJ-200',
        buyerId: 'ana',
        storeId: null,
        carrierId: null,
      },
    });
    expect(
      planEvent(event({ delivery: { orderId: 'o-1', inFull: true } }), delivered),
    ).toMatchObject({
      code: 'CONFLICT',
      path: 'delivery.orderId',
      message: 'Order o-1 was already delivered at 2026-05-02T00:00:00.000Z',
    });
  });

  it('judges a resent purchase on the graph as it was before its own write', () => {
    const afterOwnWrite = facts({
      device: { sku: 'LJ-200', sold: true, ownerId: 'ana' },
      order: {
        deliveredAt: null,
        serial: 'PRN-1',
        sku: 'LJ-200',
        buyerId: 'ana',
        storeId: null,
        carrierId: null,
      },
    });
    expect(isRejection(planEvent(purchase(), afterOwnWrite))).toBe(true);
    expect(isRejection(planEvent(purchase(), factsBeforeOwnWrite(purchase(), afterOwnWrite)))).toBe(
      false,
    );
  });

  it('opts out of every device of the model the person owns', () => {
    const plan = planEvent(
      event({ optOut: { customerId: 'ana', sku: 'LJ-200' } }),
      facts({ customer: { optedOutSkus: [], ownedSerials: ['PRN-1', 'PRN-2'] } }),
    );
    if (isRejection(plan)) throw new Error(plan.message);
    expect(plan.deviceEvents.map((e) => [e.type, e.serial, e.eventId])).toEqual([
      ['OPT_OUT', 'PRN-1', 'e1:PRN-1'],
      ['OPT_OUT', 'PRN-2', 'e1:PRN-2'],
    ]);
    expect(plan.journeyEvents.map((e) => e.type)).toEqual(['OPT_OUT']);
  });
});

describe('deciding referrals', () => {
  const referral = (referredId = 'ben') =>
    event({ referral: { referrerId: 'ana', referredId, sku: 'LJ-200', code: 'ANA50' } });

  it('links the two people, with the referrer as the touchpoint owner', () => {
    const plan = planEvent(referral(), facts());
    expect(plan).toMatchObject({
      params: { customerId: 'ana', referredId: 'ben', code: 'ANA50' },
    });
  });

  it('refuses a self-referral, a second referrer and a cycle', () => {
    expect(
      parse({
        eventId: 'e',
        occurredAt: '2026-05-01T00:00:00Z',
        referral: { referrerId: 'ana', referredId: 'ana', sku: 'X' },
      }),
    ).toMatchObject({
      ok: false,
      problem: {
        path: 'referral.referredId',
        message: 'referral.referredId: a customer cannot refer themselves',
      },
    });
    expect(
      planEvent(
        referral(),
        facts({ referral: { referredFound: true, alreadyReferredBy: 'cy', wouldCycle: false } }),
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      path: 'referral.referredId',
      message: 'Customer ben was already referred by cy',
    });
    expect(
      planEvent(
        referral(),
        facts({ referral: { referredFound: true, alreadyReferredBy: null, wouldCycle: true } }),
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      path: 'referral.referrerId',
    });
    expect(
      planEvent(
        referral(),
        facts({ referral: { referredFound: false, alreadyReferredBy: null, wouldCycle: false } }),
      ),
    ).toMatchObject({
      code: 'UNKNOWN_REFERENCE',
      path: 'referral.referredId',
    });
  });
});

describe('events naming a person by identifiers', () => {
  const at = { eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z' };

  it('rejects an unknown namespace with its path and the known ones', () => {
    const result = parse({
      ...at,
      identifiers: [
        { namespace: 'EMAIL', value: 'ana@example.com' },
        { namespace: 'FAX', value: '123' },
      ],
      adClick: { campaignId: 'c1' },
    });
    expect(result).toEqual({
      ok: false,
      problem: {
        path: 'identifiers[1].namespace',
        message: expect.stringMatching(
          /^identifiers\[1\]\.namespace: unknown namespace "FAX"; known namespaces: LOYALTY_ID, EMAIL/,
        ),
      },
    });
  });

  it('wants a customerId or an identifier, and identifiers only where a person is named', () => {
    expect(parse({ ...at, adClick: { campaignId: 'c1' } })).toEqual({
      ok: false,
      problem: {
        path: 'adClick.customerId',
        message: 'adClick.customerId: give customerId or at least one identifier',
      },
    });
    expect(
      parse({
        ...at,
        identifiers: [{ namespace: 'EMAIL', value: 'ana@example.com' }],
        installation: { serial: 'A' },
      }),
    ).toMatchObject({ ok: false, problem: { path: 'identifiers' } });
  });

  it('normalises identifiers and keeps customerId optional', () => {
    const result = parse({
      ...at,
      identifiers: [{ namespace: 'EMAIL', value: ' Ana@Example.com' }],
      identify: {},
    });
    expect(result).toEqual({
      ok: true,
      event: {
        ...at,
        occurredAt: '2026-05-01T10:00:00.000Z',
        field: 'identify',
        data: { customerId: null, displayName: null },
        identifiers: [
          { namespace: 'EMAIL', value: 'ana@example.com', key: 'EMAIL:ana@example.com' },
        ],
      },
    });
    const named = parse({ ...at, adClick: { customerId: 'ana', campaignId: 'c1' } });
    expect(named.ok && named.event.identifiers).toEqual([]);
  });
});

describe('voice of the customer', () => {
  const answer = { authorId: 'ben', sku: 'LJ-200', key: 'answer-event', voteKey: null };

  it('scores a review for sentiment and keeps its rating', () => {
    const plan = planEvent(
      event({ review: { customerId: 'ana', sku: 'LJ-200', rating: 5, text: 'Excellent!' } }),
      facts(),
    );
    expect(isRejection(plan) ? plan : plan.params).toMatchObject({
      type: 'REVIEW',
      customerId: 'ana',
      sku: 'LJ-200',
      rating: 5,
      sentiment: 0.6,
    });
  });

  it('refuses a rating out of range and an unknown product model', () => {
    const bad = parse({
      eventId: 'e1',
      occurredAt: '2026-05-01T10:00:00Z',
      review: { customerId: 'ana', sku: 'LJ-200', rating: 0, text: 'meh' },
    });
    expect(bad.ok ? null : bad.problem).toEqual({
      path: 'review.rating',
      message: 'review.rating: must be 1 to 5',
    });
    const plan = planEvent(
      event({ socialMention: { customerId: 'ana', sku: 'X', platform: 'Instagram', text: 'hi' } }),
      facts({ modelFound: false }),
    );
    expect(plan).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: 'socialMention.sku',
      message: 'No product model has sku X',
    });
  });

  it('refuses a social mention whose url is not http(s)', () => {
    const bad = parse({
      eventId: 'e1',
      occurredAt: '2026-05-01T10:00:00Z',
      socialMention: {
        customerId: 'ana',
        sku: 'LJ-200',
        platform: 'Instagram',
        text: 'hi',
        url: 'javascript:alert(1)',
      },
    });
    expect(bad.ok ? null : bad.problem.path).toBe('socialMention.url');
  });

  it('refuses an answer id already used by another event, not by its own resend', () => {
    const answerEvent = (eventId: string) =>
      parse({
        eventId,
        occurredAt: '2026-05-01T10:00:00Z',
        communityAnswer: { customerId: 'ben', sku: 'LJ-200', answerId: 'a1', text: 'Use tray 2' },
      });
    const again = answerEvent('another-event');
    const resend = answerEvent('answer-event');
    if (!again.ok || !resend.ok) throw new Error('valid events expected');
    expect(planEvent(namePerson(again.event), facts({ answer }))).toMatchObject({
      code: 'CONFLICT',
      path: 'communityAnswer.answerId',
    });
    expect(isRejection(planEvent(namePerson(resend.event), facts({ answer })))).toBe(false);
  });

  it("refuses a vote on an unknown answer, on one's own answer, and a second vote", () => {
    const vote = (customerId: string) =>
      event({ answerVote: { customerId, answerId: 'a1', helpful: true } });
    expect(planEvent(vote('ana'), facts())).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: 'answerVote.answerId',
      message: 'No community answer has id a1',
    });
    expect(planEvent(vote('ben'), facts({ answer }))).toEqual({
      code: 'CONFLICT',
      path: 'answerVote.customerId',
      message: 'Customer ben wrote answer a1 and cannot vote on it',
    });
    expect(
      planEvent(vote('ana'), facts({ answer: { ...answer, voteKey: 'earlier-vote' } })),
    ).toEqual({
      code: 'CONFLICT',
      path: 'answerVote.answerId',
      message: 'Customer ana already voted on answer a1',
    });
    const plan = planEvent(vote('ana'), facts({ answer }));
    expect(isRejection(plan) ? plan : plan.params).toMatchObject({
      type: 'ANSWER_VOTE',
      customerId: 'ana',
      sku: 'LJ-200',
      answerId: 'a1',
      helpful: true,
      answerAuthorId: 'ben',
    });
  });

  it('scores the comment of device feedback', () => {
    const plan = planEvent(
      event({ feedback: { serial: 'PRN-1', rating: 1, comment: 'Terrible printer' } }),
      facts({ device: { sku: 'LJ-200', sold: true, ownerId: 'ana' } }),
    );
    expect(isRejection(plan) ? plan : plan.params['sentiment']).toBeCloseTo(-0.3, 12);
  });
});

describe('orders without a device', () => {
  const order = (extra: Record<string, unknown> = {}) =>
    event({
      order: { customerId: 'ana', orderId: 'cd-1', amount: 29.97, currency: 'USD', ...extra },
    });

  it('records the order with quantity 1 by default and signals no lifecycle', () => {
    const plan = planEvent(order(), facts({ modelFound: false }));
    expect(plan).toEqual({
      params: {
        eventId: 'e1',
        key: 'e1',
        occurredAt: '2026-05-01T10:00:00.000Z',
        type: 'ORDER',
        customerId: 'ana',
        orderId: 'cd-1',
        amount: 29.97,
        currency: 'USD',
        quantity: 1,
        sku: null,
        storeId: null,
      },
      deviceEvents: [],
      journeyEvents: [],
    });
  });

  it('validates amount, currency and quantity', () => {
    const bad = (payload: Record<string, unknown>) => {
      const r = parse({ eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z', order: payload });
      return r.ok ? null : r.problem.path;
    };
    const base = { customerId: 'ana', orderId: 'cd-1', amount: 1, currency: 'USD' };
    expect(bad({ ...base, amount: -1 })).toBe('order.amount');
    expect(bad({ ...base, currency: 'usd' })).toBe('order.currency');
    expect(bad({ ...base, quantity: 0 })).toBe('order.quantity');
    expect(bad({ ...base, quantity: 1.5 })).toBe('order.quantity');
    expect(bad({ ...base, quantity: 3 })).toBeNull();
  });

  it('refuses unknown customers and skus, reused order ids and opted-out products', () => {
    const code = (outcome: ReturnType<typeof planEvent>) =>
      isRejection(outcome) ? `${outcome.code} ${outcome.path}` : 'planned';
    expect(code(planEvent(order(), facts({ customer: null })))).toBe(
      'UNKNOWN_REFERENCE order.customerId',
    );
    expect(code(planEvent(order({ sku: 'INK-1' }), facts({ modelFound: false })))).toBe(
      'UNKNOWN_REFERENCE order.sku',
    );
    const existing = {
      deliveredAt: null,
      serial: null,
      sku: null,
      buyerId: 'ana',
      storeId: null,
      carrierId: null,
    };
    expect(code(planEvent(order(), facts({ order: existing })))).toBe('CONFLICT order.orderId');
    expect(
      code(
        planEvent(
          order({ sku: 'INK-1' }),
          facts({ customer: { optedOutSkus: ['INK-1'], ownedSerials: [] } }),
        ),
      ),
    ).toBe('OPTED_OUT order.sku');
    // A resend whose first attempt wrote the order is judged without its own order.
    const resent = order();
    expect(code(planEvent(resent, factsBeforeOwnWrite(resent, facts({ order: existing }))))).toBe(
      'planned',
    );
  });

  it('delivers a device-less order without signalling a device lifecycle', () => {
    const delivery = event({ delivery: { orderId: 'cd-1', inFull: true } });
    const plan = planEvent(
      delivery,
      facts({
        order: {
          deliveredAt: null,
          serial: null,
          sku: null,
          buyerId: 'ana',
          storeId: null,
          carrierId: null,
        },
      }),
    );
    expect(isRejection(plan) ? plan : plan.deviceEvents).toEqual([]);
  });

  it("hands lifecycles the event's id within its sender's ids, and keys the touchpoint by it", () => {
    const key = 'partner:demo-retailer:e1';
    const plan = planEvent(purchase(), facts(), [], key);
    if (isRejection(plan)) throw new Error(plan.message);
    expect(plan.params).toMatchObject({ eventId: 'e1', key });
    expect([...plan.deviceEvents, ...plan.journeyEvents].map((e) => e.eventId)).toEqual([key, key]);
    const optOut = planEvent(
      event({ optOut: { customerId: 'ana', sku: 'LJ-200' } }),
      facts({ customer: { optedOutSkus: [], ownedSerials: ['PRN-1'] } }),
      [],
      key,
    );
    if (isRejection(optOut)) throw new Error(optOut.message);
    expect(optOut.deviceEvents.map((e) => e.eventId)).toEqual([`${key}:PRN-1`]);
  });

  it('refuses an order at a store that does not exist', () => {
    const o = event({
      order: { customerId: 'ana', orderId: 'cd-2', amount: 1, currency: 'USD', storeId: 's9' },
    });
    expect(planEvent(o, facts({ storeFound: false }))).toMatchObject({
      code: 'UNKNOWN_REFERENCE',
      path: 'order.storeId',
    });
  });
});
