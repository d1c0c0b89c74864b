import {
  apply,
  decide,
  initialState,
  RECENT_EVENT_IDS,
  type DeviceEvent,
  type LifecycleState,
} from './lifecycle-machine';

const event = (
  eventId: string,
  type: DeviceEvent['type'],
  customerId: string | null = null,
): DeviceEvent => ({
  eventId,
  type,
  serial: 'S-1',
  customerId,
  occurredAt: '2026-01-01T00:00:00.000Z',
});

function play(events: DeviceEvent[], state: LifecycleState = initialState('S-1')): LifecycleState {
  return events.reduce((s, e) => apply(s, e, decide(s, e)), state);
}

describe('the device lifecycle machine', () => {
  it('walks purchase, shipment, delivery and installation to support', () => {
    const state = play([
      event('e1', 'PURCHASED', 'ana'),
      event('e2', 'SHIPPED'),
      event('e3', 'DELIVERED'),
      event('e4', 'INSTALLED'),
    ]);
    expect(state.stage).toBe('SUPPORT');
    expect(state.customerId).toBe('ana');
    expect(state.sequence).toBe(4);
    expect(state.history.map((h) => h.stage)).toEqual([
      'PURCHASED',
      'DELIVERING',
      'INSTALLING',
      'SUPPORT',
    ]);
  });

  it('drops a redelivered event id without changing anything', () => {
    const state = play([event('e1', 'PURCHASED', 'ana')]);
    expect(decide(state, event('e1', 'PURCHASED', 'ana'))).toEqual({ kind: 'duplicate' });
    expect(apply(state, event('e1', 'SHIPPED'), { kind: 'duplicate' })).toBe(state);
  });

  it('records a late event without moving the stage back', () => {
    const state = play([event('e1', 'PURCHASED', 'ana'), event('e3', 'DELIVERED')]);
    const late = event('e2', 'SHIPPED');
    expect(decide(state, late)).toEqual({
      kind: 'recorded',
      reason: 'late: the device is already INSTALLING',
    });
    expect(play([late], state).stage).toBe('INSTALLING');
  });

  it('learns the owner from a purchase that arrives after the shipment', () => {
    const state = play([event('e2', 'SHIPPED'), event('e1', 'PURCHASED', 'ana')]);
    expect(state.stage).toBe('DELIVERING');
    expect(state.customerId).toBe('ana');
  });

  it('ignores a purchase by a second customer and anything after retirement', () => {
    const sold = play([event('e1', 'PURCHASED', 'ana')]);
    expect(decide(sold, event('e2', 'PURCHASED', 'ben')).kind).toBe('ignored');
    expect(play([event('e2', 'PURCHASED', 'ben')], sold).customerId).toBe('ana');
    const retired = play([event('e3', 'RETIRED')], sold);
    expect(decide(retired, event('e4', 'INSTALLED'))).toEqual({
      kind: 'ignored',
      reason: 'the lifecycle has ended',
    });
  });

  it('keeps its memory of event ids bounded', () => {
    const many = Array.from({ length: RECENT_EVENT_IDS + 10 }, (_, i) => event(`e${i}`, 'SHIPPED'));
    expect(play(many).recentEventIds).toHaveLength(RECENT_EVENT_IDS);
  });
});
