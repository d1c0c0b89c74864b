import { createServiceMetrics } from './registry';
import { relayMetrics, type Backlog } from './relay';
import { parseSamples, sampleSum } from './scrape';

describe('relay metrics', () => {
  const setup = (backlog: () => Promise<Backlog>) => {
    const metrics = createServiceMetrics('relay', { processMetrics: false });
    let inFlight = 0;
    const observer = relayMetrics(metrics, {
      lane: 'lane-1',
      backlog,
      inFlight: () => inFlight,
      backlogTimeoutMs: 200,
      now: () => Date.parse('2026-01-01T00:01:30Z'),
    });
    return { metrics, observer, setInFlight: (n: number) => (inFlight = n) };
  };

  it('reads the backlog at each scrape: owed signals and the oldest one age', async () => {
    let backlog: Backlog = { owed: 7, oldestOwedAt: '2026-01-01T00:00:00.000Z' };
    let reads = 0;
    const { metrics, setInFlight } = setup(async () => {
      reads += 1;
      return backlog;
    });
    setInFlight(3);
    let text = await metrics.registry.metrics();
    expect(text).toContain('eg_relay_owed_signals{lane="lane-1",service="relay"} 7');
    expect(text).toContain('eg_relay_oldest_owed_age_seconds{lane="lane-1",service="relay"} 90');
    expect(text).toContain('eg_relay_deliveries_in_flight{lane="lane-1",service="relay"} 3');
    expect(reads).toBe(1);
    backlog = { owed: 0, oldestOwedAt: null };
    text = await metrics.registry.metrics();
    expect(text).toContain('eg_relay_owed_signals{lane="lane-1",service="relay"} 0');
    expect(text).toContain('eg_relay_oldest_owed_age_seconds{lane="lane-1",service="relay"} 0');
  });

  it('counts a backlog that cannot be read, and a scrape still answers', async () => {
    const { metrics } = setup(() => new Promise<Backlog>(() => undefined));
    const text = await metrics.registry.metrics();
    expect(text).toContain('eg_relay_backlog_read_failures_total{lane="lane-1",service="relay"} 1');
    expect(text).toContain('eg_relay_events_delivered_total{lane="lane-1",service="relay"} 0');
  });

  it('counts deliveries, drops and failures and observes each event lag', async () => {
    const { metrics, observer } = setup(async () => ({ owed: 0, oldestOwedAt: null }));
    observer.delivered([120, 4_000]);
    observer.dropped(2);
    observer.failed();
    const samples = parseSamples(await metrics.registry.metrics());
    const value = (name: string, labels: Record<string, string> = {}) =>
      sampleSum(samples, name, { lane: 'lane-1', ...labels });
    expect(value('eg_relay_events_delivered_total')).toBe(2);
    expect(value('eg_relay_events_dropped_total')).toBe(2);
    expect(value('eg_relay_signals_sent_total')).toBe(2);
    expect(value('eg_relay_delivery_failures_total')).toBe(1);
    expect(value('eg_relay_delivery_lag_seconds_bucket', { le: '0.25' })).toBe(1);
    expect(value('eg_relay_delivery_lag_seconds_bucket', { le: '5' })).toBe(2);
    expect(value('eg_relay_delivery_lag_seconds_sum')).toBeCloseTo(4.12);
  });
});
