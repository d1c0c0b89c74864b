/**
 * What must hold once the system is quiet after the faults: every acknowledged event is in the
 * graph exactly once, every device's stage in GraphQL is its lifecycle's, no side effect happened
 * twice, no workflow is stuck, no owed signal is left. Each check reads the graph, Temporal or
 * the gateway as they are: none can pass whatever the system did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Graph } from '@experience-graph/neo4j';
import { deviceLifecycleWorkflowId, stageQuery } from '@experience-graph/workflows';
import type { ObservingClient } from './client';
import type { Acknowledged, LoadDevice } from './load';

/** One invariant: whether it held, and what broke it (a few examples). */
export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

const sample = (items: string[], n = 5) =>
  items.length <= n
    ? items.join('; ')
    : `${items.slice(0, n).join('; ')}; … ${items.length - n} more`;

const result = (name: string, failures: string[], okDetail: string): InvariantResult => ({
  name,
  ok: failures.length === 0,
  detail: failures.length === 0 ? okDetail : sample(failures),
});

/** Signals owed in the outbox, on every lane. */
export async function owedSignals(
  graph: Graph,
): Promise<{ owed: number; oldestMs: number | null }> {
  const [row] = await graph.read<{ owed: number; oldestMs: number | null }>(
    'MATCH (s:OwedSignal) RETURN count(s) AS owed, min(s.owedAt).epochMillis AS oldestMs',
  );
  return row ?? { owed: 0, oldestMs: null };
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(1_000);
  }
}

const DEVICE = `query ChaosCheck($serial: ID!) {
  device(serial: $serial) { stage stageHistory { stage } interventions { id } }
}`;

interface DeviceView {
  stage: string | null;
  stageHistory: Array<{ stage: string }>;
  interventions: Array<{ id: string }>;
}

export interface CheckContext {
  graph: Graph;
  temporal: Client;
  client: ObservingClient;
  devices: LoadDevice[];
  acknowledged: Acknowledged;
  quietTimeoutMs: number;
}

