import { counter, createServiceMetrics, histogram } from './registry';
import { parseSamples, sampleSum } from './scrape';

describe('reading a scrape', () => {
  it('parses what a registry writes, escaped label values included', async () => {
    const metrics = createServiceMetrics('products', { processMetrics: false });
    const things = counter(metrics, {
      name: 'eg_things_total',
      help: 'things',
      labelNames: ['kind'] as const,
    });
    things.inc({ kind: 'a "quoted" \\ value' }, 2);
    things.inc({ kind: 'plain' }, 3);
    histogram(metrics, { name: 'eg_wait_seconds', help: 'wait' }).observe(0.2);
    const samples = parseSamples(await metrics.registry.metrics());
    expect(sampleSum(samples, 'eg_things_total', { kind: 'a "quoted" \\ value' })).toBe(2);
    expect(sampleSum(samples, 'eg_things_total', { service: 'products' })).toBe(5);
    expect(sampleSum(samples, 'eg_wait_seconds_count')).toBe(1);
    expect(sampleSum(samples, 'eg_wait_seconds_bucket', { le: '0.25' })).toBe(1);
    expect(sampleSum(samples, 'eg_wait_seconds_bucket', { le: '0.1' })).toBe(0);
    expect(sampleSum(samples, 'eg_missing_total')).toBe(0);
  });

  it('refuses text that is not the exposition format', () => {
    expect(() => parseSamples('<html>not metrics</html>')).toThrow('Not a sample line');
  });
});
