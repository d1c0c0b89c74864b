import { counter, gauge, histogram, type ServiceMetrics } from './registry';

/** What is owed on a lane, as the outbox reads it. */
export interface Backlog {
  owed: number;
  /** ISO 8601, the graph's clock; null when nothing is owed. */
  oldestOwedAt: string | null;
}

export interface RelayMetricsOptions {
  /** The task queue the relay delivers on: every series carries it as `lane`. */
  lane: string;
  /** Reads the lane's backlog from the graph; called at each scrape. */
  backlog(): Promise<Backlog>;
  /** Workflows being delivered to right now. */
  inFlight(): number;
  /** A scrape waits this long for the backlog before reporting the last values it read (3 s). */
  backlogTimeoutMs?: number;
  now?: () => number;
}

/** What a relay tells its metrics, at the moments it updates its `/stats`. */
export interface DeliveryObserver {
  /** One signal delivered, with the owed → delivered lag of each of its events. */
  delivered(lagsMs: readonly number[]): void;
  /** One signal's events dropped: their device lifecycle has ended. */
  dropped(events: number): void;
  /** A delivery failed; its signals stay owed and are retried. */
  failed(): void;
}

const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * The outbox relay's metrics, all labelled with its lane:
 *
 * - `eg_relay_owed_signals`, `eg_relay_oldest_owed_age_seconds`: the lane's backlog, read from
 *   the graph at each scrape (every relay of a lane reports the same backlog; take the max);
 * - `eg_relay_backlog_read_failures_total`: scrapes at which the backlog could not be read (the
 *   two gauges then keep their last values);
 * - `eg_relay_events_delivered_total`, `eg_relay_events_dropped_total`,
 *   `eg_relay_signals_sent_total`, `eg_relay_delivery_failures_total`;
 * - `eg_relay_delivery_lag_seconds`: owed → delivered, per event;
 * - `eg_relay_deliveries_in_flight`.
 */
export function relayMetrics(
  metrics: ServiceMetrics,
  options: RelayMetricsOptions,
): DeliveryObserver {
  const lane = { lane: options.lane };
  const now = options.now ?? Date.now;
  const timeoutMs = options.backlogTimeoutMs ?? 3_000;
  const readBacklog = async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([options.backlog(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  // A scrape collects every metric at once: one graph read serves the two gauges and the
  // failure count, which all await it before they are read out.
  let reading: Promise<Backlog | null> | null = null;
  let lastReadFailed = false;
  const backlog = () => {
    reading ??= readBacklog()
      .then(
        (read) => ((lastReadFailed = false), read),
        () => ((lastReadFailed = true), null),
      )
      .finally(() => (reading = null));
    return reading;
  };
  counter(metrics, {
    name: 'eg_relay_backlog_read_failures_total',
    help: 'Scrapes at which the lane backlog could not be read from the graph',
    labelNames: ['lane'] as const,
    async collect() {
      await backlog();
      this.inc(lane, lastReadFailed ? 1 : 0);
    },
  });
  gauge(metrics, {
    name: 'eg_relay_owed_signals',
    help: 'Lifecycle signals owed on the lane and not delivered yet, read from the graph at scrape time',
    labelNames: ['lane'] as const,
    async collect() {
      const read = await backlog();
      if (read) this.set(lane, read.owed);
    },
  });
  gauge(metrics, {
    name: 'eg_relay_oldest_owed_age_seconds',
    help: 'Age of the oldest signal owed on the lane (0 when none is), read from the graph at scrape time',
    labelNames: ['lane'] as const,
    async collect() {
      const read = await backlog();
      if (!read) return;
      const at = read.oldestOwedAt === null ? null : Date.parse(read.oldestOwedAt);
      this.set(lane, at === null ? 0 : Math.max(0, (now() - at) / 1000));
    },
  });
  gauge(metrics, {
    name: 'eg_relay_deliveries_in_flight',
    help: 'Workflows the relay is delivering to right now',
    labelNames: ['lane'] as const,
    collect() {
      this.set(lane, options.inFlight());
    },
  });
  const delivered = counter(metrics, {
    name: 'eg_relay_events_delivered_total',
    help: 'Events delivered to their lifecycles',
    labelNames: ['lane'] as const,
  });
  const dropped = counter(metrics, {
    name: 'eg_relay_events_dropped_total',
    help: 'Events dropped because their device lifecycle had ended',
    labelNames: ['lane'] as const,
  });
  const signals = counter(metrics, {
    name: 'eg_relay_signals_sent_total',
    help: 'Signals sent (or dropped), one per workflow batch',
    labelNames: ['lane'] as const,
  });
  const failures = counter(metrics, {
    name: 'eg_relay_delivery_failures_total',
    help: 'Deliveries that failed and were handed back to be retried',
    labelNames: ['lane'] as const,
  });
  const lag = histogram(metrics, {
    name: 'eg_relay_delivery_lag_seconds',
    help: 'Per event, from being owed (graph clock) to being delivered (relay clock)',
    labelNames: ['lane'] as const,
    buckets: LAG_BUCKETS,
  });
  // Zero from the start, so that rate() sees the first increase.
  for (const c of [delivered, dropped, signals, failures]) c.inc(lane, 0);
  return {
    delivered(lagsMs) {
      delivered.inc(lane, lagsMs.length);
      signals.inc(lane);
      for (const ms of lagsMs) lag.observe(lane, Math.max(0, ms) / 1000);
    },
    dropped(events) {
      dropped.inc(lane, events);
      signals.inc(lane);
    },
    failed() {
      failures.inc(lane);
    },
  };
}
