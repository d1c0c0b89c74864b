export * from './contracts';
export { createLifecycleGateway, type LifecycleGateway } from './lifecycle-client';
export { registerSearchAttributes } from './search-attributes';
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
