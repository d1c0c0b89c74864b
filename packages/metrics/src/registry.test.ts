import { counter, createServiceMetrics, gauge, histogram } from './registry';

describe('service metrics', () => {
  it('labels every series with the service and includes the Node process metrics', async () => {
    const metrics = createServiceMetrics('products');
    counter(metrics, { name: 'eg_things_total', help: 'things' }).inc();
    const text = await metrics.registry.metrics();
    expect(text).toContain('eg_things_total{service="products"} 1');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="products"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="products"\} /m);
  });

  it('leaves the process metrics out when told to', async () => {
    const metrics = createServiceMetrics('relay', { processMetrics: false });
    expect(await metrics.registry.metrics()).not.toContain('process_cpu');
  });

  it('refuses names that break the conventions', () => {
    const metrics = createServiceMetrics('gateway', { processMetrics: false });
    expect(() => counter(metrics, { name: 'requests_total', help: 'x' })).toThrow(/start with eg_/);
    expect(() => counter(metrics, { name: 'eg_requests', help: 'x' })).toThrow(/ends in _total/);
    expect(() => gauge(metrics, { name: 'eg_owed_total', help: 'x' })).toThrow(/only counters/);
    expect(() => createServiceMetrics('Gateway 1')).toThrow(/lower-case/);
  });

  it('hands back the metric already registered under a name, and refuses another type', () => {
    const metrics = createServiceMetrics('gateway', { processMetrics: false });
    const first = histogram(metrics, { name: 'eg_wait_seconds', help: 'x' });
    expect(histogram(metrics, { name: 'eg_wait_seconds', help: 'x' })).toBe(first);
    expect(() => gauge(metrics, { name: 'eg_wait_seconds', help: 'x' })).toThrow(/histogram/);
  });
});
