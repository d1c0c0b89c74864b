import type { Graph } from '@experience-graph/neo4j';
import {
  evaluateHealth,
  initialHealthState,
  validateReading,
  type DeviceHealthState,
  type HealthChange,
  type TelemetryReading,
} from '@experience-graph/device-health';
import type { LifecycleGateway } from '@experience-graph/workflows';
import type { Rejection } from './event-rules';

interface Readings {
  eventId: string;
  serial: string;
  readings: Array<Omit<TelemetryReading, 'serial'>>;
}

export type TelemetryOutcome =
  { status: 'ACCEPTED' | 'DUPLICATE' } | { status: 'REJECTED'; error: Rejection };

interface PendingChange {
  eventId: string;
  change: HealthChange;
  failureRisk: number;
}

// Locks the device first, so two batches for one device fold in one after the other.
const LOCK_DEVICE = `
MATCH (d:Device {serial: $serial})
SET d.healthLock = coalesce(d.healthLock, 0) + 1
RETURN d.healthState AS state, d.pendingHealthChange AS pending, d.lifecycleWorkflowId AS lifecycle`;

const WRITE_READINGS = `
MATCH (d:Device {serial: $serial})
UNWIND $readings AS r
MERGE (x:TelemetryReading {readingId: r.readingId})
  ON CREATE SET x.at = datetime(r.at), x.pagesPrinted = r.pagesPrinted, x.errors = r.errors,
                x.paperJams = r.paperJams, x.inkLevel = r.inkLevel
MERGE (x)-[:FROM]->(d)`;

// The health summary, and flat properties for what GraphQL and the menu read. A change is kept
// as pending until its signal is in Temporal: a crash in between is repaired by the next batch.
const WRITE_HEALTH = `
MATCH (d:Device {serial: $serial})
SET d.healthState = $state, d.healthLevel = $level, d.failureRisk = $failureRisk,
    d.healthReasons = $reasons, d.failureHorizonDays = $failureHorizonDays,
    d.inkLevel = $inkLevel, d.inkEmptyInDays = $inkEmptyInDays,
    d.lastReadingAt = CASE WHEN $lastReadingAt IS NULL THEN d.lastReadingAt ELSE datetime($lastReadingAt) END,
    d.lastPaperJamAt = CASE WHEN $lastJamAt IS NULL THEN d.lastPaperJamAt ELSE datetime($lastJamAt) END,
    d.pendingHealthChange = $pending`;

/**
 * Telemetry intake: readings are validated, stored in one batched write with the device's new
 * health, and only a meaningful change is signalled to the device's lifecycle.
 */
export function createTelemetryIntake(deps: {
  graph: Graph;
  lifecycle: LifecycleGateway;
  now?: () => number;
}) {
  const { graph, lifecycle } = deps;
  const now = deps.now ?? Date.now;

  return {
    async record(batch: Readings): Promise<TelemetryOutcome> {
      const at = new Date(now()).toISOString();
      for (const [j, r] of batch.readings.entries()) {
        const problem = validateReading({ ...r, serial: batch.serial }, at);
        if (problem) {
          const path = `telemetry.readings[${j}].${problem.field}`;
          return {
            status: 'REJECTED',
            error: { code: 'INVALID', path, message: `${path}: ${problem.message}` },
          };
        }
      }
      const outcome = await graph.transaction(async (tx) => {
        const [device] = await tx.run<{
          state: string | null;
          pending: string | null;
          lifecycle: string | null;
        }>(LOCK_DEVICE, { serial: batch.serial });
        if (!device) return null;
        const previous: DeviceHealthState = device.state
          ? (JSON.parse(device.state) as DeviceHealthState)
          : initialHealthState();
        const readings = batch.readings.map((r) => ({ ...r, serial: batch.serial }));
        const evaluation = evaluateHealth(previous, readings, at);
        const fresh = readings.length - evaluation.ignored.duplicate;
        const carried = device.pending ? (JSON.parse(device.pending) as PendingChange) : null;
        const change: PendingChange | null = evaluation.change
          ? {
              eventId: `${batch.eventId}:health`,
              change: evaluation.change,
              failureRisk: evaluation.assessment.failureRisk,
            }
          : carried;
        await tx.run(WRITE_READINGS, { serial: batch.serial, readings: batch.readings });
        const a = evaluation.assessment;
        const jams = readings
          .filter((r) => r.paperJams > 0)
          .map((r) => r.at)
          .sort();
        await tx.run(WRITE_HEALTH, {
          serial: batch.serial,
          state: JSON.stringify(evaluation.state),
          level: a.level,
          failureRisk: a.failureRisk,
          reasons: a.reasons,
          failureHorizonDays: a.failureHorizonDays,
          inkLevel: evaluation.state.inkLevel,
          inkEmptyInDays: a.inkEmptyInDays,
          lastReadingAt: evaluation.state.lastReadingAt,
          lastJamAt:
            jams.length > 0 ? new Date(jams[jams.length - 1] as string).toISOString() : null,
          pending: change && device.lifecycle ? JSON.stringify(change) : null,
        });
        return { fresh, change: device.lifecycle ? change : null };
      });
      if (outcome === null) {
        return {
          status: 'REJECTED',
          error: {
            code: 'UNKNOWN_REFERENCE',
            path: 'telemetry.serial',
            message: `No device has serial ${batch.serial}`,
          },
        };
      }
      if (outcome.change) {
        await lifecycle.sendDeviceEvent({
          eventId: outcome.change.eventId,
          serial: batch.serial,
          occurredAt: at,
          type: 'HEALTH_CHANGE',
          change: outcome.change.change,
          failureRisk: outcome.change.failureRisk,
        });
        await graph.write('MATCH (d:Device {serial: $serial}) SET d.pendingHealthChange = null', {
          serial: batch.serial,
        });
      }
      return { status: outcome.fresh === 0 && !outcome.change ? 'DUPLICATE' : 'ACCEPTED' };
    },
  };
}

export type TelemetryIntake = ReturnType<typeof createTelemetryIntake>;
