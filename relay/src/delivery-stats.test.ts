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
