import {
  apply,
  decide,
  initialState,
  installHelpDueAt,
  RECENT_EVENT_IDS,
  type DeviceEvent,
  type LifecycleState,
} from './lifecycle-machine';

const at = '2026-01-01T00:00:00.000Z';
const base = { serial: 'S-1', occurredAt: at };
const purchased = (eventId: string, customerId = 'ana'): DeviceEvent => ({
  ...base,
  eventId,
  type: 'PURCHASED',
  customerId,
  orderId: 'o-1',
});
const shipped = (eventId: string): DeviceEvent => ({
  ...base,
  eventId,
  type: 'SHIPMENT_UPDATE',
  orderId: 'o-1',
});
const delivered = (eventId: string): DeviceEvent => ({
  ...base,
  eventId,
  type: 'DELIVERED',
  orderId: 'o-1',
});
const installed = (eventId: string): DeviceEvent => ({ ...base, eventId, type: 'INSTALLED' });

function play(events: DeviceEvent[], state: LifecycleState = initialState('S-1')): LifecycleState {
  return events.reduce((s, e) => apply(s, e, decide(s, e)), state);
}

describe('the device lifecycle machine', () => {
  it('walks purchase, shipment, delivery and installation to support', () => {
    const state = play([purchased('e1'), shipped('e2'), delivered('e3'), installed('e4')]);
    expect(state.stage).toBe('SUPPORT');
    expect(state.customerId).toBe('ana');
    expect(state.orderId).toBe('o-1');
    expect(state.sequence).toBe(4);
    expect(state.history.map((h) => h.stage)).toEqual([
      'PURCHASED',
      'DELIVERING',
      'INSTALLING',
      'SUPPORT',
    ]);
  });

  it('drops a redelivered event id without changing anything', () => {
    const state = play([purchased('e1')]);
    expect(decide(state, purchased('e1'))).toEqual({ kind: 'duplicate' });
    expect(apply(state, shipped('e1'), { kind: 'duplicate' })).toBe(state);
  });

  it('records a late event without moving the stage back', () => {
    const state = play([purchased('e1'), delivered('e3')]);
    expect(decide(state, shipped('e2'))).toEqual({
      kind: 'recorded',
      reason: 'late: the device is already INSTALLING',
    });
    expect(play([shipped('e2')], state).stage).toBe('INSTALLING');
  });

  it('learns the owner from a purchase that arrives after the shipment', () => {
    const state = play([shipped('e2'), purchased('e1')]);
    expect(state.stage).toBe('DELIVERING');
    expect(state.customerId).toBe('ana');
  });

  it('ignores a purchase by a second customer, and an opt-out by someone who is not the owner', () => {
    const sold = play([purchased('e1')]);
    expect(decide(sold, purchased('e2', 'ben')).kind).toBe('ignored');
    expect(play([purchased('e2', 'ben')], sold).customerId).toBe('ana');
    expect(decide(sold, { ...base, eventId: 'e3', type: 'OPT_OUT', customerId: 'ben' }).kind).toBe(
      'ignored',
    );
  });

  it('forgets the owner on opt-out and ignores everything after the lifecycle ends', () => {
    const optedOut = play([
      purchased('e1'),
      { ...base, eventId: 'e2', type: 'OPT_OUT', customerId: 'ana' },
    ]);
    expect(optedOut.stage).toBe('OPTED_OUT');
    expect(optedOut.customerId).toBeNull();
    expect(decide(optedOut, installed('e3'))).toEqual({
      kind: 'ignored',
      reason: 'the lifecycle has ended',
    });
  });

  it('records support requests and feedback without changing the stage', () => {
    const state = play([purchased('e1'), { ...base, eventId: 'e2', type: 'SUPPORT_REQUEST' }]);
    expect(state.stage).toBe('PURCHASED');
    expect(state.history.at(-1)).toMatchObject({ outcome: 'recorded', note: 'support request' });
  });

  it('schedules installation help once, counted from the delivery time', () => {
    const state = play([purchased('e1'), delivered('e2')]);
    expect(installHelpDueAt(state, 1000)).toBe(Date.parse(at) + 1000);
    expect(installHelpDueAt({ ...state, installHelpOffered: true }, 1000)).toBeNull();
    expect(installHelpDueAt(play([installed('e3')], state), 1000)).toBeNull();
  });

  it('keeps its memory of event ids bounded', () => {
    const many = Array.from({ length: RECENT_EVENT_IDS + 10 }, (_, i) => shipped(`e${i}`));
    expect(play(many).recentEventIds).toHaveLength(RECENT_EVENT_IDS);
  });
});
