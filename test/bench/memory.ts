/**
 * Memory of the lifecycle worker with many live device lifecycles. The worker (the production
 * worker, SDK defaults) runs in a child process so that its resident set can be read from
 * /proc/<pid>/status. Baseline: its RSS with no live lifecycle, after start-up and a warm-up
 * (a few lifecycles run to their end, so the workflow bundle, the V8 context and the
 * connections are all in use). Then `--lifecycles` device lifecycles are started (each by
 * signalWithStart of a PURCHASED event, as the intake does, for seeded devices and customers)
 * and, once every one has processed that event (its device is PURCHASED in the graph), the RSS
 * is read again.
 *
 * The SDK keeps at most `maxCachedWorkflows` workflows in memory (LRU); the others live only in
 * Temporal and are replayed from their history when they next get a task. The report says what
 * that bound was, and how many were cached when measured.
 */
import type { Graph } from '@experience-graph/neo4j';
import {
  createLifecycleGateway,
  deviceLifecycleWorkflowId,
  deviceEventSignal,
} from '@experience-graph/workflows';
import {
  chunks,
  deleteNodes,
  forEachBounded,
  isoFromNow,
  num,
  printTable,
  seconds,
  sleep,
  terminateWorkflows,
  times,
  waitForStage,
  type BenchContext,
  type BenchSection,
} from './kit';
import { startBenchSystem } from './system';
import { startWorkerProcess, type WorkerProcess, type WorkerSample } from './worker-process';

const WARMUP_LIFECYCLES = 20;
const DEVICES_PER_CUSTOMER = 10;
/** Samples that must agree for a figure, a second apart; their median is reported. */
const SAMPLES = 3;
const SETTLE_SAMPLES = 30;

interface MemoryPlan {
  prefix: string;
  sku: string;
  serials: string[];
  warmupSerials: string[];
  customerIds: string[];
}

function plan(ctx: BenchContext): MemoryPlan {
  const prefix = `${ctx.runId}-mem`;
  const n = ctx.options.lifecycles;
  return {
    prefix,
    sku: `${prefix}-m`,
    serials: Array.from({ length: n }, (_, i) => `${prefix}-d${i}`),
    warmupSerials: Array.from({ length: WARMUP_LIFECYCLES }, (_, i) => `${prefix}-w${i}`),
    customerIds: Array.from(
      { length: Math.ceil((n + WARMUP_LIFECYCLES) / DEVICES_PER_CUSTOMER) },
      (_, c) => `${prefix}-c${c}`,
    ),
  };
}

const ownerOf = (p: MemoryPlan, i: number) =>
  p.customerIds[Math.floor(i / DEVICES_PER_CUSTOMER) % p.customerIds.length] as string;

/**
 * RSS once it has settled: V8 and the allocator give memory back to the system a while after
 * a collection, so a single sample right after a burst of work reads high. Samples a second
 * apart (each after a full GC) until the last `SAMPLES` are within 1% (2 MB at least) of each
 * other, for at most `SETTLE_SAMPLES`; the median of the last `SAMPLES` is the figure.
 */
async function settledSample(
  worker: WorkerProcess,
  signal: AbortSignal,
): Promise<WorkerSample & { settled: boolean; samplesTaken: number }> {
  const samples: WorkerSample[] = [];
  let settled = false;
  for (let i = 0; i < SETTLE_SAMPLES && !signal.aborted; i++) {
    if (i > 0) await sleep(1_000, signal);
    samples.push(await worker.sample());
    const rss = samples.slice(-SAMPLES).map((s) => s.rssMB);
    if (
      rss.length === SAMPLES &&
      Math.max(...rss) - Math.min(...rss) <= Math.max(2, Math.max(...rss) / 100)
    ) {
      settled = true;
      break;
    }
  }
  const last = samples.slice(-SAMPLES).sort((a, b) => a.rssMB - b.rssMB);
  const median = last[Math.floor(last.length / 2)];
  if (!median) throw new Error('No memory sample was taken');
  return { ...median, settled, samplesTaken: samples.length };
}

interface ProgressPoint {
  seconds: number;
  started: number;
  processed: number;
  rssMB: number;
  cachedWorkflows: number;
}

