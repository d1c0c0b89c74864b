/**
 * Starts worker-child.ts as a process of its own, on a task queue of the bench's, and talks
 * to it over IPC: its memory (from the kernel, /proc/<pid>/status, and from Node), its
 * workflow cache, and stopping it.
 */
import { readFileSync } from 'node:fs';
import { startChild } from './child-process';
import type { FromWorker } from './worker-child';

const MB = 1024 * 1024;

export interface WorkerSample {
  /** Resident set size from /proc/<pid>/status (VmRSS), in MB. */
  rssMB: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMB: number;
  /** The main thread's V8 heap in use, after a full collection, in MB. */
  heapUsedMB: number;
  /** Memory of C++ objects bound to JS and array buffers (the native runtime's included), MB. */
  externalMB: number;
  cachedWorkflows: number;
  inFlightActivations: number;
  inFlightActivities: number;
}

export interface WorkerProcess {
  pid: number;
  settings: Extract<FromWorker, { type: 'ready' }>['settings'];
  /** `compiled` (test/dist, plain node, as in production) or `tsx` (the source, when stale). */
  runner: 'compiled' | 'tsx';
  sample(): Promise<WorkerSample>;
  /** Asks the worker to shut down gracefully; kills it after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** VmRSS and VmHWM of a process, in MB, as the kernel counts them. */
function procMemory(pid: number): { rssMB: number; peakRssMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`No ${field} in /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { rssMB: kB('VmRSS'), peakRssMB: kB('VmHWM') };
}

export async function startWorkerProcess(
  taskQueue: string,
  readyTimeoutMs = 180_000,
): Promise<WorkerProcess> {
  const child = await startChild<
    Extract<FromWorker, { type: 'ready' }>,
    Extract<FromWorker, { type: 'sample' }>
  >({
    entry: 'worker-child',
    name: 'the worker process',
    execArgv: ['--expose-gc'],
    env: { TEMPORAL_TASK_QUEUE: taskQueue },
    readyTimeoutMs,
    graceMs: 60_000,
  });
  const { pid } = child;
  return {
    pid,
    settings: child.ready.settings,
    runner: child.runner,
    stop: child.stop,
    async sample() {
      const reply = await child.ask('sample');
      return {
        ...procMemory(pid),
        heapUsedMB: reply.memory.heapUsed / MB,
        externalMB: reply.memory.external / MB,
        cachedWorkflows: reply.cachedWorkflows,
        inFlightActivations: reply.inFlightActivations,
        inFlightActivities: reply.inFlightActivities,
      };
    },
  };
}
