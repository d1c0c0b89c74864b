export * from './contracts';
export { createLifecycleGateway, type LifecycleGateway } from './lifecycle-client';
export { registerSearchAttributes } from './search-attributes';
export { createErasureStarter, type ErasureStarter } from './erasure-client';
export { anonymousEventId, erasedKeyHash, erasureIdOf } from './erasure/erasure-keys';
export {
  evaluate as evaluateHealth,
  initialHealthState,
  validateReading,
  type DeviceHealthState,
  type HealthAssessment,
  type HealthChange,
  type TelemetryReading,
} from './health/device-health';
export { degradingPrinterReadings } from './health/fleet-simulation';
export * from './value-model-contracts';
export {
  createValueModelJobs,
  ensureValueModelSchedule,
  type ValueModelJobs,
  type ValueModelScheduleOptions,
} from './value-model-client';
