/**
 * A benchmark's helper process (one of the *-child.ts entries), forked and spoken to over IPC:
 * it says `{type: 'ready', …}` once it serves, answers each request `{type, id}` with a message
 * carrying that id, and stops when sent `{type: 'stop'}` (killed if it does not in time).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILD_INFO = path.join(ROOT, 'test', 'dist', 'tsconfig.tsbuildinfo');
/** How long a request to a child may go unanswered. */
const ANSWER_MS = 30_000;

export interface ChildSpec {
  /** The entry's name in test/bench, without extension (`worker-child`). */
  entry: string;
  /** What the child is, in messages (`the worker process`). */
  name: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Node options beside the loader's. */
  execArgv?: string[];
  readyTimeoutMs: number;
  /** The grace `stop()` gives when called without one. */
  graceMs: number;
}

export interface Child<Ready, Reply> {
  pid: number;
  ready: Ready;
  /** `compiled` (test/dist, plain node, as in production) or `tsx` (the source, when stale). */
  runner: 'compiled' | 'tsx';
  /** Sends a request and waits for the reply that carries its id. */
  ask(type: string): Promise<Reply>;
  /** Asks it to stop; kills it after `graceMs`. Safe to call twice, and after it died. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The compiled entry when a build ran after the source last changed (`npm run bench` builds
 * first; tsc -b leaves an unchanged output alone but rewrites its build info), else the source
 * through tsx's loader, whose module hooks add a few MB to every memory figure alike.
 */
function entryOf(name: string): { file: string; loader: string[]; runner: 'compiled' | 'tsx' } {
  const source = path.join(ROOT, 'test', 'bench', `${name}.ts`);
  const compiled = path.join(ROOT, 'test', 'dist', 'bench', `${name}.js`);
  const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : -Infinity);
  if (existsSync(compiled) && Math.max(mtime(compiled), mtime(BUILD_INFO)) >= mtime(source)) {
    return { file: compiled, loader: [], runner: 'compiled' };
  }
  const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return { file: source, loader: ['--import', tsx], runner: 'tsx' };
}

export async function startChild<Ready extends { type: 'ready' }, Reply extends { id: number }>(
  spec: ChildSpec,
): Promise<Child<Ready, Reply>> {
  const { file, loader, runner } = entryOf(spec.entry);
  const child: ChildProcess = fork(file, spec.args ?? [], {
    execArgv: [...(spec.execArgv ?? []), ...loader],
    env: { ...process.env, LOG_LEVEL: 'warn', ...spec.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: { code: number | null; signal: string | null } | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const pending = new Map<number, (reply: Reply) => void>();
  let ready: Ready | undefined;
  let onReady: (() => void) | undefined;
  child.on('message', (message: Ready | Reply) => {
    if ('type' in message && message.type === 'ready') {
      ready = message as Ready;
      onReady?.();
    } else {
      const reply = message as Reply;
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    }
  });
  const stop = async (graceMs = spec.graceMs) => {
    if (exited) return;
    if (child.connected) child.send({ type: 'stop' });
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
    new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), spec.readyTimeoutMs).unref(),
    ),
  ]);
  if (!started || !ready || child.pid === undefined) {
    await stop(5_000);
    const name = spec.name.charAt(0).toUpperCase() + spec.name.slice(1);
    throw new Error(
      exited
        ? `${name} exited before it was ready (${JSON.stringify(exited)})`
        : `${name} was not ready within ${spec.readyTimeoutMs / 1000} s`,
    );
  }
  let nextId = 0;
  return {
    pid: child.pid,
    ready,
    runner,
    stop,
    ask(type) {
      if (exited || !child.connected) {
        return Promise.reject(new Error(`${spec.name} exited (${JSON.stringify(exited)})`));
      }
      const id = nextId++;
      return new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${spec.name} did not answer within ${ANSWER_MS / 1000} s`));
        }, ANSWER_MS);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
        child.send({ type, id });
      });
    },
  };
}
