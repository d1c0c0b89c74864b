import type { IntakeEvent } from './kinds';
import { createEventParser, namePerson } from './parse';
import type { EventFacts } from './facts';
import { isRejection, planEvent } from './rules';

const parse = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'));
const near = (customerId = 'ana'): IntakeEvent => {
  const parsed = parse({
    eventId: 'e1',
    occurredAt: '2026-05-01T10:00:00Z',
    storeProximity: { customerId, sku: 'LJ-200', latitude: 52.52, longitude: 13.405 },
  });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return namePerson(parsed.event);
};

const facts = (overrides: Partial<EventFacts> = {}): EventFacts => ({
  touchpoint: null,
  customer: { optedOutSkus: [], ownedSerials: [] },
  modelFound: true,
  campaignSku: null,
  device: null,
  order: null,
  storeFound: false,
  coupon: null,
  answer: null,
  referral: { referredFound: false, alreadyReferredBy: null, wouldCycle: false },
  ...overrides,
});

describe('a person near partner stores', () => {
  it('owes the journey one signal per store whose geofence holds them, nearest first, each with its own id', () => {
    const plan = planEvent(near(), facts(), ['store-b', 'store-a'], 'service:local:e1');
    if (isRejection(plan)) throw new Error(plan.message);
    expect(plan.journeyEvents).toEqual([
      {
        type: 'STORE_PROXIMITY',
        eventId: 'service:local:e1',
        occurredAt: '2026-05-01T10:00:00.000Z',
        customerId: 'ana',
        sku: 'LJ-200',
        storeId: 'store-b',
      },
      {
        type: 'STORE_PROXIMITY',
        eventId: 'service:local:e1:2',
        occurredAt: '2026-05-01T10:00:00.000Z',
        customerId: 'ana',
        sku: 'LJ-200',
        storeId: 'store-a',
      },
    ]);
    // The touchpoint is at the nearest store; the location is not part of what is written.
    expect(plan.params).toMatchObject({ type: 'STORE_PROXIMITY', storeId: 'store-b' });
    expect(JSON.stringify(plan)).not.toContain('52.52');
  });

  it('keeps the event id for a single store, and owes nothing near none', () => {
    const one = planEvent(near(), facts(), ['store-a'], 'k1');
    const none = planEvent(near(), facts(), [], 'k1');
    if (isRejection(one) || isRejection(none)) throw new Error('rejected');
    expect(one.journeyEvents.map((e) => [e.eventId, 'storeId' in e ? e.storeId : null])).toEqual([
      ['k1', 'store-a'],
    ]);
    expect(none.journeyEvents).toEqual([]);
    expect(none.params).toMatchObject({ storeId: null });
  });

  it('owes nothing for a person who opted out of the model, whatever the stores', () => {
    const plan = planEvent(
      near(),
      facts({ customer: { optedOutSkus: ['LJ-200'], ownedSerials: [] } }),
      ['store-a', 'store-b'],
    );
    expect(plan).toMatchObject({ code: 'OPTED_OUT', path: 'storeProximity.customerId' });
  });
});
