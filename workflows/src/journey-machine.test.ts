import {
  applyJourney,
  decideJourney,
  initialJourney,
  retargetDueAt,
  type JourneyEvent,
  type JourneyState,
} from './journey-machine';

const base = { customerId: 'ana', sku: 'LJ-200', occurredAt: '2026-01-01T00:00:00.000Z' };
const impression: JourneyEvent = {
  ...base,
  eventId: 'i1',
  type: 'AD_IMPRESSION',
  campaignId: 'c1',
};
const click: JourneyEvent = { ...base, eventId: 'c1', type: 'AD_CLICK', campaignId: 'c1' };
const near = (eventId: string, storeId = 's1'): JourneyEvent => ({
  ...base,
  eventId,
  type: 'STORE_PROXIMITY',
  storeId,
});

function play(events: JourneyEvent[], state: JourneyState = initialJourney('ana', 'LJ-200')) {
  return events.reduce((s, e) => applyJourney(s, e, decideJourney(s, e)), state);
}

describe('the journey machine', () => {
  it('moves from interested to engaged and remembers the campaign', () => {
    const state = play([impression, click]);
    expect(state.stage).toBe('ENGAGED');
    expect(state.campaignId).toBe('c1');
    expect(state.engagedAt).toBe(base.occurredAt);
  });

  it('considers a proximity coupon only for an engaged person, once per store', () => {
    expect(decideJourney(play([impression]), near('p1')).action).toEqual({ kind: 'none' });
    const engaged = play([impression, click]);
    expect(decideJourney(engaged, near('p1')).action).toEqual({
      kind: 'consider-proximity-coupon',
      storeId: 's1',
    });
    const afterVisit = play([near('p1')], engaged);
    expect(decideJourney(afterVisit, near('p2')).action).toEqual({ kind: 'none' });
    expect(decideJourney(afterVisit, near('p3', 's2')).action.kind).toBe(
      'consider-proximity-coupon',
    );
  });

  it('accepts a walk-in purchase without any earlier touch and hands over to the device', () => {
    const decision = decideJourney(initialJourney('ana', 'LJ-200'), {
      ...base,
      eventId: 'p',
      type: 'PURCHASED',
      serial: 'PRN-1',
      orderId: 'o1',
    });
    expect(decision).toMatchObject({
      outcome: 'advanced',
      stage: 'PURCHASED',
      action: { kind: 'hand-over', serial: 'PRN-1' },
    });
  });

  it('wipes on opt-out and ignores anything after', () => {
    const out = play([impression, { ...base, eventId: 'o', type: 'OPT_OUT' }]);
    expect(out.stage).toBe('OPTED_OUT');
    expect(decideJourney(out, click)).toMatchObject({ outcome: 'ignored' });
  });

  it('is due for retargeting once, after engaging, until a purchase', () => {
    const engaged = play([impression, click]);
    expect(retargetDueAt(engaged, 1000)).toBe(Date.parse(base.occurredAt) + 1000);
    expect(retargetDueAt({ ...engaged, retargeted: true }, 1000)).toBeNull();
    expect(retargetDueAt(play([impression]), 1000)).toBeNull();
  });
});
