/**
 * Telemetry-to-intervention latency: for a device in SUPPORT whose owner consented to
 * TELEMETRY_USE, the time from sending a degrading telemetry batch through the gateway until
 * `device(serial) { interventions { id } }`, read through the gateway, shows the intervention.
 * Measured with healthy background telemetry for other devices running at a bounded rate, and
 * without it (the baseline), in alternating phases of one run; plus, for reference, the round
 * trip of that one gateway read.
 *
 * Everything is real: the devices reach SUPPORT through the gateway (purchase, delivery and
 * installation events start and drive their lifecycles, their signals delivered by the outbox
 * relay running in this process), and the lifecycle worker (the production worker, SDK
 * defaults) runs in a process of its own on a task queue of this run's.
 */
import type { Graph } from '@experience-graph/neo4j';
import {
  deviceLifecycleWorkflowId,
  interventionWorkflowId,
  journeyWorkflowId,
} from '@experience-graph/workflows';
import {
  chunks,
  deleteAnchored,
  deleteNodes,
  deleteOutboxLane,
  distribution,
  gql,
  isoFromNow,
  num,
  printTable,
  recordAccepted,
  sleep,
  terminateWorkflows,
  times,
  type BenchContext,
  type BenchSection,
  type Distribution,
  waitForStage,
} from './kit';
import { startBenchSystem } from './system';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const WARMUP_DEVICES = 2;
/** How often the intervention is looked for through the gateway, once the batch is accepted. */
const POLL_MS = 25;
/** Gateway reads per phase for the reference round trip. */
const READ_SAMPLES = 30;
/** Background telemetry gets this long to reach its rate before a loaded phase measures. */
const RAMP_MS = 2_000;
/** Background readings are 10 s apart, from 36 hours ago: never in the future, never silent. */
const BACKGROUND_STEP_MS = 10_000;
const BACKGROUND_SPAN_MS = 36 * 3600_000;
const BACKGROUND_SENDERS = 2;
const INTERVENTION_STEPS = [
  'INTERVENTION_OPENED',
  'INTERVENTION_NOTIFIED',
  'PART_SHIPPED',
  'ESCALATED_TO_EXPERT',
  'INTERVENTION_CLOSED',
];

const DEVICE_INTERVENTIONS = `
query DeviceInterventions($serial: ID!) {
  device(serial: $serial) { interventions { id } }
}`;

/**
 * Four weeks of readings every six hours ending now (test/e2e/story.e2e.test.ts): a healthy
 * printer whose error rate starts rising exponentially after day 16. The health fold predicts
 * a failure, and the lifecycle opens an intervention.
 */
function degradingReadings(serial: string) {
  const end = Date.now();
  const readings = [];
  for (let hour = 0; hour < 28 * 24; hour += 6) {
    const day = hour / 24;
    const rate = day < 16 ? 0.005 : 0.005 * Math.pow(24, (day - 16) / 12);
    readings.push({
      readingId: `${serial}-reading-${hour}`,
      at: new Date(end - (28 * 24 - hour) * 3600_000).toISOString(),
      pagesPrinted: 40,
      errors: Math.round(40 * rate + (hour % 60 === 0 ? 1 : 0)),
      paperJams: 0,
      inkLevel: 90 - day * 2.7,
    });
  }
  return readings;
}
const DEGRADING_HOURS = Array.from({ length: 28 * 4 }, (_, i) => i * 6);

interface LatencyPlan {
  prefix: string;
  sku: string;
  /** Devices measured: the warm-up ones first, then alternately per phase. */
  serials: string[];
  customerIds: string[];
  orderIds: string[];
  backgroundSerials: string[];
}

function plan(ctx: BenchContext): LatencyPlan {
  const prefix = `${ctx.runId}-v`;
  const count = WARMUP_DEVICES + 2 * ctx.options.latencyDevices;
  const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  return {
    prefix,
    sku: `${prefix}-m`,
    serials: range(count, (i) => `${prefix}-d${i}`),
    customerIds: range(count, (i) => `${prefix}-c${i}`),
    orderIds: range(count, (i) => `${prefix}-o${i}`),
    backgroundSerials: range(ctx.options.backgroundDevices, (j) => `${prefix}-b${j}`),
  };
}

