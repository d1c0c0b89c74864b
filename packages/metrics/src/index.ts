/**
 * Prometheus metrics for every Experience Graph process (prom-client): a registry per service
 * with the Node process metrics, helpers that hold our naming (`eg_`, `_total`, `_seconds`), and
 * the instruments of each concern, with bounded labels. The list of metrics and what an alert on
 * each means is `docs/metrics.md`.
 */
export {
  counter,
  createServiceMetrics,
  gauge,
  histogram,
  LATENCY_BUCKETS,
  secondsSince,
  type ServiceMetrics,
  type ServiceMetricsOptions,
} from './registry';
export {
  ANONYMOUS_OPERATION,
  BoundedLabel,
  INVALID_OPERATION,
  OTHER,
  principalLabel,
} from './labels';
export { graphqlMetricsPlugin, type GraphQLMetricsOptions } from './graphql';
export { httpMetrics, metricsHandler, serveMetrics, type MetricsServer } from './http';
export {
  neo4jStatementMetrics,
  statementName,
  type ObservedStatement,
  type StatementObserver,
} from './neo4j';
export { intakeMetrics, type IntakeMetrics, type IntakeResult } from './intake';
export {
  relayMetrics,
  type Backlog,
  type DeliveryObserver,
  type RelayMetricsOptions,
} from './relay';
export { parseSamples, sampleSum, scrape, type Sample } from './scrape';
