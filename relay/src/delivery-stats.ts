/** What a relay has done since it started (or since its statistics were last reset). */
export interface RelayStats {
  /** Events delivered to running or newly started lifecycles. */
  delivered: number;
  /** Signals sent: one per workflow batch. */
  signals: number;
  /** Events dropped because their device lifecycle had ended. */
  dropped: number;
  /** Deliveries that failed and were handed back to be retried. */
  failures: number;
  /** Workflows being delivered to right now. */
  inFlight: number;
  /**
   * Delivery lag of the most recent events, owed → delivered, in milliseconds: the graph's clock
   * at owing against the relay's at delivery (the same clock on one machine).
   */
  lagMs: { samples: number; p50: number | null; p99: number | null; max: number | null };
}

const percentile = (sorted: readonly number[], p: number): number | null => {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? null;
};

/** Told of each delivery as the statistics count it: the relay's metrics. */
export interface DeliveryObserver {
  delivered(lagsMs: readonly number[]): void;
  dropped(events: number): void;
  failed(): void;
}

/** Counters and a window of the latest lag samples, kept in memory. */
export class DeliveryStats {
  private counts = { delivered: 0, signals: 0, dropped: 0, failures: 0 };
  private lags: number[] = [];
  private next = 0;

  constructor(
    private readonly window = 10_000,
    private readonly observer?: DeliveryObserver,
  ) {}

  delivered(lagsMs: readonly number[]): void {
    this.observer?.delivered(lagsMs);
    this.counts.delivered += lagsMs.length;
    this.counts.signals += 1;
    for (const lag of lagsMs) {
      if (this.lags.length < this.window) this.lags.push(lag);
      else this.lags[this.next] = lag;
      this.next = (this.next + 1) % this.window;
    }
  }

  dropped(events: number): void {
    this.observer?.dropped(events);
    this.counts.dropped += events;
    this.counts.signals += 1;
  }

  failed(): void {
    this.observer?.failed();
    this.counts.failures += 1;
  }

  reset(): void {
    this.counts = { delivered: 0, signals: 0, dropped: 0, failures: 0 };
    this.lags = [];
    this.next = 0;
  }

  snapshot(inFlight: number): RelayStats {
    const sorted = [...this.lags].sort((a, b) => a - b);
    return {
      ...this.counts,
      inFlight,
      lagMs: {
        samples: sorted.length,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? null,
      },
    };
  }
}
