import {
  evaluateHealth,
  initialHealthState,
  type DeviceHealthState,
  type HealthChange,
} from '@experience-graph/device-health';
import type { GraphTransaction } from '@experience-graph/neo4j';
import type { DeviceEvent } from '@experience-graph/workflows';

/** The telemetry events of a batch that passed their rules, in batch order. */
export interface TelemetryItem {
  position: number;
  key: string;
  serial: string;
  readings: Array<{
    readingId: string;
    at: string;
    pagesPrinted: number;
    errors: number;
    paperJams: number;
    inkLevel: number;
  }>;
}

export interface TelemetryOutcome {
  position: number;
  /** Readings not seen before. */
  fresh: number;
  /** The health change owed to the device's lifecycle, if any. */
  signal: Extract<DeviceEvent, { type: 'HEALTH_CHANGE' }> | null;
}

interface PendingChange {
  eventId: string;
  change: HealthChange;
  failureRisk: number;
}

// Locks the devices first, in a fixed order, so two batches for one device fold in one after
// the other and two batches for several never deadlock.
const LOCK_DEVICES = `
UNWIND $serials AS serial
MATCH (d:Device {serial: serial})
SET d.healthLock = coalesce(d.healthLock, 0) + 1
RETURN serial, d.healthState AS state, d.pendingHealthChange AS pending,
       d.lifecycleWorkflowId AS lifecycle`;

// One event's readings are one row: its device is looked up once, not once per reading.
const WRITE_READINGS = `
UNWIND $events AS e
MATCH (d:Device {serial: e.serial})
UNWIND e.readings AS r
MERGE (x:TelemetryReading {readingId: r.readingId})
  ON CREATE SET x.at = datetime(r.at), x.pagesPrinted = r.pagesPrinted, x.errors = r.errors,
                x.paperJams = r.paperJams, x.inkLevel = r.inkLevel
MERGE (x)-[:FROM]->(d)`;

// The health summary, and flat properties for what GraphQL and the menu read.
const WRITE_HEALTH = `
UNWIND $devices AS h
MATCH (d:Device {serial: h.serial})
SET d.healthState = h.state, d.healthLevel = h.level, d.failureRisk = h.failureRisk,
    d.healthReasons = h.reasons, d.failureHorizonDays = h.failureHorizonDays,
    d.inkLevel = h.inkLevel, d.inkEmptyInDays = h.inkEmptyInDays,
    d.lastReadingAt = CASE WHEN h.lastReadingAt IS NULL THEN d.lastReadingAt ELSE datetime(h.lastReadingAt) END,
    d.lastPaperJamAt = CASE WHEN h.lastJamAt IS NULL THEN d.lastPaperJamAt ELSE datetime(h.lastJamAt) END,
    d.pendingHealthChange = null`;

/**
 * Stores a batch's readings and folds them into each device's health, in the batch's write
 * transaction: devices locked, states read, readings evaluated in batch order (several events
 * for one device fold one after the other), then one write of all readings and one of all
 * health summaries. A health change that matters is returned, to be owed to the lifecycle in the
 * same transaction; only devices with a lifecycle have one to tell.
 */
export async function writeTelemetry(
  tx: GraphTransaction,
  items: readonly TelemetryItem[],
  at: string,
): Promise<TelemetryOutcome[]> {
  if (items.length === 0) return [];
  const serials = [...new Set(items.map((i) => i.serial))].sort();
  const rows = await tx.run<{
    serial: string;
    state: string | null;
    pending: string | null;
    lifecycle: string | null;
  }>(LOCK_DEVICES, { serials });
  const devices = new Map(
    rows.map((r) => [
      r.serial,
      {
        state: r.state ? (JSON.parse(r.state) as DeviceHealthState) : initialHealthState(),
        // A change an earlier version left pending (its signal was sent after the write).
        carried: r.pending ? (JSON.parse(r.pending) as PendingChange) : null,
        lifecycle: r.lifecycle !== null,
        summary: null as Record<string, unknown> | null,
      },
    ]),
  );
  const outcomes: TelemetryOutcome[] = [];
  for (const item of items) {
    const device = devices.get(item.serial);
    if (!device) {
      // Deleted since the facts were read: nothing to fold into.
      outcomes.push({ position: item.position, fresh: 0, signal: null });
      continue;
    }
    const readings = item.readings.map((r) => ({ ...r, serial: item.serial }));
    const evaluation = evaluateHealth(device.state, readings, at);
    device.state = evaluation.state;
    const a = evaluation.assessment;
    const jams = readings
      .filter((r) => r.paperJams > 0)
      .map((r) => Date.parse(r.at))
      .sort((x, y) => x - y);
    const previousJam = device.summary?.['lastJamAt'] as string | null | undefined;
    const lastJam =
      jams.length > 0 ? new Date(jams[jams.length - 1] as number).toISOString() : null;
    device.summary = {
      serial: item.serial,
      state: JSON.stringify(evaluation.state),
      level: a.level,
      failureRisk: a.failureRisk,
      reasons: a.reasons,
      failureHorizonDays: a.failureHorizonDays,
      inkLevel: evaluation.state.inkLevel,
      inkEmptyInDays: a.inkEmptyInDays,
      lastReadingAt: evaluation.state.lastReadingAt,
      lastJamAt: lastJam ?? previousJam ?? null,
    };
    const change: PendingChange | null = evaluation.change
      ? {
          eventId: `${item.key}:health`,
          change: evaluation.change,
          failureRisk: a.failureRisk,
        }
      : device.carried;
    device.carried = null;
    outcomes.push({
      position: item.position,
      fresh: readings.length - evaluation.ignored.duplicate,
      signal:
        change && device.lifecycle
          ? {
              eventId: change.eventId,
              serial: item.serial,
              occurredAt: at,
              type: 'HEALTH_CHANGE',
              change: change.change,
              failureRisk: change.failureRisk,
            }
          : null,
    });
  }
  tx.send(WRITE_READINGS, {
    events: items.map((i) => ({ serial: i.serial, readings: i.readings })),
  });
  tx.send(WRITE_HEALTH, {
    devices: [...devices.values()].flatMap((d) => (d.summary ? [d.summary] : [])),
  });
  return outcomes;
}