const setupEventIds = (p: LatencyPlan, i: number) =>
  ['buy', 'del', 'ins'].map((what) => `${p.prefix}-${what}${i}`);

interface Measurement {
  serial: string;
  loaded: boolean;
  /** From sending the degrading batch to the gateway read that shows the intervention. */
  latencyMs: number;
  /** From sending the batch to its ACCEPTED answer. */
  acceptedMs: number;
  polls: number;
}

interface BackgroundStats {
  batches: number;
  readings: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  /** Batches skipped because a device's readings would have reached the present. */
  exhausted: number;
}

/** Per background device: how many batches were sent, so their reading ids are known. */
type BackgroundState = Map<string, number>;

/**
 * Healthy telemetry for the background devices from `BACKGROUND_SENDERS` closed-loop senders,
 * capped at `rate` readings per second by a schedule (batch j starts no earlier than
 * j × batch ÷ rate seconds in). Stopping lets in-flight batches finish.
 */
function startBackground(
  gatewayUrl: string,
  p: LatencyPlan,
  state: BackgroundState,
  origin: number,
  rate: number,
  batch: number,
  timeoutMs: number,
  interrupt: AbortSignal,
): { stop(): Promise<BackgroundStats> } {
  const stopping = new AbortController();
  const halt = AbortSignal.any([interrupt, stopping.signal]);
  const stats: BackgroundStats = {
    batches: 0,
    readings: 0,
    errors: 0,
    errorSamples: [],
    elapsedMs: 0,
    exhausted: 0,
  };
  const started = performance.now();
  const intervalMs = (batch / rate) * 1000;
  let next = 0;
  const sender = async () => {
    while (!halt.aborted) {
      const j = next++;
      await sleep(started + j * intervalMs - performance.now(), halt);
      if (halt.aborted) break;
      const serial = p.backgroundSerials[j % p.backgroundSerials.length] as string;
      const n = state.get(serial) ?? 0;
      const firstAt = origin + n * batch * BACKGROUND_STEP_MS;
      if (firstAt + batch * BACKGROUND_STEP_MS > Date.now() - 60_000) {
        stats.exhausted++;
        continue;
      }
      state.set(serial, n + 1);
      const readings = Array.from({ length: batch }, (_, k) => ({
        readingId: `${serial}-h${n}-${k}`,
        at: new Date(firstAt + k * BACKGROUND_STEP_MS).toISOString(),
        pagesPrinted: 40,
        errors: 0,
        paperJams: 0,
        inkLevel: 80,
      }));
      try {
        await recordAccepted(
          gatewayUrl,
          [
            {
              eventId: `${serial}-h${n}`,
              occurredAt: isoFromNow(-1_000),
              telemetry: { serial, readings },
            },
          ],
          AbortSignal.any([interrupt, AbortSignal.timeout(timeoutMs)]),
        );
        stats.batches++;
        stats.readings += batch;
      } catch (error) {
        stats.errors++;
        if (stats.errorSamples.length < 3) stats.errorSamples.push(String(error));
      }
    }
  };
  const senders = Array.from({ length: BACKGROUND_SENDERS }, sender);
  return {
    async stop() {
      stopping.abort();
      await Promise.all(senders);
      stats.elapsedMs = performance.now() - started;
      return stats;
    },
  };
}

