/**
 * Starts server-child.ts as a process of its own (the subgraphs, or the gateway) and talks to it
 * over IPC: its URLs, its CPU so far, and stopping it (killed if it does not stop in time).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FromServer, ToServer } from './server-child';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'test', 'bench', 'server-child.ts');
const COMPILED = path.join(ROOT, 'test', 'dist', 'bench', 'server-child.js');
const BUILD_INFO = path.join(ROOT, 'test', 'dist', 'tsconfig.tsbuildinfo');

export interface ServerProcess {
  pid: number;
  urls: Record<string, string>;
  /** The process's CPU (user + system) since it started, in µs. */
  cpuMicros(): Promise<number>;
  /** Asks it to stop; kills it after `graceMs`. Safe to call twice, and after it died. */
  stop(graceMs?: number): Promise<void>;
}

/** The compiled entry when it is as new as the source (as worker-process.ts), else tsx. */
function entry(): { file: string; execArgv: string[] } {
  const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : -Infinity);
  if (existsSync(COMPILED) && Math.max(mtime(COMPILED), mtime(BUILD_INFO)) >= mtime(SOURCE)) {
    return { file: COMPILED, execArgv: [] };
  }
  const loader = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return { file: SOURCE, execArgv: ['--import', loader] };
}

export async function startServerProcess(
  args: string[],
  readyTimeoutMs = 120_000,
): Promise<ServerProcess> {
  const { file, execArgv } = entry();
  const child: ChildProcess = fork(file, args, {
    execArgv,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: { code: number | null; signal: string | null } | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const pending = new Map<number, (micros: number) => void>();
  let ready: Extract<FromServer, { type: 'ready' }> | undefined;
  let onReady: (() => void) | undefined;
  child.on('message', (message: FromServer) => {
    if (message.type === 'ready') {
      ready = message;
      onReady?.();
    } else {
      pending.get(message.id)?.(message.micros);
      pending.delete(message.id);
    }
  });
  const stop = async (graceMs = 30_000) => {
    if (exited) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ToServer);
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
        ? `The ${args[0]} process exited before it was ready (${JSON.stringify(exited)})`
        : `The ${args[0]} process was not ready within ${readyTimeoutMs / 1000} s`,
    );
  }
  let nextId = 0;
  return {
    pid: child.pid,
    urls: ready.urls,
    stop,
    cpuMicros() {
      if (exited || !child.connected) {
        return Promise.reject(new Error(`The ${args[0]} process exited`));
      }
      const id = nextId++;
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`The ${args[0]} process did not answer within 30 s`));
        }, 30_000);
        pending.set(id, (micros) => {
          clearTimeout(timer);
          resolve(micros);
        });
        child.send({ type: 'cpu', id } satisfies ToServer);
      });
    },
  };
}
