import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_DIR, RUN_DIR } from './paths';

/** A problem the user can act on: printed as its message, without a stack trace. */
export class SetupError extends Error {
  override name = 'SetupError';
}

const pidFile = (name: string) => path.join(RUN_DIR, `${name}.pid`);
export const logFile = (name: string) => path.join(LOG_DIR, `${name}.log`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a process this project started and that still runs, or null. */
export function runningPid(name: string): number | null {
  const file = pidFile(name);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  rmSync(file, { force: true });
  return null;
}

/** Starts a long-running process detached from this one, logging to `.data/logs/<name>.log`. */
export function startDetached(
  name: string,
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): number {
  mkdirSync(LOG_DIR, { recursive: true });
  mkdirSync(RUN_DIR, { recursive: true });
  const log = openSync(logFile(name), 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new SetupError(`Could not start ${name} (${command})`);
  child.unref();
  writeFileSync(pidFile(name), String(child.pid));
  return child.pid;
}

/** Stops a process this project started: SIGTERM, then SIGKILL after the grace period. */
export async function stopProcess(name: string, graceMs = 20_000): Promise<boolean> {
  const pid = runningPid(name);
  if (pid === null) return false;
  // The process leads its own group (detached); signal the group so children stop too.
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signal('SIGKILL');
  rmSync(pidFile(name), { force: true });
  return true;
}

/** The last lines of a process's log, for error messages. */
export function tailLog(name: string, lines = 25): string {
  const file = logFile(name);
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Whether something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Waits until `check` resolves true. Fails early, with the log's last lines, if the process
 * dies, and after `timeoutMs` otherwise.
 */
export async function waitUntil(
  name: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const owned = existsSync(pidFile(name));
    if (owned && runningPid(name) === null) {
      throw new SetupError(
        `${name} exited during start-up. Last lines of ${logFile(name)}:\n${tailLog(name)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new SetupError(
        `${name} was not ready after ${Math.round(timeoutMs / 1000)} s. Last lines of ${logFile(name)}:\n${tailLog(name)}`,
      );
    }
    await sleep(500);
  }
}

/** Runs a command to completion, showing its output; fails with a clear message. */
export async function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; what: string },
): Promise<void> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new SetupError(`${options.what} failed (${command} exited with ${code})`);
}