export async function runIntervention(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const p = plan(ctx);
  const taskQueue = `${ctx.runId}-intervention`;
  console.log(
    `[intervention] ${options.latencyDevices} devices per condition (+${WARMUP_DEVICES} warm-up), ` +
      `background ${options.backgroundRate} readings/s at most over ${p.backgroundSerials.length} devices; ` +
      'starting the worker process and the gateway...',
  );
  const system = await startBenchSystem(config, { taskQueue, relay: 'running' });
  let worker: WorkerProcess | undefined;
  let failure: { error: unknown } | undefined;
  const measurements: Measurement[] = [];
  const reads: { loaded: number[]; unloaded: number[] } = { loaded: [], unloaded: [] };
  const background: BackgroundStats[] = [];
  const backgroundState: BackgroundState = new Map();
  const backgroundOrigin = Date.now() - BACKGROUND_SPAN_MS;
  let setupSeconds = 0;
  let setupStarted = 0;
  const cleanup: Record<string, unknown> = {};
  try {
    worker = await startWorkerProcess(taskQueue);
    await seedLatency(system.graph, p);
    const timeout = () => AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs * 6)]);

    // Purchase, delivery and installation of every measured device, through the gateway:
    // real lifecycles, driven to SUPPORT by the worker.
    const setupStart = performance.now();
    for (const group of chunks(
      p.serials.map((_, i) => i),
      20,
    )) {
      if (signal.aborted) throw new Error('Interrupted');
      setupStarted = Math.max(setupStarted, (group.at(-1) ?? 0) + 1);
      await recordAccepted(
        system.gatewayUrl,
        group.flatMap((i) => setupEvents(p, i)),
        timeout(),
      );
    }
    await waitForStage(system.graph, p.serials, 'SUPPORT', 180_000, signal);
    setupSeconds = (performance.now() - setupStart) / 1000;
    console.log(
      `[intervention] ${p.serials.length} devices in SUPPORT after ${setupSeconds.toFixed(1)} s.`,
    );

    const measureOne = async (index: number, loaded: boolean): Promise<Measurement> => {
      const serial = p.serials[index] as string;
      const started = performance.now();
      await recordAccepted(
        system.gatewayUrl,
        [
          {
            eventId: `${p.prefix}-tel${index}`,
            occurredAt: isoFromNow(-1_000),
            telemetry: { serial, readings: degradingReadings(serial) },
          },
        ],
        timeout(),
      );
      const acceptedMs = performance.now() - started;
      const deadline = started + 120_000;
      for (let polls = 1; performance.now() < deadline && !signal.aborted; polls++) {
        const data = await gql<{ device: { interventions: Array<{ id: string }> } | null }>(
          system.gatewayUrl,
          DEVICE_INTERVENTIONS,
          { serial },
          timeout(),
        );
        if (data.device?.interventions.length) {
          return { serial, loaded, latencyMs: performance.now() - started, acceptedMs, polls };
        }
        await sleep(POLL_MS, signal);
      }
      throw new Error(`No intervention showed for ${serial} within 120 s`);
    };
    const readOnce = async (into: number[]) => {
      for (let i = 0; i < READ_SAMPLES && !signal.aborted; i++) {
        const started = performance.now();
        await gql(
          system.gatewayUrl,
          DEVICE_INTERVENTIONS,
          { serial: p.backgroundSerials[0] },
          timeout(),
        );
        into.push(performance.now() - started);
      }
    };

    for (let i = 0; i < WARMUP_DEVICES; i++) await measureOne(i, false);
    const phaseDeadline = performance.now() + options.maxSeconds * 1000;
    const rounds = Math.min(options.lifecycleRounds, options.latencyDevices);
    let next = WARMUP_DEVICES;
    for (let round = 0; round < rounds && !signal.aborted; round++) {
      const count =
        Math.floor(options.latencyDevices / rounds) +
        (round < options.latencyDevices % rounds ? 1 : 0);
      for (const loaded of round % 2 === 0 ? [false, true] : [true, false]) {
        if (performance.now() > phaseDeadline) throw new Error('--max-seconds reached');
        const load = loaded
          ? startBackground(
              system.gatewayUrl,
              p,
              backgroundState,
              backgroundOrigin,
              options.backgroundRate,
              options.backgroundBatch,
              options.timeoutMs * 6,
              signal,
            )
          : undefined;
        try {
          if (load) await sleep(RAMP_MS, signal);
          await readOnce(loaded ? reads.loaded : reads.unloaded);
          const phase: number[] = [];
          for (let k = 0; k < count && !signal.aborted; k++) {
            const m = await measureOne(next++, loaded);
            measurements.push(m);
            phase.push(m.latencyMs);
          }
          console.log(
            `[intervention] round ${round + 1}/${rounds} ${loaded ? 'loaded' : 'unloaded'}: ` +
              `${phase.map((ms) => ms.toFixed(0)).join(' ')} ms`,
          );
        } finally {
          if (load) {
            const stats = await load.stop();
            background.push(stats);
            console.log(
              `[intervention]   background: ${num((stats.readings / stats.elapsedMs) * 1000)} readings/s, ` +
                `${stats.batches} batches, ${stats.errors} errors`,
            );
          }
        }
      }
    }
  } catch (error) {
    failure = { error };
  }

  // Clean-up: stop the worker, terminate every lifecycle and intervention, delete the data.
  try {
    // Requests given up on (a timeout, Ctrl-C) still run in the servers: let them end first.
    cleanup['requestsStillInFlight'] = await system.drain(120_000);
    const started = performance.now();
    await system.relay.stop();
    await worker?.stop();
    cleanup['outbox'] = await deleteOutboxLane(system.graph, taskQueue);
    const reached = p.serials.slice(0, setupStarted);
    const workflowIds = [
      ...reached.map((s) => deviceLifecycleWorkflowId(s)),
      ...reached.flatMap((s) => [interventionWorkflowId(s, 1), interventionWorkflowId(s, 2)]),
      ...reached.map((_, i) => journeyWorkflowId(p.customerIds[i] as string, p.sku)),
    ];
    cleanup['workflows'] = await terminateWorkflows(
      system.client,
      workflowIds,
      options.startConcurrency,
      Math.max(60_000, workflowIds.length * 20),
    );
    cleanup['deleted'] = await removeLatency(
      system.graph,
      p,
      backgroundState,
      options.backgroundBatch,
    );
    cleanup['seconds'] = (performance.now() - started) / 1000;
    console.log(
      `[intervention] removed the bench data and lifecycles: ${JSON.stringify(cleanup)}.`,
    );
    if (cleanup['requestsStillInFlight']) {
      throw new Error(
        `${String(cleanup['requestsStillInFlight'])} requests were still running at clean-up`,
      );
    }
    const terminated = cleanup['workflows'] as { errors: number; errorSamples: string[] };
    if (terminated.errors) {
      throw new Error(
        `Could not terminate ${terminated.errors} workflows: ${terminated.errorSamples[0]}`,
      );
    }
  } catch (error) {
    console.error(`[intervention] clean-up failed; every key starts with ${p.prefix}.`);
    failure ??= { error };
  }
  try {
    await system.stop();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;

  const of = (loaded: boolean) => measurements.filter((m) => m.loaded === loaded);
  const latency = {
    unloaded: distribution(of(false).map((m) => m.latencyMs)),
    loaded: distribution(of(true).map((m) => m.latencyMs)),
  };
  const accepted = {
    unloaded: distribution(of(false).map((m) => m.acceptedMs)),
    loaded: distribution(of(true).map((m) => m.acceptedMs)),
  };
  const read = { unloaded: distribution(reads.unloaded), loaded: distribution(reads.loaded) };
  const bg = background.reduce(
    (t, s) => ({
      readings: t.readings + s.readings,
      elapsedMs: t.elapsedMs + s.elapsedMs,
      errors: t.errors + s.errors,
      exhausted: t.exhausted + s.exhausted,
      samples: [...t.samples, ...s.errorSamples],
    }),
    { readings: 0, elapsedMs: 0, errors: 0, exhausted: 0, samples: [] as string[] },
  );
  const backgroundRate = bg.elapsedMs ? (bg.readings / bg.elapsedMs) * 1000 : 0;
  const ratios = {
    p50: latency.loaded.p50Ms / latency.unloaded.p50Ms,
    p99: latency.loaded.p99Ms / latency.unloaded.p99Ms,
  };
  const failures = [
    ...(latency.unloaded.count < options.latencyDevices ||
    latency.loaded.count < options.latencyDevices
      ? [
          `intervention: measured ${latency.unloaded.count} unloaded and ${latency.loaded.count} loaded of ${options.latencyDevices} each`,
        ]
      : []),
    ...(bg.errors
      ? [`intervention background: ${bg.errors} failed batches, e.g. ${bg.samples[0]}`]
      : []),
  ];
  const dataText = `${options.latencyDevices} devices/condition; background ${num(backgroundRate)} readings/s over ${p.backgroundSerials.length} devices`;
  const row = (d: Distribution) => `${num(d.p50Ms, 0)} / ${num(d.p99Ms, 0)} ms`;
  return {
    name: 'intervention',
    failures,
    summary: [
      {
        benchmark: 'intervention',
        metric: 'telemetry→intervention p50 / p99, loaded',
        measured: row(latency.loaded),
        baseline: `${row(latency.unloaded)} unloaded`,
        ratio: `${times(ratios.p50)} p50, ${times(ratios.p99)} p99`,
        data: dataText,
      },
      {
        benchmark: 'intervention',
        metric: 'one gateway read p50 / p99 (reference)',
        measured: `${num(read.loaded.p50Ms)} / ${num(read.loaded.p99Ms)} ms loaded`,
        baseline: `${num(read.unloaded.p50Ms)} / ${num(read.unloaded.p99Ms)} ms unloaded`,
        ratio: times(read.loaded.p50Ms / read.unloaded.p50Ms),
        data: `${read.unloaded.count + read.loaded.count} reads of device{interventions}`,
      },
    ],
    details: {
      baseline:
        'The same measurement on other devices of the same run without background telemetry, ' +
        'in alternating phases (unloaded, loaded; then loaded, unloaded; ...). Latency runs from ' +
        'sending the degrading batch (112 readings, 4 weeks, rising error rate) to the first ' +
        `gateway read of device{interventions{id}} that lists one, polled every ${POLL_MS} ms ` +
        'after the batch was ACCEPTED. Reference: the round trip of that read alone. ' +
        'Percentiles are nearest-rank: with 20 samples, p99 is the largest.',
      worker: worker
        ? { process: 'child (worker-child.ts)', runner: worker.runner, settings: worker.settings }
        : null,
      data: {
        devicesPerCondition: options.latencyDevices,
        warmupDevices: WARMUP_DEVICES,
        setupSeconds,
        backgroundDevices: p.backgroundSerials.length,
        backgroundRateCap: options.backgroundRate,
        backgroundBatch: options.backgroundBatch,
        backgroundAchievedReadingsPerSecond: backgroundRate,
        backgroundBatchesSkipped: bg.exhausted,
        pollMs: POLL_MS,
      },
      latency,
      acceptedBatch: accepted,
      gatewayRead: read,
      ratios,
      measurements,
    },
    cleanup,
    print() {
      console.log(
        `\nintervention: degrading telemetry until the intervention shows through the gateway (${dataText})`,
      );
      const line = (name: string, d: Distribution) => [
        name,
        String(d.count),
        num(d.p50Ms, 0),
        num(d.p99Ms, 0),
        num(d.meanMs, 0),
        num(d.minMs, 0),
        num(d.maxMs, 0),
      ];
      printTable(
        ['what (ms)', 'n', 'p50', 'p99', 'mean', 'min', 'max'],
        [
          line('latency, unloaded', latency.unloaded),
          line('latency, loaded', latency.loaded),
          line('batch ACCEPTED, unloaded', accepted.unloaded),
          line('batch ACCEPTED, loaded', accepted.loaded),
          line('one gateway read, unloaded', read.unloaded),
          line('one gateway read, loaded', read.loaded),
        ],
      );
      console.log(`loaded ÷ unloaded: ${times(ratios.p50)} p50, ${times(ratios.p99)} p99`);
    },
  };
}

