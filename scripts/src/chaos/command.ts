/**
 * `npm run chaos`: picks free ports and a data folder of the run's own, and runs the fault
 * matrix (or the soak) in a child process whose configuration says so: the stack it brings up
 * through the same code as `npm start` is isolated from the one on the default ports, which it
 * never touches. Whatever becomes of the child (a failure, Ctrl-C, a crash), every process whose
 * pid file is in the run's folder is stopped before this command returns.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATA_DIR_VARIABLE, ROOT } from '../paths';
import { SetupError } from '../processes';
import { ChaosUsageError, parseChaosOptions, USAGE } from './options';

/** A port nothing listens on right now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Every variable naming a port a stack listens on: each gets a free one of its own. */
export const PORT_VARIABLES = [
  'NEO4J_BOLT',
  'TEMPORAL',
  'TEMPORAL_UI',
  'PRODUCTS_PORT',
  'CUSTOMERS_PORT',
  'CAMPAIGNS_PORT',
  'GATEWAY_PORT',
  'RELAY_PORT',
  'CONSOLE_PORT',
  'GATEWAY_METRICS_PORT',
  'CONSOLE_METRICS_PORT',
  'WORKER_METRICS_PORT',
  'WORKER_TEMPORAL_METRICS_PORT',
] as const;

/** The environment of the run's stack: its data folder and a free port for every server. */
export async function isolatedEnvironment(dataDir: string): Promise<Record<string, string>> {
  const ports: number[] = [];
  while (ports.length < PORT_VARIABLES.length) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const port = Object.fromEntries(
    PORT_VARIABLES.map((name, i) => [name, String(ports[i])]),
  ) as Record<(typeof PORT_VARIABLES)[number], string>;
  const { NEO4J_BOLT, TEMPORAL, TEMPORAL_UI, ...listeners } = port;
  return {
    [DATA_DIR_VARIABLE]: dataDir,
    NEO4J_URI: `bolt://127.0.0.1:${NEO4J_BOLT}`,
    TEMPORAL_ADDRESS: `127.0.0.1:${TEMPORAL}`,
    TEMPORAL_UI_URL: `http://127.0.0.1:${TEMPORAL_UI}`,
    SUBGRAPH_HOST: '127.0.0.1',
    GATEWAY_HOST: '127.0.0.1',
    RELAY_HOST: '127.0.0.1',
    CONSOLE_HOST: '127.0.0.1',
    METRICS_HOST: '127.0.0.1',
    ...listeners,
    // Empty means unset: the addresses follow the ports above, whatever `.env` says.
    PRODUCTS_URL: '',
    CUSTOMERS_URL: '',
    CAMPAIGNS_URL: '',
    CONSOLE_GATEWAY_URL: '',
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops every process a pid file of `runDir` names (the run's own), group first. */
export async function stopEverythingIn(runDir: string, graceMs = 20_000): Promise<string[]> {
  if (!existsSync(runDir)) return [];
  const stopped: string[] = [];
  for (const file of readdirSync(runDir).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readFileSync(path.join(runDir, file), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) continue;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        try {
          process.kill(pid, s);
        } catch {
          /* gone */
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(200);
    if (alive(pid)) signal('SIGKILL');
    rmSync(path.join(runDir, file), { force: true });
    stopped.push(file.replace(/\.pid$/, ''));
  }
  return stopped;
}

/** Runs the chaos command with its flags; resolves the exit code. */
export async function runChaosCommand(args: string[]): Promise<number> {
  let options;
  try {
    options = parseChaosOptions(args);
  } catch (error) {
    if (error instanceof ChaosUsageError) throw new SetupError(`${error.message}\n\n${USAGE}`);
    throw error;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const runId = `${options.mode === 'soak' ? 'soak' : 'chaos'}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const dataDir = path.join(ROOT, '.data', 'chaos', runId);
  const env = await isolatedEnvironment(dataDir);
  // The child stops its stack on Ctrl-C; this process waits for it, then makes sure.
  const ignore = () => undefined;
  process.on('SIGINT', ignore).on('SIGTERM', ignore);
  try {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(ROOT, 'scripts', 'src', 'chaos', 'main.ts'),
        runId,
        ...args,
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit' },
    );
    const code = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(1));
      child.once('close', (status) => resolve(status ?? 1));
    });
    return code;
  } finally {
    const left = await stopEverythingIn(path.join(dataDir, 'run'));
    if (left.length > 0)
      console.error(`chaos: stopped what the run left running: ${left.join(', ')}`);
    process.off('SIGINT', ignore).off('SIGTERM', ignore);
  }
}
