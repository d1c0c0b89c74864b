import { DeliveryStats } from './delivery-stats';

describe('delivery statistics', () => {
  it('counts events and signals and reports lag percentiles of the latest window', () => {
    const stats = new DeliveryStats(100);
    expect(stats.snapshot(0).lagMs).toEqual({ samples: 0, p50: null, p99: null, max: null });
    stats.delivered(Array.from({ length: 100 }, (_, i) => i + 1));
    stats.dropped(3);
    stats.failed();
    expect(stats.snapshot(2)).toEqual({
      delivered: 100,
      signals: 2,
      dropped: 3,
      failures: 1,
      inFlight: 2,
      lagMs: { samples: 100, p50: 50, p99: 99, max: 100 },
    });
    // The window keeps the latest samples only.
    stats.delivered(Array.from({ length: 100 }, () => 1000));
    expect(stats.snapshot(0).lagMs).toEqual({ samples: 100, p50: 1000, p99: 1000, max: 1000 });
    stats.reset();
    expect(stats.snapshot(0)).toMatchObject({ delivered: 0, signals: 0, lagMs: { samples: 0 } });
  });
});

describe('a delivery observer', () => {
  it('is told of each delivery, drop and failure the statistics count', () => {
    const told: string[] = [];
    const stats = new DeliveryStats(10, {
      delivered: (lags) => told.push(`delivered ${lags.join(',')}`),
      dropped: (events) => told.push(`dropped ${events}`),
      failed: () => told.push('failed'),
    });
    stats.delivered([5, 7]);
    stats.dropped(2);
    stats.failed();
    expect(told).toEqual(['delivered 5,7', 'dropped 2', 'failed']);
    expect(stats.snapshot(0)).toMatchObject({ delivered: 2, dropped: 2, failures: 1 });
  });
});