/** Purchase, delivery and installation of device i, an hour apart, in the past. */
function setupEvents(p: LatencyPlan, i: number): Array<Record<string, unknown>> {
  const [buy, del, ins] = setupEventIds(p, i);
  const serial = p.serials[i] as string;
  const orderId = p.orderIds[i] as string;
  return [
    {
      eventId: buy,
      occurredAt: isoFromNow(-3 * 3600_000),
      purchase: {
        customerId: p.customerIds[i],
        serial,
        orderId,
        amount: 199,
        currency: 'USD',
        promisedDeliveryAt: isoFromNow(86_400_000),
      },
    },
    { eventId: del, occurredAt: isoFromNow(-2 * 3600_000), delivery: { orderId, inFull: true } },
    { eventId: ins, occurredAt: isoFromNow(-3600_000), installation: { serial } },
  ];
}

async function seedLatency(graph: Graph, p: LatencyPlan): Promise<void> {
  await graph.write(
    `CREATE (:ProductModel {sku: $sku, name: 'Bench latency model', createdAt: datetime()})`,
    { sku: p.sku },
  );
  // Each measured device's future owner, with consent to use its telemetry.
  await graph.write(
    `UNWIND $ids AS id
     CREATE (c:Customer {id: id, displayName: 'Bench ' + id, createdAt: datetime()})
     CREATE (k:Consent {customerId: id, purpose: 'TELEMETRY_USE', granted: true, channels: [],
                        updatedAt: datetime()})
     CREATE (c)-[:GAVE]->(k)`,
    { ids: p.customerIds },
  );
  await graph.write(
    `MATCH (m:ProductModel {sku: $sku})
     UNWIND $serials AS serial
     CREATE (d:Device {serial: serial, sku: $sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
    { sku: p.sku, serials: p.serials },
  );
  // Background devices: in SUPPORT, with no lifecycle (healthy readings signal nothing).
  await graph.write(
    `MATCH (m:ProductModel {sku: $sku})
     UNWIND $serials AS serial
     CREATE (d:Device {serial: serial, sku: $sku, registeredAt: datetime(),
                       stage: 'SUPPORT', stageChangedAt: datetime(), stageSequence: 4})
     CREATE (d)-[:INSTANCE_OF]->(m)`,
    { sku: p.sku, serials: p.backgroundSerials },
  );
}

async function removeLatency(
  graph: Graph,
  p: LatencyPlan,
  background: BackgroundState,
  batch: number,
): Promise<Record<string, number>> {
  const interventions = p.serials.flatMap((s) => [
    interventionWorkflowId(s, 1),
    interventionWorkflowId(s, 2),
  ]);
  const backgroundReadings = [...background].flatMap(([serial, batches]) =>
    Array.from({ length: batches }, (_, n) => n).flatMap((n) =>
      Array.from({ length: batch }, (_, k) => `${serial}-h${n}-${k}`),
    ),
  );
  const deleted = await deleteNodes(graph, [
    {
      name: 'readings',
      label: 'TelemetryReading',
      key: 'readingId',
      values: [
        ...p.serials.flatMap((s) => DEGRADING_HOURS.map((h) => `${s}-reading-${h}`)),
        ...backgroundReadings,
      ],
    },
    {
      name: 'touchpoints',
      label: 'Touchpoint',
      key: 'eventId',
      values: [
        ...p.serials.flatMap((_, i) => setupEventIds(p, i)),
        ...interventions.flatMap((id) => INTERVENTION_STEPS.map((step) => `${id}:${step}`)),
      ],
    },
    { name: 'interventions', label: 'Intervention', key: 'id', values: interventions },
    { name: 'orders', label: 'Order', key: 'id', values: p.orderIds },
  ]);
  const allSerials = [...p.serials, ...p.backgroundSerials];
  // What the lifecycles made from these devices and customers under other keys (an
  // installation-help message, a later step): found through them.
  deleted['otherReadings'] = await deleteAnchored(
    graph,
    { label: 'Device', key: 'serial', values: allSerials },
    '(a)<-[:FROM]-(n:TelemetryReading)',
  );
  deleted['otherTouchpoints'] =
    (await deleteAnchored(
      graph,
      { label: 'Device', key: 'serial', values: allSerials },
      '(a)<-[:ABOUT_DEVICE]-(n:Touchpoint)',
    )) +
    (await deleteAnchored(
      graph,
      { label: 'Customer', key: 'id', values: p.customerIds },
      '(a)-[:HAD]->(n:Touchpoint)',
    ));
  deleted['consents'] = await deleteAnchored(
    graph,
    { label: 'Customer', key: 'id', values: p.customerIds },
    '(a)-[:GAVE]->(n:Consent)',
  );
  deleted['otherInterventions'] = await deleteAnchored(
    graph,
    { label: 'Device', key: 'serial', values: p.serials },
    '(a)<-[:FOR]-(n:Intervention)',
  );
  Object.assign(
    deleted,
    await deleteNodes(graph, [
      { name: 'devices', label: 'Device', key: 'serial', values: allSerials },
      { name: 'customers', label: 'Customer', key: 'id', values: p.customerIds },
      { name: 'models', label: 'ProductModel', key: 'sku', values: [p.sku] },
    ]),
  );
  return deleted;
}
