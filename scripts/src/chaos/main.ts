/**
 * The fault matrix and the soak, inside the isolated stack's configuration (see command.ts,
 * which starts this with the run's data folder and ports in the environment). Brings the stack
 * up as `npm start` does, runs the load, injects the faults (or samples memory), waits until the
 * system is quiet, checks the invariants, writes the report, and stops everything it started,
 * also after a failure or Ctrl-C.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { appProcesses, appsDown, appsUp } from '../app-services';
import { DATA_DIR, ROOT } from '../paths';
import { runningPid, SetupError } from '../processes';
import { servicesDown, servicesUp } from '../stack';
import { ObservingClient } from './client';
import { injectFault, schedule, type FaultRecord } from './faults';
import { checkInvariants, owedSignals, type InvariantResult } from './invariants';
import { Load } from './load';
import { parseChaosOptions } from './options';
import {
  errorRate,
  faultInvariants,
  formatFaults,
  formatInvariants,
  outcomeCounts,
  summarizeFaults,
  summarizeMemory,
  table,
  type MemorySample,
} from './report';

/** The shared stack's ports: never this run's. */
const SHARED_PORTS = new Set([
  7687, 7233, 8233, 4000, 4001, 4002, 4003, 4005, 4006, 4010, 4016, 4017, 4018,
]);

function assertIsolated(config: Config): void {
  const ports = [
    Number(new URL(config.neo4j.uri).port),
    Number(config.temporal.address.split(':')[1]),
    Number(new URL(config.temporal.uiUrl).port),
    config.gateway.port,
    config.relay.port,
    config.console.port,
    ...Object.values(config.subgraphs).map((s) => s.port),
  ];
  const shared = ports.filter((p) => SHARED_PORTS.has(p));
  if (path.resolve(DATA_DIR) === path.join(ROOT, '.data') || shared.length > 0) {
    throw new SetupError(
      `The chaos run must have a stack of its own (data ${DATA_DIR}, shared ports ${shared.join(', ') || 'none'}): start it with npm run chaos`,
    );
  }
}

