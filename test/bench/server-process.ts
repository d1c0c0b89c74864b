/**
 * Starts server-child.ts as a process of its own (the subgraphs, or the gateway) and talks to it
 * over IPC: its URLs, its CPU so far, and stopping it (killed if it does not stop in time).
 */
import { startChild } from './child-process';
import type { FromServer } from './server-child';

export interface ServerProcess {
  pid: number;
  urls: Record<string, string>;
  /** The process's CPU (user + system) since it started, in µs. */
  cpuMicros(): Promise<number>;
  /** Asks it to stop; kills it after `graceMs`. Safe to call twice, and after it died. */
  stop(graceMs?: number): Promise<void>;
}

export async function startServerProcess(
  args: string[],
  readyTimeoutMs = 120_000,
): Promise<ServerProcess> {
  const child = await startChild<
    Extract<FromServer, { type: 'ready' }>,
    Extract<FromServer, { type: 'cpu' }>
  >({
    entry: 'server-child',
    name: `the ${args[0]} process`,
    args,
    readyTimeoutMs,
    graceMs: 30_000,
  });
  return {
    pid: child.pid,
    urls: child.ready.urls,
    stop: child.stop,
    async cpuMicros() {
      return (await child.ask('cpu')).micros;
    },
  };
}
