import type { DeviceEvent, JourneyEvent } from '@experience-graph/workflows';
import {
  deviceSignalMatters,
  deviceStageAfter,
  journeySignalMatters,
  journeyStageAfter,
  outcomeOf,
} from './lifecycle-rule';

const base = { eventId: 'e', occurredAt: '2026-05-01T10:00:00Z' };
const device = (e: Record<string, unknown>) => ({ ...base, serial: 'P1', ...e }) as DeviceEvent;
const journey = (e: Record<string, unknown>) =>
  ({ ...base, customerId: 'ana', sku: 'LJ', ...e }) as JourneyEvent;

describe('which device signals can change a lifecycle', () => {
  it('sends nothing to a lifecycle that has ended', () => {
    for (const stage of ['OPTED_OUT', 'RETIRED'] as const) {
      expect(deviceSignalMatters(device({ type: 'DELIVERED', orderId: 'o' }), stage)).toBe('ended');
      expect(deviceSignalMatters(device({ type: 'EXPERT_REQUESTED' }), stage)).toBe('ended');
    }
  });

  it('leaves out feedback and support requests, which never change a stage', () => {
    expect(deviceSignalMatters(device({ type: 'FEEDBACK' }), 'SUPPORT')).toBe(false);
    expect(deviceSignalMatters(device({ type: 'SUPPORT_REQUEST' }), null)).toBe(false);
  });

  it('leaves out a late step and sends one ahead of the recorded stage', () => {
    const shipped = device({ type: 'SHIPMENT_UPDATE', orderId: 'o' });
    expect(deviceSignalMatters(shipped, 'PURCHASED')).toBe(true);
    expect(deviceSignalMatters(shipped, 'DELIVERING')).toBe(false);
    expect(deviceSignalMatters(device({ type: 'INSTALLED' }), 'INSTALLING')).toBe(true);
    expect(deviceSignalMatters(device({ type: 'INSTALLED' }), 'SUPPORT')).toBe(false);
  });

  it('always sends purchases, opt-outs, health changes and expert requests to a live lifecycle', () => {
    for (const e of [
      device({ type: 'PURCHASED', customerId: 'ana', orderId: 'o' }),
      device({ type: 'OPT_OUT', customerId: 'ana' }),
      device({ type: 'HEALTH_CHANGE', change: 'FAILED', failureRisk: 1 }),
      device({ type: 'EXPERT_REQUESTED' }),
    ]) {
      expect(deviceSignalMatters(e, 'SUPPORT')).toBe(true);
    }
  });

  it('moves the stage forward only', () => {
    expect(deviceStageAfter(device({ type: 'DELIVERED', orderId: 'o' }), 'PURCHASED')).toBe(
      'INSTALLING',
    );
    expect(deviceStageAfter(device({ type: 'SHIPMENT_UPDATE', orderId: 'o' }), 'SUPPORT')).toBe(
      'SUPPORT',
    );
    expect(deviceStageAfter(device({ type: 'FEEDBACK' }), null)).toBeNull();
  });
});

describe('which journey signals can change a journey', () => {
  it('leaves out a repeated impression for someone interested or engaged, and a repeated click', () => {
    const seen = journey({ type: 'AD_IMPRESSION', campaignId: 'c' });
    const clicked = journey({ type: 'AD_CLICK', campaignId: 'c' });
    expect(journeySignalMatters(seen, null)).toBe(true);
    expect(journeySignalMatters(seen, 'INTERESTED')).toBe(false);
    expect(journeySignalMatters(seen, 'ENGAGED')).toBe(false);
    expect(journeySignalMatters(clicked, 'INTERESTED')).toBe(true);
    expect(journeySignalMatters(clicked, 'ENGAGED')).toBe(false);
  });

  it('sends a touch after the journey ended: it starts a new one', () => {
    const seen = journey({ type: 'AD_IMPRESSION', campaignId: 'c' });
    expect(journeySignalMatters(seen, 'PURCHASED')).toBe(true);
    expect(journeyStageAfter(seen, 'PURCHASED')).toBe('INTERESTED');
  });

  it('always sends proximity, purchases and opt-outs', () => {
    expect(
      journeySignalMatters(journey({ type: 'STORE_PROXIMITY', storeId: 's' }), 'ENGAGED'),
    ).toBe(true);
    expect(journeySignalMatters(journey({ type: 'OPT_OUT' }), 'ENGAGED')).toBe(true);
  });
});

describe('the outcome of an accepted event', () => {
  it('is SIGNALLED if any signal is owed, LIFECYCLE_ENDED if all went to ended lifecycles', () => {
    expect(outcomeOf([false, true])).toBe('SIGNALLED');
    expect(outcomeOf(['ended', 'ended'])).toBe('LIFECYCLE_ENDED');
    expect(outcomeOf(['ended', false])).toBe('RECORDED_ONLY');
    expect(outcomeOf([])).toBe('RECORDED_ONLY');
  });
});