/** Resident memory of a process, in MB, from /proc; null when it is not running. */
function rssMb(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

function memorySample(config: Config, atS: number): MemorySample {
  const names = ['neo4j', 'temporal', ...appProcesses(config).map((a) => a.name)];
  return { atS, rssMb: Object.fromEntries(names.map((n) => [n, rssMb(runningPid(n))])) };
}

async function main(): Promise<number> {
  const [runId, ...args] = process.argv.slice(2);
  const options = parseChaosOptions(args);
  if (options === 'help' || runId === undefined) return 2;
  const config = loadConfig(process.env);
  assertIsolated(config);
  mkdirSync(DATA_DIR, { recursive: true });

  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.error(`\n${signal}: stopping the run, then its stack...`);
      interrupt.abort();
    } else if (signals >= 3) {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  const startedAt = new Date();
  console.log(
    `Chaos run ${runId} (${options.mode}): its own stack, data in ${path.relative(ROOT, DATA_DIR)}\n` +
      `  Neo4j ${config.neo4j.uri}, Temporal ${config.temporal.address}, gateway http://${config.gateway.host}:${config.gateway.port}/graphql`,
  );
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const connection = Connection.lazy({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  let code = 1;
  try {
    await servicesUp(config);
    await appsUp(config);
    const service = config.gateway.clients.find((c) => c.role === 'service');
    if (!service) throw new SetupError('GATEWAY_CLIENTS has no client with the service role');
    const client = new ObservingClient(
      `http://${config.gateway.host}:${config.gateway.port}/graphql`,
      service.key,
      options.clientTimeoutMs,
      performance.now(),
    );
    const load = new Load(client, {
      runId,
      devices: options.devices,
      rate: options.rate,
      fleet: options.mode === 'soak',
    });
    await load.prepare(Date.now() + 60_000);
    const stopLoad = new AbortController();
    let drainUntil = Number.POSITIVE_INFINITY;
    const loadDone = load.run(stopLoad.signal, () => drainUntil, interrupt.signal);

    const faults: FaultRecord[] = [];
    const memory: MemorySample[] = [];
    const backlog: Array<{ atS: number; owed: number | null; oldestAgeS: number | null }> = [];
    const sampler = setInterval(
      () => {
        const atS = Math.round(client.now() / 1000);
        if (options.mode === 'soak') memory.push(memorySample(config, atS));
        owedSignals(graph)
          .then((b) => {
            if (atS % 30 < 5) {
              const done = load.devices.filter((d) => d.next >= d.story.length).length;
              console.log(
                `chaos: ${atS} s: ${load.acknowledged.size} events acknowledged, ${done}/${load.devices.length} devices done, ${b.owed} signals owed`,
              );
            }
            backlog.push({
              atS,
              owed: b.owed,
              oldestAgeS: b.oldestMs === null ? null : Math.round((Date.now() - b.oldestMs) / 1000),
            });
          })
          .catch(() => backlog.push({ atS, owed: null, oldestAgeS: null }));
      },
      options.mode === 'soak' ? options.sampleS * 1000 : 5_000,
    );
    const pause = (s: number) =>
      sleep(s * 1000, undefined, { signal: interrupt.signal }).catch(() => undefined);
    try {
      if (options.mode === 'faults') {
        await pause(options.settleS);
        for (const planned of schedule(options)) {
          if (interrupt.signal.aborted) break;
          const record = await injectFault(config, options, client, planned, interrupt.signal);
          faults.push(record);
          if (record.error)
            console.error(`chaos: ${record.fault} #${record.round}: ${record.error}`);
          await pause(options.settleS);
        }
      } else {
        memory.push(memorySample(config, 0));
        await pause(options.durationMin * 60);
      }
    } finally {
      clearInterval(sampler);
      stopLoad.abort();
      drainUntil = Date.now() + options.quietTimeoutS * 1000;
    }
    const unfinished = await loadDone;
    if (interrupt.signal.aborted) {
      console.error('Interrupted: no invariants checked.');
      return 130;
    }
    console.log(`chaos: load stopped; waiting for the system to be quiet, then checking...`);
    const invariants: InvariantResult[] = [];
    invariants.push({
      name: 'every device finished its story',
      ok: unfinished.length === 0,
      detail:
        unfinished.length === 0
          ? `${load.devices.length} devices, ${load.acknowledged.size} events acknowledged`
          : `${unfinished.length} unfinished: ${unfinished
              .slice(0, 5)
              .map((d) => `${d.serial} at ${d.story[d.next]?.kind ?? 'set-up'}`)
              .join(', ')}`,
    });
    invariants.push({
      name: 'no event rejected (other than UNAVAILABLE)',
      ok: load.rejected.length === 0,
      detail:
        load.rejected.length === 0
          ? 'none'
          : load.rejected
              .slice(0, 5)
              .map((r) => `${r.eventId}: ${r.code} ${r.message}`)
              .join('; '),
    });
    invariants.push(
      ...(await checkInvariants({
        graph,
        temporal,
        client,
        devices: load.devices,
        acknowledged: load.acknowledged,
        quietTimeoutMs: options.quietTimeoutS * 1000,
      })),
    );
    const summaries = summarizeFaults(faults, client.observations, options.maxAnswerMs);
    if (options.mode === 'faults')
      invariants.push(...faultInvariants(summaries, options.maxAnswerMs, client.observations));
    const loadObservations = client.observations;
    const errors = errorRate(loadObservations);
    const warmS = options.warmupMin * 60;
    const memorySummary = options.mode === 'soak' ? summarizeMemory(memory, warmS) : [];
    if (options.mode === 'soak') {
      const drifting = memorySummary.filter(
        (m) => m.maxDeviationPct === null || m.maxDeviationPct > options.memoryTolerancePct,
      );
      invariants.push({
        name: `memory flat within ±${options.memoryTolerancePct}% once warm`,
        ok: drifting.length === 0,
        detail:
          drifting.length === 0
            ? `largest move ${Math.max(0, ...memorySummary.map((m) => m.maxDeviationPct ?? 0))}%`
            : drifting.map((m) => `${m.process}: ${m.maxDeviationPct ?? 'no samples'}%`).join('; '),
      });
    }

    console.log(`\n== Chaos report ${runId} (${options.mode}) ==\n`);
    console.log(
      `Load: ${load.devices.length} devices, ${options.devices} at a time, ${options.rate} event requests/s; ` +
        `${errors.requests} requests, ${errors.failed} not served in full (${errors.ratePct}%).\n`,
    );
    console.log(
      `Outcomes over the whole run:\n${table(['outcome (events; reads)', 'count'], outcomeCounts(loadObservations))}\n`,
    );
    if (options.mode === 'faults') console.log(`${formatFaults(summaries)}\n`);
    if (options.mode === 'soak') {
      const names = Object.keys(memory[0]?.rssMb ?? {});
      console.log(
        `Memory (RSS, MB) every ${options.sampleS} s; warm from ${options.warmupMin} min:\n` +
          table(
            ['t (s)', ...names],
            memory.map((s) => [s.atS, ...names.map((n) => s.rssMb[n] ?? null)]),
          ) +
          '\n\n' +
          table(
            ['process', 'first warm', 'last', 'min', 'max', 'max move %'],
            memorySummary.map((m) => [
              m.process,
              m.firstWarmMb,
              m.lastMb,
              m.minWarmMb,
              m.maxWarmMb,
              m.maxDeviationPct,
            ]),
          ) +
          '\n',
      );
    }
    console.log(formatInvariants(invariants));
    const ok = invariants.every((i) => i.ok);
    const report = {
      runId,
      mode: options.mode,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      stack: {
        neo4j: config.neo4j.uri,
        temporal: config.temporal.address,
        gateway: `http://${config.gateway.host}:${config.gateway.port}/graphql`,
        dataDir: DATA_DIR,
      },
      load: {
        devices: load.devices.length,
        acknowledged: load.acknowledged.size,
        rejected: load.rejected,
        errorRate: errors,
        outcomes: Object.fromEntries(outcomeCounts(loadObservations)),
      },
      faults: summaries,
      faultTimeline: faults,
      backlog,
      memory,
      memorySummary,
      invariants,
      ok,
    };
    const json = JSON.stringify(report, null, 2);
    writeFileSync(path.join(DATA_DIR, 'report.json'), json);
    writeFileSync(path.join(ROOT, '.data', 'chaos', 'latest.json'), json);
    console.log(
      `\nReport: ${path.relative(ROOT, path.join(DATA_DIR, 'report.json'))} (and .data/chaos/latest.json)`,
    );
    console.log(ok ? 'Every invariant held.' : 'An invariant FAILED.');
    code = ok ? 0 : 1;
    return code;
  } finally {
    await driver.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    console.log("chaos: stopping the run's stack...");
    await appsDown(config).catch((e: unknown) => console.error(`chaos: ${(e as Error).message}`));
    await servicesDown(config).catch((e: unknown) =>
      console.error(`chaos: ${(e as Error).message}`),
    );
    if (!options.keepData) {
      for (const store of ['neo4j', 'temporal'])
        rmSync(path.join(DATA_DIR, store), { recursive: true, force: true });
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof SetupError ? `\n${error.message}` : error);
    process.exit(1);
  },
);
