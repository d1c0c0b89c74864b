import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_DIR, RUN_DIR } from './paths';
import { formatDuration, lineSplitter, ProgressLine, type OutputTracking } from './progress';

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

/** The last lines of a file, for error messages. */
function tailFile(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The last lines of a process's log, for error messages. */
export function tailLog(name: string, lines = 25): string {
  return tailFile(logFile(name), lines);
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
 * Waits until `check` resolves true, showing how long it has waited. Fails early, with the
 * log's last lines, if the process dies, and after `timeoutMs` otherwise.
 */
export async function waitUntil(
  name: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  what = 'waiting until it is ready',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A wait is usually short: in CI it shows only once it has lasted one interval.
  const progress = new ProgressLine({ label: name, activity: what, announce: false });
  try {
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
      progress.tick();
      await sleep(500);
    }
  } finally {
    progress.stop();
  }
}

/** How a set-up step shows its progress instead of its output, which goes to a log file. */
export interface StepProgress {
  /** The line's label, e.g. "Temporal CLI". */
  label: string;
  /** What it does, e.g. "building (go install …)". */
  activity: string;
  /** The outcome shown when it succeeds, e.g. "built". */
  done: string;
  /** The log's name: the output goes to `.data/logs/<log>.log`. */
  log: string;
  tracking?: OutputTracking;
}

/**
 * Runs a command to completion; fails with a clear message. Without `progress` its output is
 * shown as it comes (tests, benchmarks); with it, the output goes to a log file and one line
 * shows how far the step is, and the error names the log and shows its last lines.
 */
export async function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; what: string; progress?: StepProgress },
): Promise<void> {
  const step = options.progress;
  if (step === undefined) {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: 'inherit',
    });
    const code = await exitCode(child);
    if (code !== 0) throw new SetupError(`${options.what} failed (${command} exited with ${code})`);
    return;
  }

  mkdirSync(LOG_DIR, { recursive: true });
  const log = logFile(step.log);
  const fd = openSync(log, 'w');
  writeSync(fd, `$ ${[command, ...args].join(' ')}\n`);
  const progress = new ProgressLine({
    label: step.label,
    activity: step.activity,
    ...(step.tracking ? { tracking: step.tracking } : {}),
  });
  const lines = lineSplitter((line) => progress.observe(line));
  let code: number | null | 'spawn-error' = null;
  let spawnError: Error | undefined;
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        writeSync(fd, chunk);
        lines.push(chunk);
      });
    }
    code = await exitCode(child).catch((error: Error) => {
      spawnError = error;
      return 'spawn-error' as const;
    });
    lines.end();
  } finally {
    closeSync(fd);
  }
  if (code === 0) return progress.done(`${step.done} in`);
  progress.stop();
  const cause = spawnError
    ? `could not run ${command}: ${spawnError.message}`
    : `${command} exited with ${code}`;
  throw new SetupError(
    `${options.what} failed after ${formatDuration(progress.elapsedMs())} (${cause}). Last lines of ${log}:\n${tailFile(log)}\nFull output: ${log}`,
  );
}

/** The exit code of a child, once its output is read to the end. */
function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
}
