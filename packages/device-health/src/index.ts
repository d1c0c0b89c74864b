/**
 * Device health from printer telemetry: a pure, deterministic fold over readings that the
 * telemetry intake runs as readings arrive and whose thresholds the lifecycle worker shares,
 * plus simulated printer readings for tests, benchmarks and the demo seed.
 */
export {
  evaluate as evaluateHealth,
  assessSilence,
  initialHealthState,
  readingValidator,
  validateReading,
  HEALTH_CHANGES,
  HEALTH_LEVELS,
  HEALTH_THRESHOLDS,
  RECENT_READING_IDS,
  type DeviceHealthState,
  type HealthAssessment,
  type HealthChange,
  type HealthEvaluation,
  type HealthLevel,
  type HealthThresholds,
  type IgnoredReadings,
  type ReadingProblem,
  type TelemetryReading,
} from './device-health';
export {
  degradingPrinterReadings,
  simulateFleet,
  DEFAULT_FLEET_OPTIONS,
  type FleetMetrics,
  type FleetOptions,
} from './fleet-simulation';