export async function runMemory(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const p = plan(ctx);
  const n = p.serials.length;
  const taskQueue = `${ctx.runId}-memory`;
  console.log(
    `[memory] ${n} lifecycles; seeding ${n + WARMUP_LIFECYCLES} devices and starting the worker process...`,
  );
  // Only for its Temporal client and graph: no request goes through its gateway here.
  const system = await startBenchSystem(config, { taskQueue });
  const lifecycle = createLifecycleGateway(system.client, taskQueue);
  let worker: WorkerProcess | undefined;
  let failure: { error: unknown } | undefined;
  let baseline: Awaited<ReturnType<typeof settledSample>> | undefined;
  let loaded: Awaited<ReturnType<typeof settledSample>> | undefined;
  const progress: ProgressPoint[] = [];
  const timings: Record<string, number> = {};
  let started = 0;
  /** Lifecycles a signalWithStart was sent for (answered or not): the ones to terminate. */
  let attempted = 0;
  const cleanup: Record<string, unknown> = {};
  try {
    const seedStart = performance.now();
    await seedMemory(system.graph, p);
    timings['seedSeconds'] = (performance.now() - seedStart) / 1000;
    worker = await startWorkerProcess(taskQueue);
    console.log(
      `[memory] worker pid ${worker.pid} (${worker.runner}); maxCachedWorkflows ${worker.settings.maxCachedWorkflows} ` +
        `(heap limit ${num(worker.settings.heapSizeLimitMB, 0)} MB). Warming up with ${WARMUP_LIFECYCLES} lifecycles...`,
    );

    // Warm-up: lifecycles that run to their end (PURCHASED, then RETIRED), so the worker has
    // done everything once and, when they complete, holds none of them.
    await forEachBounded(WARMUP_LIFECYCLES, 8, performance.now() + 60_000, async (i) => {
      const serial = p.warmupSerials[i] as string;
      await lifecycle.sendDeviceEvent({
        eventId: `${p.prefix}-wbuy${i}`,
        serial,
        occurredAt: isoFromNow(-60_000),
        type: 'PURCHASED',
        customerId: ownerOf(p, n + i),
        orderId: `${p.prefix}-wo${i}`,
      });
      await system.client.workflow
        .getHandle(deviceLifecycleWorkflowId(serial))
        .signal(deviceEventSignal, {
          eventId: `${p.prefix}-wret${i}`,
          serial,
          occurredAt: isoFromNow(-30_000),
          type: 'RETIRED',
        });
    }).then((r) => {
      if (r.errors) throw new Error(`Warm-up failed: ${r.errorSamples[0]}`);
    });
    await waitForStage(system.graph, p.warmupSerials, 'RETIRED', 120_000, signal);
    // Completed workflows leave the cache; wait (bounded) until it is empty.
    for (let i = 0; i < 30 && (await worker.sample()).cachedWorkflows > 0; i++) {
      await sleep(1_000, signal);
    }
    baseline = await settledSample(worker, signal);
    console.log(
      `[memory] baseline: ${num(baseline.rssMB)} MB RSS with 0 live lifecycles (${baseline.cachedWorkflows} cached). ` +
        `Starting ${n} lifecycles, ${options.startConcurrency} at a time...`,
    );

    // The lifecycles, and the graph and the worker watched while they start.
    const t0 = performance.now();
    const deadline = t0 + options.maxSeconds * 1000;
    const watched = worker;
    const stopWatching = new AbortController();
    const watchSignal = AbortSignal.any([signal, stopWatching.signal]);
    const watcher = (async () => {
      while (!watchSignal.aborted && performance.now() < deadline) {
        await sleep(5_000, watchSignal);
        if (watchSignal.aborted) break;
        const processed = await countStage(system.graph, p.serials, 'PURCHASED');
        const s = await watched.sample();
        progress.push({
          seconds: (performance.now() - t0) / 1000,
          started,
          processed,
          rssMB: s.rssMB,
          cachedWorkflows: s.cachedWorkflows,
        });
        console.log(
          `[memory]   ${seconds(t0)}: ${started} started, ${processed} processed, ` +
            `RSS ${num(s.rssMB)} MB, ${s.cachedWorkflows} cached`,
        );
        if (processed === n) break;
      }
    })().catch((error: unknown) => {
      console.error(`[memory] progress sampling stopped: ${String(error)}`);
    });
    let starts: Awaited<ReturnType<typeof forEachBounded>>;
    try {
      starts = await forEachBounded(
        n,
        options.startConcurrency,
        deadline,
        async (i) => {
          attempted = Math.max(attempted, i + 1);
          await lifecycle.sendDeviceEvent({
            eventId: `${p.prefix}-buy${i}`,
            serial: p.serials[i] as string,
            occurredAt: isoFromNow(-60_000),
            type: 'PURCHASED',
            customerId: ownerOf(p, i),
            orderId: `${p.prefix}-o${i}`,
          });
          started++;
        },
        signal,
      );
    } finally {
      // A failure below must not leave the sampler running against a stopped worker.
      if (started < n) stopWatching.abort();
    }
    timings['startSeconds'] = starts.elapsedMs / 1000;
    if (starts.errors || starts.completed < n) {
      throw new Error(
        `Started ${starts.completed - starts.errors} of ${n} lifecycles; e.g. ${starts.errorSamples[0] ?? 'time limit'}`,
      );
    }
    try {
      await waitForStage(
        system.graph,
        p.serials,
        'PURCHASED',
        Math.max(1_000, deadline - performance.now()),
        signal,
      );
      timings['allProcessedSeconds'] = (performance.now() - t0) / 1000;
    } finally {
      stopWatching.abort();
      await watcher;
    }
    loaded = await settledSample(worker, signal);
    console.log(
      `[memory] with ${n} live lifecycles: ${num(loaded.rssMB)} MB RSS (${loaded.cachedWorkflows} cached).`,
    );
  } catch (error) {
    failure = { error };
  }

  try {
    const stopStart = performance.now();
    await worker?.stop();
    const ids = [...p.warmupSerials, ...p.serials.slice(0, attempted)].map((s) =>
      deviceLifecycleWorkflowId(s),
    );
    cleanup['workflows'] = await terminateWorkflows(
      system.client,
      ids,
      options.startConcurrency,
      Math.max(120_000, ids.length * 30),
    );
    cleanup['deleted'] = await deleteNodes(system.graph, [
      {
        name: 'devices',
        label: 'Device',
        key: 'serial',
        values: [...p.warmupSerials, ...p.serials],
      },
      { name: 'customers', label: 'Customer', key: 'id', values: p.customerIds },
      { name: 'models', label: 'ProductModel', key: 'sku', values: [p.sku] },
    ]);
    cleanup['seconds'] = (performance.now() - stopStart) / 1000;
    console.log(
      `[memory] stopped the worker, removed the lifecycles and data: ${JSON.stringify(cleanup)}.`,
    );
    const terminated = cleanup['workflows'] as { errors: number; errorSamples: string[] };
    if (terminated.errors) {
      throw new Error(
        `Could not terminate ${terminated.errors} workflows: ${terminated.errorSamples[0]}`,
      );
    }
  } catch (error) {
    console.error(`[memory] clean-up failed; every key starts with ${p.prefix}.`);
    failure ??= { error };
  }
  try {
    await system.stop();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;
  if (!baseline || !loaded || !worker) throw new Error('Nothing was measured');

  const growthMB = loaded.rssMB - baseline.rssMB;
  const perThousand = growthMB / (n / 1000);
  // Beyond maxCachedWorkflows the SDK evicts: the growth is that of the cached ones.
  const perThousandCached = growthMB / (Math.max(1, loaded.cachedWorkflows) / 1000);
  const cap = worker.settings.maxCachedWorkflows;
  const dataText = `${n} lifecycles (PURCHASED), maxCachedWorkflows ${cap}`;
  return {
    name: 'memory',
    failures: [],
    summary: [
      {
        benchmark: 'memory',
        metric: `worker RSS MB, ${n} live lifecycles`,
        measured: num(loaded.rssMB),
        baseline: `${num(baseline.rssMB)} with 0`,
        ratio: `${times(loaded.rssMB / baseline.rssMB)}; ${num(perThousand, 2)} MB/1k`,
        data: `${dataText}, ${loaded.cachedWorkflows} cached`,
      },
    ],
    details: {
      baseline:
        'RSS (VmRSS from /proc/<pid>/status) of the same worker process with 0 live lifecycles, ' +
        `after start-up and ${WARMUP_LIFECYCLES} warm-up lifecycles run to their end; each ` +
        `figure the median of the first ${SAMPLES} consecutive samples (a second apart, each ` +
        `after a full GC) within 1% of each other (settled: false if none within ${SETTLE_SAMPLES}).`,
      worker: {
        process: 'child (worker-child.ts)',
        pid: worker.pid,
        runner: worker.runner,
        settings: worker.settings,
      },
      maxCachedWorkflowsNote:
        'SDK default with reuseV8Context (the default): max(floor((heap limit MB − 200) × 600 ÷ 1024), 10); ' +
        "the heap limit is V8's default for this machine, so it differs between machines. At most " +
        'that many workflows stay in memory; the rest are evicted (LRU) and replayed from history ' +
        'on their next task. Set it with createLifecycleWorker({ options: { maxCachedWorkflows } }).',
      lifecycles: n,
      baselineSample: baseline,
      loadedSample: loaded,
      growthMB,
      mbPer1000Lifecycles: perThousand,
      mbPer1000CachedWorkflows: perThousandCached,
      ratio: loaded.rssMB / baseline.rssMB,
      timings,
      progress,
    },
    cleanup,
    print() {
      console.log(
        `\nmemory: the lifecycle worker (child process) with ${n} live device lifecycles`,
      );
      printTable(
        ['worker', 'RSS MB', 'peak RSS MB', 'heap used MB', 'external MB', 'cached workflows'],
        [
          ['0 live lifecycles (baseline)', baseline as WorkerSample],
          [`${n} live lifecycles`, loaded as WorkerSample],
        ].map(([name, s]) => {
          const sample = s as WorkerSample;
          return [
            name as string,
            num(sample.rssMB),
            num(sample.peakRssMB),
            num(sample.heapUsedMB),
            num(sample.externalMB),
            String(sample.cachedWorkflows),
          ];
        }),
      );
      console.log(
        `growth ${num(growthMB)} MB = ${num(perThousand, 2)} MB per 1,000 live lifecycles ` +
          `(${num(perThousandCached, 2)} MB per 1,000 cached workflows); ` +
          `${times(loaded.rssMB / baseline.rssMB)} the baseline. maxCachedWorkflows ${cap} ` +
          `(SDK default for a ${num(worker.settings.heapSizeLimitMB, 0)} MB heap limit).` +
          (baseline.settled && loaded.settled
            ? ''
            : `\nRSS had not settled within ${SETTLE_SAMPLES} s for ${baseline.settled ? 'the loaded' : 'the baseline'} figure.`) +
          `\nstarted in ${num(timings['startSeconds'] ?? NaN)} s, all processed after ${num(timings['allProcessedSeconds'] ?? NaN)} s.`,
      );
    },
  };
}

async function countStage(
  graph: Graph,
  serials: readonly string[],
  stage: string,
): Promise<number> {
  let total = 0;
  for (const part of chunks(serials, 10_000)) {
    const [row] = await graph.read<{ n: number }>(
      `UNWIND $serials AS s MATCH (d:Device {serial: s}) WHERE d.stage = $stage RETURN count(d) AS n`,
      { serials: part, stage },
    );
    total += row?.n ?? 0;
  }
  return total;
}

async function seedMemory(graph: Graph, p: MemoryPlan): Promise<void> {
  await graph.write(
    `CREATE (:ProductModel {sku: $sku, name: 'Bench memory model', createdAt: datetime()})`,
    { sku: p.sku },
  );
  for (const ids of chunks(p.customerIds, 5_000)) {
    await graph.write(
      `UNWIND $ids AS id CREATE (:Customer {id: id, displayName: 'Bench ' + id, createdAt: datetime()})`,
      { ids },
    );
  }
  for (const serials of chunks([...p.warmupSerials, ...p.serials], 5_000)) {
    await graph.write(
      `MATCH (m:ProductModel {sku: $sku})
       UNWIND $serials AS serial
       CREATE (d:Device {serial: serial, sku: $sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
      { sku: p.sku, serials },
    );
  }
}