/** Waits until the system is quiet, then checks every invariant. */
export async function checkInvariants(ctx: CheckContext): Promise<InvariantResult[]> {
  const { graph, temporal, client, acknowledged } = ctx;
  const results: InvariantResult[] = [];
  const started = ctx.devices.filter((d) => d.next > 0);

  // No owed signal left: the relay delivered everything the intake owed.
  const backlog = await waitFor(
    () => owedSignals(graph).catch(() => ({ owed: -1, oldestMs: null })),
    (b) => b.owed === 0,
    ctx.quietTimeoutMs,
  );
  results.push(
    result(
      'no owed signal left',
      backlog.owed === 0
        ? []
        : [
            `${backlog.owed} signals still owed${backlog.oldestMs ? `, oldest since ${new Date(backlog.oldestMs).toISOString()}` : ''}`,
          ],
      'outbox empty',
    ),
  );

  // Every device's stage in GraphQL equals its lifecycle's (asked by query).
  const compare = async () => {
    const mismatches: string[] = [];
    const views = new Map<string, DeviceView>();
    for (const device of started) {
      const { data } = await client.request<{ device: DeviceView | null }>(
        'read',
        DEVICE,
        { serial: device.serial },
        (d) => ({ ok: d.device !== null, codes: ['CHECK'] }),
      );
      let lifecycle: string | null | undefined;
      try {
        lifecycle = await temporal.workflow
          .getHandle(deviceLifecycleWorkflowId(device.serial))
          .query(stageQuery);
      } catch (error) {
        lifecycle = undefined;
        mismatches.push(`${device.serial}: lifecycle not queryable (${(error as Error).message})`);
        continue;
      }
      if (!data?.device) {
        mismatches.push(`${device.serial}: GraphQL has no device`);
        continue;
      }
      views.set(device.serial, data.device);
      if (data.device.stage !== lifecycle) {
        mismatches.push(`${device.serial}: GraphQL ${data.device.stage}, lifecycle ${lifecycle}`);
      }
    }
    return { mismatches, views };
  };
  const stages = await waitFor(compare, (s) => s.mismatches.length === 0, ctx.quietTimeoutMs);
  results.push(
    result(
      "every device's GraphQL stage is its lifecycle's",
      stages.mismatches,
      `${started.length} devices agree`,
    ),
  );

  // Every acknowledged event is in the graph exactly once: its touchpoint, or its readings.
  const touchpointIds = [...acknowledged.values()]
    .filter((e) => e.kind !== 'telemetry')
    .map((e) => e.eventId);
  const counted = await graph.read<{ eventId: string; n: number }>(
    'UNWIND $ids AS id OPTIONAL MATCH (t:Touchpoint {eventId: id}) RETURN id AS eventId, count(t) AS n',
    { ids: touchpointIds },
  );
  const readingIds = [...acknowledged.values()].flatMap((e) => e.readingIds);
  const readings = await graph.read<{ readingId: string; n: number }>(
    'UNWIND $ids AS id OPTIONAL MATCH (r:TelemetryReading {readingId: id}) RETURN id AS readingId, count(r) AS n',
    { ids: readingIds },
  );
  results.push(
    result(
      'every acknowledged event is in the graph exactly once',
      [
        ...counted.filter((r) => r.n !== 1).map((r) => `event ${r.eventId}: ${r.n} touchpoints`),
        ...readings.filter((r) => r.n !== 1).map((r) => `reading ${r.readingId}: ${r.n} stored`),
      ],
      `${touchpointIds.length} events, ${readingIds.length} readings`,
    ),
  );

  // No side effect twice: one intervention per degrading episode, none without one, and no
  // stage entered twice (each stage write is the lifecycle's one decision).
  const interventions = await graph.read<{ serial: string; n: number }>(
    'UNWIND $serials AS serial MATCH (d:Device {serial: serial}) OPTIONAL MATCH (i:Intervention)-[:FOR]->(d) RETURN serial, count(i) AS n',
    { serials: started.map((d) => d.serial) },
  );
  const byDevice = new Map(interventions.map((r) => [r.serial, r.n]));
  const sideEffects: string[] = [];
  for (const device of started) {
    const n = byDevice.get(device.serial) ?? 0;
    const expected = device.degraded ? 1 : 0;
    if (n !== expected)
      sideEffects.push(`${device.serial}: ${n} interventions, expected ${expected}`);
    const history = stages.views.get(device.serial)?.stageHistory.map((h) => h.stage) ?? [];
    const repeated = history.filter((s, i) => history.indexOf(s) !== i);
    if (repeated.length > 0)
      sideEffects.push(`${device.serial}: stage ${repeated.join(', ')} entered twice`);
  }
  const degraded = started.filter((d) => d.degraded).length;
  results.push(
    result(
      'no side effect happened twice',
      sideEffects,
      `${degraded} degrading devices with one intervention each; no stage entered twice`,
    ),
  );

  // No workflow stuck: nothing failed or timed out, and no running one has an activity or a
  // workflow task still pending once the system is quiet.
  const listed = async (query: string) => {
    const ids: string[] = [];
    for await (const w of temporal.workflow.list({ query })) ids.push(w.workflowId);
    return ids;
  };
  const closedBadly = await listed(
    'ExecutionStatus="Failed" OR ExecutionStatus="TimedOut" OR ExecutionStatus="Terminated"',
  );
  const stuckNow = async () => {
    const stuck: string[] = [];
    for (const id of await listed('ExecutionStatus="Running"')) {
      const { raw } = await temporal.workflow.getHandle(id).describe();
      const activities = raw.pendingActivities ?? [];
      if (activities.length > 0) {
        const a = activities[0];
        stuck.push(
          `${id}: activity ${a?.activityType?.name ?? '?'} pending (attempt ${a?.attempt ?? '?'}${a?.lastFailure?.message ? `, ${a.lastFailure.message}` : ''})`,
        );
      } else if (raw.pendingWorkflowTask) {
        stuck.push(`${id}: workflow task pending`);
      }
    }
    return stuck;
  };
  const stuck = await waitFor(
    stuckNow,
    (s) => s.length === 0,
    Math.min(ctx.quietTimeoutMs, 60_000),
  );
  results.push(
    result(
      'no workflow stuck',
      [...closedBadly.map((id) => `${id}: closed failed, timed out or terminated`), ...stuck],
      'no pending activity or task, none failed',
    ),
  );
  return results;
}
