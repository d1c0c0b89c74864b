/**
 * The Neo4j launcher's profiles (services/neo4j-launcher/profiles.json: JVM options and page
 * cache), each measured against the baseline profile in the same run. Every profile serves the
 * same store, on a Neo4j of this benchmark's own (a fresh home under .data/bench and a free
 * port, so the project's own Neo4j is not touched), one at a time:
 *
 *   start-up   seconds from `java` to Bolt answering, on the store the first start created
 *   view       the CustomerView operation through the gateway, `--settings-concurrency` in
 *              flight, on `--settings-customers` customers with 10 touchpoints each
 *   intake     batches of 100 ad events through recordEvents, 2 in flight
 *
 * The profiles take turns (`--settings-rounds`), so noise from other work on the machine lands
 * on all of them. Each start is warmed up (CustomerView and intake batches, unmeasured) before
 * it is measured: the baseline's quick JIT tier warms up sooner, which the start-up time and
 * the warm-up time show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import type { Config } from '@experience-graph/config';
import { createDriver, createGraph, loadMigrations, migrate } from '@experience-graph/neo4j';
import {
  launcherCommand,
  loadNeo4jProfiles,
  type Neo4jProfile,
} from '@experience-graph/scripts/neo4j-profiles';
import { generate } from './customer-view';
import {
  atLeast,
  gql,
  num,
  printTable,
  recordAccepted,
  times,
  type BenchContext,
  type BenchSection,
  type TargetCheck,
} from './kit';
import { runLoad, summarize, type Summary } from './load';
import { startBenchSystem } from './system';

const ROOT = path.resolve(__dirname, '..', '..');
const VIEW = readFileSync(path.join(ROOT, 'schema', 'operations', 'customer-view.graphql'), 'utf8');
const TOUCHPOINTS = 10;
const INTAKE_BATCH = 100;
const INTAKE_BATCHES = 20;
const INTAKE_IN_FLIGHT = 2;
const START_TIMEOUT_MS = 180_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

interface RunningNeo4j {
  uri: string;
  startupSeconds: number;
  stop(): Promise<number>;
}

/** Starts the launcher with `profile` on `home`, waits for Bolt; stop() returns its seconds. */
async function startNeo4j(
  config: Config,
  profile: Neo4jProfile,
  home: string,
  signal: AbortSignal,
): Promise<RunningNeo4j> {
  const port = await freePort();
  const uri = `bolt://127.0.0.1:${port}`;
  const launcher = launcherCommand(profile);
  mkdirSync(home, { recursive: true });
  const log = openSync(path.join(home, `launcher-${profile.name}.log`), 'a');
  const started = performance.now();
  const child: ChildProcess = spawn('java', launcher.args, {
    env: {
      ...process.env,
      ...launcher.env,
      NEO4J_HOME_DIR: home,
      NEO4J_BOLT_HOST: '127.0.0.1',
      NEO4J_BOLT_PORT: String(port),
      NEO4J_PASSWORD: config.neo4j.password,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    const stopping = performance.now();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killed);
    }
    return (performance.now() - stopping) / 1000;
  };
  try {
    const deadline = started + START_TIMEOUT_MS;
    for (;;) {
      if (signal.aborted) throw new Error('Interrupted');
      if (child.exitCode !== null) {
        throw new Error(`Neo4j (${profile.name}) exited with ${child.exitCode}; see ${home}`);
      }
      const driver = neo4j.driver(uri, neo4j.auth.basic(config.neo4j.user, config.neo4j.password), {
        connectionTimeout: 2_000,
        maxConnectionPoolSize: 1,
      });
      const answered = await driver
        .verifyConnectivity()
        .then(() => true)
        .catch(() => false);
      await driver.close();
      if (answered) break;
      if (performance.now() > deadline) {
        throw new Error(`Neo4j (${profile.name}) did not answer within ${START_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri, startupSeconds: (performance.now() - started) / 1000, stop };
}

interface ProfileRun {
  profile: string;
  round: number;
  startupSeconds: number;
  warmupSeconds: number;
  view: Summary;
  intake: Summary;
  shutdownSeconds: number;
}

/** The median of each figure over a profile's rounds. */
function medianOf(runs: ProfileRun[], figure: (r: ProfileRun) => number): number {
  const values = runs.map(figure).sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  return values.length % 2
    ? (values[mid] as number)
    : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
}

export async function runNeo4jSettings(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal, runId } = ctx;
  const profiles = loadNeo4jProfiles();
  const ordered = [profiles.baseline, ...profiles.all.filter((p) => p !== profiles.baseline)];
  const home = path.join(ROOT, '.data', 'bench', `${runId}-neo4j`);
  const prefix = `${runId}-ns`;
  const customers = options.settingsCustomers;
  const runs: ProfileRun[] = [];
  const taskQueue = `${runId}-settings`;
  let batches = 0;
  const events = () => {
    const batch = batches++;
    return Array.from({ length: INTAKE_BATCH }, (_, i) => {
      const n = batch * INTAKE_BATCH + i;
      const customerId = `${prefix}-c${(n * 7919) % customers}`;
      const campaignId = `${prefix}-camp${n % 20}`;
      const kind = i % 4 === 3 ? 'adClick' : 'adImpression';
      return {
        eventId: `${prefix}-ev${n}`,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        [kind]: { customerId, campaignId },
      };
    });
  };
  let seeded = false;
  let generationSeconds = 0;
  try {
    for (let round = 0; round < options.settingsRounds; round++) {
      // Each round starts with another profile: none always runs first or last.
      const turn = ordered.map((_, i) => ordered[(i + round) % ordered.length] as Neo4jProfile);
      for (const profile of turn) {
        if (signal.aborted) throw new Error('Interrupted');
        const server = await startNeo4j(config, profile, home, signal);
        console.log(
          `[neo4j-settings] round ${round + 1}, ${profile.name}: Bolt after ${num(server.startupSeconds)} s`,
        );
        const own = { ...config, neo4j: { ...config.neo4j, uri: server.uri } };
        let system: Awaited<ReturnType<typeof startBenchSystem>> | undefined;
        try {
          if (!seeded) {
            const driver = createDriver(own.neo4j);
            try {
              const graph = createGraph(driver, own.neo4j.database);
              await migrate(graph, await loadMigrations());
              console.log(
                `[neo4j-settings] generating ${customers} customers, ${customers * TOUCHPOINTS} touchpoints...`,
              );
              generationSeconds = await generate(graph, prefix, customers, TOUCHPOINTS);
            } finally {
              await driver.close();
            }
            seeded = true;
          }
          system = await startBenchSystem(own, { taskQueue });
          const gatewayUrl = system.gatewayUrl;
          let seed = 7 + round;
          const pick = () => {
            seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
            return `${prefix}-c${seed % customers}`;
          };
          const views = (count: number) =>
            runLoad({
              count,
              offset: 0,
              concurrency: options.settingsConcurrency,
              deadline: performance.now() + options.maxSeconds * 1000,
              signal,
              timeoutMs: options.timeoutMs,
              send: async (_, s) => {
                const id = pick();
                const { customer } = await gql<{ customer: { id: string } | null }>(
                  gatewayUrl,
                  VIEW,
                  { id },
                  s,
                );
                if (customer?.id !== id)
                  throw new Error(`CustomerView of ${id} answered ${customer?.id}`);
              },
            });
          const intake = (count: number) =>
            runLoad({
              count,
              offset: 0,
              concurrency: INTAKE_IN_FLIGHT,
              deadline: performance.now() + options.maxSeconds * 1000,
              signal,
              timeoutMs: options.timeoutMs * 3,
              send: async (_, s) => {
                await recordAccepted(gatewayUrl, events(), s);
              },
            });
          const warmStart = performance.now();
          await views(options.warmup * 2);
          await intake(4);
          const warmupSeconds = (performance.now() - warmStart) / 1000;
          const view = summarize(options.settingsRequests, options.settingsConcurrency, [
            await views(options.settingsRequests),
          ]);
          const written = summarize(INTAKE_BATCHES, INTAKE_IN_FLIGHT, [
            await intake(INTAKE_BATCHES),
          ]);
          await system.stop();
          system = undefined;
          const shutdownSeconds = await server.stop();
          runs.push({
            profile: profile.name,
            round,
            startupSeconds: server.startupSeconds,
            warmupSeconds,
            view,
            intake: written,
            shutdownSeconds,
          });
          console.log(
            `[neo4j-settings]   view ${num(view.throughputPerSecond)}/s p99 ${num(view.p99Ms)} ms, ` +
              `intake ${num(written.throughputPerSecond * INTAKE_BATCH)} events/s, stopped in ${num(shutdownSeconds)} s`,
          );
        } finally {
          await system?.stop().catch(() => undefined);
          await server.stop();
        }
      }
    }
  } finally {
    // The whole store is the benchmark's own: removing its folder removes every node.
    rmSync(home, { recursive: true, force: true });
  }

  const byProfile = new Map(ordered.map((p) => [p.name, runs.filter((r) => r.profile === p.name)]));
  const base = byProfile.get(profiles.baseline.name) as ProfileRun[];
  const figure = (name: string, f: (r: ProfileRun) => number) =>
    medianOf(byProfile.get(name) as ProfileRun[], f);
  const viewRate = (r: ProfileRun) => r.view.throughputPerSecond;
  const viewP99 = (r: ProfileRun) => r.view.p99Ms;
  const intakeRate = (r: ProfileRun) => r.intake.throughputPerSecond * INTAKE_BATCH;
  const startup = (r: ProfileRun) => r.startupSeconds;
  const size = `${customers} customers, ${customers * TOUCHPOINTS} touchpoints; ${options.settingsRounds} rounds`;
  const baseName = profiles.baseline.name;
  const summary = ordered
    .filter((p) => p !== profiles.baseline)
    .flatMap((p) => [
      {
        benchmark: 'neo4j-settings' as const,
        metric: `${p.name}: CustomerView req/s, ${options.settingsConcurrency} in flight`,
        measured: `${num(figure(p.name, viewRate))} (p99 ${num(figure(p.name, viewP99))} ms)`,
        baseline: `${num(medianOf(base, viewRate))} (p99 ${num(medianOf(base, viewP99))} ms) ${baseName}`,
        ratio: times(figure(p.name, viewRate) / medianOf(base, viewRate)),
        data: size,
      },
      {
        benchmark: 'neo4j-settings' as const,
        metric: `${p.name}: recordEvents events/s, ${INTAKE_IN_FLIGHT} batches of ${INTAKE_BATCH} in flight`,
        measured: num(figure(p.name, intakeRate)),
        baseline: `${num(medianOf(base, intakeRate))} ${baseName}`,
        ratio: times(figure(p.name, intakeRate) / medianOf(base, intakeRate)),
        data: size,
      },
      {
        benchmark: 'neo4j-settings' as const,
        metric: `${p.name}: start-up s (java to Bolt)`,
        measured: num(figure(p.name, startup)),
        baseline: `${num(medianOf(base, startup))} ${baseName}`,
        ratio: times(figure(p.name, startup) / medianOf(base, startup)),
        data: 'existing store',
      },
    ]);
  const used = profiles.use.name;
  const targets: TargetCheck[] =
    used === baseName
      ? []
      : [
          atLeast(
            'neo4j-settings',
            `${used} (the profile in use): CustomerView req/s ÷ ${baseName}`,
            figure(used, viewRate) / medianOf(base, viewRate),
            1,
          ),
        ];
  const failures = runs
    .flatMap((r) => [r.view, r.intake])
    .filter((s) => s.errors > 0)
    .map((s) => `${s.errors} errors, e.g. ${s.errorSamples[0]}`);
  return {
    name: 'neo4j-settings',
    failures,
    summary,
    targets,
    details: {
      data: { customers, touchpoints: customers * TOUCHPOINTS, generationSeconds },
      profiles: profiles.all,
      use: used,
      baseline: baseName,
      runs,
    },
    cleanup: { removed: home },
    print: () =>
      printTable(
        [
          'profile',
          'round',
          'start s',
          'warm-up s',
          'view req/s',
          'view p50',
          'view p99',
          'events/s',
          'stop s',
        ],
        runs.map((r) => [
          r.profile,
          String(r.round + 1),
          num(r.startupSeconds),
          num(r.warmupSeconds),
          num(r.view.throughputPerSecond),
          num(r.view.p50Ms),
          num(r.view.p99Ms),
          num(intakeRate(r)),
          num(r.shutdownSeconds),
        ]),
      ),
  };
}
