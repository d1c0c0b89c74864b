import { EVENT_KINDS, type PartnerPrincipal, type Principal } from '@experience-graph/access';
import {
  deviceRefusal,
  factRefusal,
  inputRefusal,
  isPersonRejection,
  kindRefusal,
  linkRightsOf,
  namesNoOne,
  scopedEventId,
} from './event-access';
import { PAYLOAD_FIELDS, type ParsedEvent } from './kinds';
import { createEventParser, namePerson } from './parse';
import type { EventFacts } from './facts';

const parse = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'));
const sent = (raw: Record<string, unknown>): ParsedEvent => {
  const parsed = parse({ eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z', ...raw });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.event;
};

const partner = (role: PartnerPrincipal['role'], reach: Partial<PartnerPrincipal['reach']> = {}) =>
  ({
    kind: 'partner',
    id: `demo-${role.toLowerCase()}`,
    role,
    reach: { campaignIds: [], storeIds: [], skus: [], ...reach },
    linkNamespaces: ['LOYALTY_ID', 'EMAIL', 'PHONE', 'APP_INSTALL', 'SOCIAL_HANDLE', 'COOKIE'],
  }) satisfies Principal;
const service: Principal = { kind: 'service', id: 'local' };
const ana: Principal = { kind: 'person', id: 'cust-ana', customerId: 'cust-ana' };
const adPlatform = partner('adPlatform', { campaignIds: ['camp-1'] });
const retailer = partner('retailer', { storeIds: ['store-1'] });
const carrier = partner('carrier');
const deviceCloud = partner('deviceCloud', { skus: ['LJ-200'] });
const community = partner('community', { skus: ['LJ-200'] });

const facts = (overrides: Partial<EventFacts> = {}): EventFacts => ({
  touchpoint: null,
  customer: { optedOutSkus: [], ownedSerials: [] },
  modelFound: true,
  campaignSku: 'LJ-200',
  device: null,
  order: null,
  storeFound: true,
  coupon: null,
  answer: null,
  referral: { referredFound: true, alreadyReferredBy: null, wouldCycle: false },
  ...overrides,
});
const order = (carrierId: string | null) => ({
  deliveredAt: null,
  serial: 'PRN-1',
  sku: 'LJ-200',
  buyerId: 'ana',
  storeId: 'store-1',
  carrierId,
});
const purchase = (extra: Record<string, unknown> = {}) =>
  sent({
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

describe('event kinds a principal may send', () => {
  it('lists every payload field of the intake in the rights table', () => {
    expect([...PAYLOAD_FIELDS].sort()).toEqual([...EVENT_KINDS].sort());
  });

  it('refuses an ad platform anything but impressions and clicks', () => {
    for (const kind of ['purchase', 'telemetry', 'optOut', 'identify']) {
      expect(kindRefusal(adPlatform, kind)).toEqual({
        code: 'FORBIDDEN',
        path: kind,
        message: `${kind}: Partner demo-adplatform (adPlatform) may not send ${kind} events; nothing was stored`,
      });
    }
    expect(kindRefusal(adPlatform, 'adClick')).toBeNull();
    for (const kind of EVENT_KINDS) expect(kindRefusal(service, kind)).toBeNull();
  });
});

describe('objects of a registration', () => {
  it('keeps an ad platform to its campaigns', () => {
    const click = (campaignId: string) => sent({ adClick: { customerId: 'ana', campaignId } });
    expect(inputRefusal(adPlatform, click('camp-1'))).toBeNull();
    expect(inputRefusal(adPlatform, click('camp-2'))).toMatchObject({
      code: 'FORBIDDEN',
      path: 'adClick.campaignId',
    });
    expect(inputRefusal(service, click('camp-2'))).toBeNull();
  });

  it('wants a retailer to name one of its own stores', () => {
    expect(inputRefusal(retailer, purchase({ storeId: 'store-1' }))).toBeNull();
    expect(inputRefusal(retailer, purchase())).toMatchObject({ path: 'purchase.storeId' });
    expect(inputRefusal(retailer, purchase({ storeId: 'store-2' }))).toMatchObject({
      code: 'FORBIDDEN',
      path: 'purchase.storeId',
    });
    const ink = (storeId?: string) =>
      sent({ order: { customerId: 'ana', orderId: 'o-2', amount: 9, currency: 'USD', storeId } });
    expect(inputRefusal(retailer, ink())).toMatchObject({ path: 'order.storeId' });
    expect(inputRefusal(retailer, ink('store-1'))).toBeNull();
    expect(inputRefusal(service, ink())).toBeNull();
  });

  it('keeps a community to its product models, votes included', () => {
    const review = (sku: string) =>
      sent({ review: { customerId: 'ana', sku, rating: 5, text: 'Great' } });
    expect(inputRefusal(community, review('LJ-200'))).toBeNull();
    expect(inputRefusal(community, review('OJ-9'))).toMatchObject({ path: 'review.sku' });
    const vote = namePerson(
      sent({ answerVote: { customerId: 'ana', answerId: 'a1', helpful: true } }),
    );
    const answer = (sku: string) => ({ authorId: 'ben', sku, key: 'k', voteKey: null });
    expect(factRefusal(community, vote, facts({ answer: answer('LJ-200') }))).toBeNull();
    const other = factRefusal(community, vote, facts({ answer: answer('OJ-9') }));
    // An unknown answer and an answer about another model get the same answer.
    expect(factRefusal(community, vote, facts())).toEqual(other);
    expect(other).toMatchObject({ code: 'FORBIDDEN', path: 'answerVote.answerId' });
  });

  it('lets a carrier report only on the orders handed to it, unknown ones alike', () => {
    const delivery = namePerson(sent({ delivery: { orderId: 'o-1', inFull: true } }));
    expect(factRefusal(carrier, delivery, facts({ order: order(carrier.id) }))).toBeNull();
    const someoneElses = factRefusal(carrier, delivery, facts({ order: order('other') }));
    expect(someoneElses).toMatchObject({ code: 'FORBIDDEN', path: 'delivery.orderId' });
    expect(factRefusal(carrier, delivery, facts())).toEqual(someoneElses);
    expect(factRefusal(carrier, delivery, facts({ order: order(null) }))).toEqual(someoneElses);
    expect(factRefusal(service, delivery, facts({ order: order('other') }))).toBeNull();
  });

  it("keeps a device cloud to its models' devices, unknown serials alike", () => {
    const lj = { sku: 'LJ-200', ownerId: 'ana' };
    expect(deviceRefusal(deviceCloud, 'telemetry', lj)).toBeNull();
    const other = deviceRefusal(deviceCloud, 'telemetry', { sku: 'OJ-9', ownerId: null });
    expect(other).toMatchObject({ code: 'FORBIDDEN', path: 'telemetry.serial' });
    expect(deviceRefusal(deviceCloud, 'telemetry', null)).toEqual(other);
    const installation = namePerson(sent({ installation: { serial: 'PRN-1' } }));
    const device = (sku: string) => ({ sku, sold: true, ownerId: 'ana' });
    expect(factRefusal(deviceCloud, installation, facts({ device: device('LJ-200') }))).toBeNull();
    expect(factRefusal(deviceCloud, installation, facts({ device: device('OJ-9') }))).toMatchObject(
      { path: 'installation.serial' },
    );
  });

  it('keeps a person to themselves and their own devices', () => {
    const optOut = (customerId: string) => sent({ optOut: { customerId, sku: 'LJ-200' } });
    expect(inputRefusal(ana, optOut('cust-ana'))).toBeNull();
    expect(inputRefusal(ana, optOut('cust-ben'))).toMatchObject({
      code: 'FORBIDDEN',
      path: 'optOut.customerId',
    });
    const feedback = namePerson(sent({ feedback: { serial: 'PRN-1', rating: 4 } }));
    const device = (ownerId: string | null) => ({ sku: 'LJ-200', sold: true, ownerId });
    expect(factRefusal(ana, feedback, facts({ device: device('cust-ana') }))).toBeNull();
    const bens = factRefusal(ana, feedback, facts({ device: device('cust-ben') }));
    expect(bens).toMatchObject({ code: 'FORBIDDEN', path: 'feedback.serial' });
    expect(factRefusal(ana, feedback, facts())).toEqual(bens);
  });
});

describe('what reaches a partner about people', () => {
  it('counts unknown, opted-out, erased and shared-only people as person rejections', () => {
    expect(
      isPersonRejection({ code: 'UNKNOWN_REFERENCE', path: 'adClick.customerId', message: '' }),
    ).toBe(true);
    expect(isPersonRejection({ code: 'UNKNOWN_REFERENCE', path: 'identifiers', message: '' })).toBe(
      true,
    );
    for (const code of ['OPTED_OUT', 'ERASED', 'AMBIGUOUS'] as const) {
      expect(isPersonRejection({ code, path: 'x', message: '' })).toBe(true);
    }
    expect(
      isPersonRejection({ code: 'UNKNOWN_REFERENCE', path: 'adClick.campaignId', message: '' }),
    ).toBe(false);
  });

  it('answers them all alike, with a path that depends only on what was sent', () => {
    expect(namesNoOne(sent({ adClick: { customerId: 'ana', campaignId: 'camp-1' } }))).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: 'adClick.customerId',
      message: 'adClick.customerId: names no one this sender may send about',
    });
    const byEmail = sent({
      adClick: { campaignId: 'camp-1' },
      identifiers: [{ namespace: 'EMAIL', value: 'ana@example.com' }],
    });
    expect(namesNoOne(byEmail)).toMatchObject({ path: 'identifiers' });
    expect(namesNoOne(byEmail).message).not.toContain('ana');
  });
});

describe('ids and identity rights per sender', () => {
  it("scopes event ids by sender, in a business key's characters", () => {
    expect(scopedEventId(retailer, 'evt-1')).toBe('partner:demo-retailer:evt-1');
    expect(scopedEventId(service, 'evt-1')).toBe('service:local:evt-1');
    const person = scopedEventId(ana, 'evt-1');
    expect(person).toMatch(/^person-[0-9a-f]{16}:evt-1$/);
    expect(person).not.toContain('cust-ana');
    expect(scopedEventId({ kind: 'person', id: 'x', customerId: 'cust-ana:e' }, '1')).not.toBe(
      scopedEventId({ kind: 'person', id: 'x', customerId: 'cust-ana' }, 'e:1'),
    );
    expect(scopedEventId(carrier, 'evt-1')).not.toBe(scopedEventId(retailer, 'evt-1'));
  });

  it("gives the identity rules each principal's namespaces", () => {
    expect(linkRightsOf(service)).toBeUndefined();
    expect(linkRightsOf(adPlatform)).toEqual({ namespaces: [], self: null });
    expect(linkRightsOf(retailer)).toEqual({ namespaces: ['LOYALTY_ID', 'PHONE'], self: null });
    expect(linkRightsOf(ana)).toMatchObject({ self: 'cust-ana' });
    expect(linkRightsOf(ana, 'cust-survivor')).toMatchObject({ self: 'cust-survivor' });
  });
});
