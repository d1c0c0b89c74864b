import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * One process's metrics (or one server's, when tests run several servers in one process): a
 * registry of its own, every series labelled with the service that made it.
 */
export interface ServiceMetrics {
  readonly service: string;
  readonly registry: Registry;
}

export interface ServiceMetricsOptions {
  /**
   * The Node process metrics (CPU, memory, event-loop lag, GC, handles), unprefixed as
   * prom-client names them, so that stock dashboards work. On by default; tests that build
   * several servers in one process turn them off for all but one.
   */
  processMetrics?: boolean;
}

/** Creates the metrics of one service, with the Node process metrics unless told otherwise. */
export function createServiceMetrics(
  service: string,
  options: ServiceMetricsOptions = {},
): ServiceMetrics {
  if (!/^[a-z][a-z0-9-]*$/.test(service)) {
    throw new Error(`A service name is lower-case letters, digits and dashes, got "${service}"`);
  }
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return { service, registry };
}

/** Latency buckets in seconds, from a cached read (5 ms) to the gateway's 120 s deadline. */
export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120,
] as const;

const NAME = /^eg_[a-z][a-z0-9_]*$/;

/**
 * Our names: `eg_` and snake case; counters end in `_total`; histograms of time end in
 * `_seconds` (Prometheus' base unit). A name that breaks them is a programming error.
 */
function checkName(name: string, type: 'counter' | 'gauge' | 'histogram'): void {
  if (!NAME.test(name)) throw new Error(`Metric ${name}: names start with eg_ and are snake_case`);
  if (type === 'counter' && !name.endsWith('_total')) {
    throw new Error(`Metric ${name}: a counter's name ends in _total`);
  }
  if (type !== 'counter' && name.endsWith('_total')) {
    throw new Error(`Metric ${name}: only counters end in _total`);
  }
}

/**
 * The metric of this name in the registry, or a new one: building a server twice on the same
 * metrics (a test, a restart in process) shares the series instead of failing on a duplicate.
 */
function existing<M>(metrics: ServiceMetrics, name: string, type: string): M | undefined {
  const found = metrics.registry.getSingleMetric(name);
  if (!found) return undefined;
  const foundType = (found as unknown as { type?: string }).type;
  if (foundType !== undefined && foundType !== type) {
    throw new Error(`Metric ${name} is registered already as a ${foundType}, not a ${type}`);
  }
  return found as unknown as M;
}

type Spec<C> = Omit<C, 'registers' | 'name'> & { name: string };

export function counter<L extends string>(
  metrics: ServiceMetrics,
  spec: Spec<CounterConfiguration<L>>,
): Counter<L> {
  checkName(spec.name, 'counter');
  return (
    existing<Counter<L>>(metrics, spec.name, 'counter') ??
    new Counter<L>({ ...spec, registers: [metrics.registry] })
  );
}

export function gauge<L extends string>(
  metrics: ServiceMetrics,
  spec: Spec<GaugeConfiguration<L>>,
): Gauge<L> {
  checkName(spec.name, 'gauge');
  return (
    existing<Gauge<L>>(metrics, spec.name, 'gauge') ??
    new Gauge<L>({ ...spec, registers: [metrics.registry] })
  );
}

export function histogram<L extends string>(
  metrics: ServiceMetrics,
  spec: Spec<HistogramConfiguration<L>>,
): Histogram<L> {
  checkName(spec.name, 'histogram');
  return (
    existing<Histogram<L>>(metrics, spec.name, 'histogram') ??
    new Histogram<L>({ buckets: [...LATENCY_BUCKETS], ...spec, registers: [metrics.registry] })
  );
}

/** Seconds since `start` (a `process.hrtime.bigint()`), for histograms. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
