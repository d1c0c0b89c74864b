/**
 * Starts worker-child.ts as a process of its own, on a task queue of the bench's, and talks
 * to it over IPC: its memory (from the kernel, /proc/<pid>/status, and from Node), its
 * workflow cache, and stopping it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FromWorker, ToWorker } from './worker-child';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'test', 'bench', 'worker-child.ts');
const COMPILED = path.join(ROOT, 'test', 'dist', 'bench', 'worker-child.js');
const BUILD_INFO = path.join(ROOT, 'test', 'dist', 'tsconfig.tsbuildinfo');
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

/**
 * The compiled entry when a build ran after the source last changed (`npm run bench` builds
 * first; tsc -b leaves an unchanged output alone but rewrites its build info), else the source
 * through tsx's loader, whose module hooks add a few MB to every figure alike.
 */
function entry(): { file: string; execArgv: string[]; runner: 'compiled' | 'tsx' } {
  const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : -Infinity);
  const built = Math.max(mtime(COMPILED), mtime(BUILD_INFO));
  if (existsSync(COMPILED) && built >= mtime(SOURCE)) {
    return { file: COMPILED, execArgv: ['--expose-gc'], runner: 'compiled' };
  }
  const loader = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return { file: SOURCE, execArgv: ['--expose-gc', '--import', loader], runner: 'tsx' };
}

export async function startWorkerProcess(
  taskQueue: string,
  readyTimeoutMs = 180_000,
): Promise<WorkerProcess> {
  const { file, execArgv, runner } = entry();
  const child: ChildProcess = fork(file, [], {
    execArgv,
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: { code: number | null; signal: string | null } | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const pending = new Map<number, (sample: Extract<FromWorker, { type: 'sample' }>) => void>();
  let ready: Extract<FromWorker, { type: 'ready' }> | undefined;
  let onReady: (() => void) | undefined;
  child.on('message', (message: FromWorker) => {
    if (message.type === 'ready') {
      ready = message;
      onReady?.();
    } else {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });

  const stop = async (graceMs = 60_000) => {
    if (exited) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };

  const started = await Promise.race([
    new Promise<boolean>((resolve) => {
      onReady = () => resolve(true);
      if (ready) resolve(true);
    }),
    exit.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), readyTimeoutMs).unref()),
  ]);
  if (!started || !ready || child.pid === undefined) {
    await stop(5_000);
    throw new Error(
      exited
        ? `The worker process exited before it was ready (${JSON.stringify(exited)})`
        : `The worker process was not ready within ${readyTimeoutMs / 1000} s`,
    );
  }
  const pid = child.pid;
  let nextId = 0;
  return {
    pid,
    settings: ready.settings,
    runner,
    stop,
    async sample() {
      if (exited || !child.connected)
        throw new Error(`The worker process exited (${JSON.stringify(exited)})`);
      const id = nextId++;
      const reply = await new Promise<Extract<FromWorker, { type: 'sample' }>>(
        (resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(new Error('The worker process did not answer within 30 s'));
          }, 30_000);
          pending.set(id, (message) => {
            clearTimeout(timer);
            resolve(message);
          });
          child.send({ type: 'sample', id } satisfies ToWorker);
        },
      );
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
