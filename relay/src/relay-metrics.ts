import { relayMetrics, type ServiceMetrics } from '@experience-graph/metrics';
import type { Graph } from '@experience-graph/neo4j';
import { createOutboxRepository } from '@experience-graph/outbox';
import type { DeliveryObserver } from './delivery-stats';

/**
 * The relay's metrics on `metrics`: deliveries as the relay observes them, and its lane's backlog
 * (owed signals, the oldest one's age) read from the graph at each scrape. Pass the result to
 * `createRelay` as its observer.
 */
export function relayDeliveryMetrics(
  metrics: ServiceMetrics,
  deps: { graph: Graph; lane: string; inFlight: () => number },
): DeliveryObserver {
  const outbox = createOutboxRepository(deps.graph);
  return relayMetrics(metrics, {
    lane: deps.lane,
    backlog: () => outbox.signalBacklog(deps.lane),
    inFlight: deps.inFlight,
  });
}
