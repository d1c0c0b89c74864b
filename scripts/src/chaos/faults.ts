/**
 * The faults: each kills one process by its pid (SIGKILL, as a crash or an OOM kill would),
 * keeps it down for the time asked, and starts it again the way `npm start` starts it. Then it
 * waits until clients are served again, and notes what else had to be restarted: nothing
 * should, since every process must ride out a dependency's outage on its own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '@experience-graph/config';
import { appProcesses, appsUp } from '../app-services';
import { neo4jService } from '../neo4j-service';
import { runningPid } from '../processes';
import { temporalService } from '../temporal-service';
import type { ObservingClient, Observation } from './client';
import type { ChaosOptions, FaultName } from './options';

/** What became of one fault, in ms since the run began. */
export interface FaultRecord {
  fault: FaultName;
  round: number;
  /** The process killed: its name under `npm start` and its pid. */
  process: string;
  pid: number;
  killedAt: number;
  /** When it was serving again (started and ready). */
  restoredAt: number | null;
  /** When the first write and the first read after the restart were answered in full. */
  recoveredAt: number | null;
  /** Our processes that died during the fault although nobody killed them. */
  lost: string[];
  error: string | null;
}

const PROCESS: Record<FaultName, string> = {
  worker: 'worker',
  intake: 'products',
  temporal: 'temporal',
  neo4j: 'neo4j',
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal,
) {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250, undefined, { signal }).catch(() => undefined);
  }
  return false;
}

/** The faults of the run, in order: each of `options.faults` as often as asked. */
export function schedule(
  options: ChaosOptions,
): Array<{ fault: FaultName; round: number; downS: number }> {
  return options.faults.flatMap((fault) => {
    const rounds =
      fault === 'worker' ? options.workerKills : fault === 'intake' ? options.intakeKills : 1;
    const downS =
      fault === 'worker'
        ? options.workerDownS
        : fault === 'intake'
          ? options.intakeDownS
          : fault === 'temporal'
            ? options.temporalDownS
            : options.neo4jDownS;
    return Array.from({ length: rounds }, (_, i) => ({ fault, round: i + 1, downS }));
  });
}

/** The first answer in full of each kind sent after `from`: when clients were served again. */
export function servedAgainAt(observations: Observation[], from: number): number | null {
  const first = (kind: Observation['kind']) =>
    observations
      .filter((o) => o.kind === kind && o.ok && o.sentAt >= from)
      .map((o) => o.sentAt + o.latencyMs)
      .sort((a, b) => a - b)[0];
  const write = first('events');
  const read = first('read');
  return write === undefined || read === undefined ? null : Math.max(write, read);
}

/** Injects one fault and waits for recovery. */
export async function injectFault(
  config: Config,
  options: ChaosOptions,
  client: ObservingClient,
  planned: { fault: FaultName; round: number; downS: number },
  signal: AbortSignal,
): Promise<FaultRecord> {
  const name = PROCESS[planned.fault];
  const pid = runningPid(name);
  const record: FaultRecord = {
    fault: planned.fault,
    round: planned.round,
    process: name,
    pid: pid ?? 0,
    killedAt: client.now(),
    restoredAt: null,
    recoveredAt: null,
    lost: [],
    error: null,
  };
  if (pid === null) {
    record.error = `${name} was not running`;
    return record;
  }
  const apps = appProcesses(config).map((a) => a.name);
  const othersBefore = apps.filter((a) => a !== name && runningPid(a) !== null);
  console.log(`chaos: killing ${name} (pid ${pid}) for ${planned.downS} s`);
  process.kill(pid, 'SIGKILL');
  record.killedAt = client.now();
  if (!(await until(() => !alive(pid), 10_000, signal))) {
    record.error = `${name} (pid ${pid}) still ran 10 s after SIGKILL`;
    return record;
  }
  await sleep(planned.downS * 1000, undefined, { signal }).catch(() => undefined);
  if (signal.aborted) return record;
  try {
    if (planned.fault === 'neo4j') await neo4jService(config.neo4j).up();
    else if (planned.fault === 'temporal') await temporalService(config.temporal).up();
    // Whatever else died is lost; appsUp starts the killed one and, if it must, those too.
    record.lost = othersBefore.filter((a) => runningPid(a) === null);
    await appsUp(config);
    record.restoredAt = client.now();
    console.log(
      `chaos: ${name} restarted after ${((record.restoredAt - record.killedAt) / 1000).toFixed(1)} s` +
        (record.lost.length > 0 ? `; had to restart ${record.lost.join(', ')} too` : ''),
    );
  } catch (error) {
    record.error = `restarting ${name}: ${(error as Error).message}`;
    return record;
  }
  const restoredAt = record.restoredAt;
  const served = await until(
    () => servedAgainAt(client.observations, restoredAt) !== null,
    options.recoverTimeoutS * 1000,
    signal,
  );
  if (served) record.recoveredAt = servedAgainAt(client.observations, restoredAt);
  else if (!signal.aborted) {
    record.error = `clients were not served within ${options.recoverTimeoutS} s of the restart`;
  }
  return record;
}
