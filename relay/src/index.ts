export {
  createRelay,
  RELAY_DEFAULTS,
  type Relay,
  type RelayDependencies,
  type RelayLifecycle,
} from './relay';
export type { RelayStats } from './delivery-stats';
export type { DeliveryObserver } from './delivery-stats';
export { relayDeliveryMetrics } from './relay-metrics';
