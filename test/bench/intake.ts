/**
 * The event intake's targets, each against a baseline measured in the same run:
 *
 * 1. Acknowledgement throughput: lifecycle events ACCEPTED per second through the gateway
 *    (`recordEvents`), at each of `--intake-concurrency` batches in flight (1 and 4), against the
 *    same events written as bare touchpoints in batched UNWIND statements at the same
 *    concurrency (lifecycle-units.ts). Target: at least 0.5× the raw rate.
 * 2. One customer's full batch (`--customer-events`, 500: impressions, clicks, ten purchases
 *    with their shipment updates, deliveries, installations, feedback and support requests,
 *    orders, reviews, mentions): its latency through the gateway, against the raw UNWIND of the
 *    same 500 touchpoints. Target: at most 2 s.
 *
 * ACCEPTED means the event and the lifecycle signals it owes are durable in the graph, committed
 * together in the batch's write transaction (the outbox); delivering them to Temporal is the
 * relay's work, after the answer, and is measured by the relay benchmark. So while this one
 * measures, the gateway and the three subgraphs run in this process with Neo4j, and the
 * Temporal server sits idle: the outbox relay of the bench's lane is built but not started (the
 * owed signals wait in the outbox) and no lifecycle worker runs. Either would take the two cores
 * from the intake for work that is not part of its answer.
 *
 * Every statement the subgraphs run is timed (profile.ts), so the report says where a batch's
 * time goes: gateway, subgraph, and each Neo4j statement of the intake.
 *
 * Clean-up: the lane's owed signals and queues, then the lifecycles those signals named
 * (terminated by exact id; none started, as no relay ran), then every node by its key.
 */
import { deviceLifecycleWorkflowId, journeyWorkflowId } from '@experience-graph/workflows';
import type { Graph } from '@experience-graph/neo4j';
import {
  addOutcomes,
  atLeast,
  atMost,
  deleteAnchored,
  deleteNodes,
  deleteOutboxLane,
  num,
  printTable,
  recordAccepted,
  seconds,
  terminateWorkflows,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
  type Outcomes,
  type SummaryRow,
  type TargetCheck,
} from './kit';
import {
  EVENTS_PER_UNIT,
  gatewayEvents,
  rawRows,
  removeUnits,
  seedUnits,
  unitsPlan,
  workflowIdsOf,
  writeRaw,
  type RawTouchpoint,
  type UnitsPlan,
} from './lifecycle-units';
import { runLoad, summarize, type LoadResult, type Summary } from './load';
import {
  addCpu,
  describeCpu,
  printPlans,
  printProfile,
  profiledGraph,
  Profiler,
  startCpuMeter,
  type CpuUse,
  type ProfileLine,
  type StatementPlan,
} from './profile';
import { startBenchSystem } from './system';

const MODELS = 5;
const ACK_TARGET = 0.5;
const BATCH_TARGET_SECONDS = 2;

// ---------------------------------------------------------------------------------------------
// One customer's batch

/** One person with many events: their devices, and the keys of one repetition. */
interface SoloRun {
  customerId: string;
  serials: string[];
  orderIds: string[];
  events: Array<Record<string, unknown>>;
  raw: RawTouchpoint[];
  /** The touchpoints' event ids, for clean-up. */
  eventIds: string[];
}

/**
 * The batch of one customer, in the order things happen: ad impressions and clicks on the
 * run's campaigns from 40 to 21 days ago, then per device a purchase, four shipment updates, the
 * delivery, the installation, two ratings and a support request, then ink orders, reviews and
 * social mentions. With 500 events: 250 impressions, 100 clicks, 10 devices (100 events), 30
 * orders, 10 reviews, 10 mentions. The raw rows are the same touchpoints.
 */
function soloRun(p: UnitsPlan, side: 'g' | 'r', rep: number, size: number): SoloRun {
  const prefix = `${p.prefix}-${side}s${rep}`;
  const customerId = `${prefix}-c`;
  const devices = Math.max(1, Math.round(size / 50));
  const orders = Math.round(size * 0.06);
  const reviews = Math.round(size * 0.02);
  const mentions = Math.round(size * 0.02);
  const ads = size - devices * 10 - orders - reviews - mentions;
  const impressions = Math.round(ads * 0.7);
  const now = Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
  const serials = Array.from({ length: devices }, (_, d) => `${prefix}-d${d}`);
  const orderIds: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  const raw: RawTouchpoint[] = [];
  const push = (
    what: string,
    occurredAt: string,
    payload: Record<string, unknown>,
    row: Omit<RawTouchpoint, 'key' | 'eventId' | 'occurredAt' | 'customerId'>,
  ) => {
    const eventId = `${prefix}-e${events.length}-${what}`;
    events.push({ eventId, occurredAt, ...payload });
    raw.push({ key: eventId, eventId, occurredAt, customerId, ...row });
  };
  const noLinks = { campaignId: null, serial: null, orderId: null };

  for (let i = 0; i < ads; i++) {
    const campaignId = p.campaignIds[i % p.campaignIds.length] as string;
    const sku = p.skus[Math.floor((i % p.campaignIds.length) / 2)] as string;
    const kind = i < impressions ? 'adImpression' : 'adClick';
    push(
      kind === 'adImpression' ? 'imp' : 'clk',
      at(40 - (19 * i) / ads),
      { [kind]: { customerId, campaignId } },
      {
        ...noLinks,
        type: kind === 'adImpression' ? 'AD_IMPRESSION' : 'AD_CLICK',
        channel: 'SOCIAL_AD',
        sku,
        campaignId,
      },
    );
  }
  serials.forEach((serial, d) => {
    const sku = p.skus[d % p.skus.length] as string;
    const orderId = `${prefix}-o${d}`;
    orderIds.push(orderId);
    // Twenty days ago for the first device, a week for the last: its last event is 5 days later.
    const day = 20 - (13 * d) / devices;
    const device = { ...noLinks, sku, serial };
    push(
      'buy',
      at(day),
      {
        purchase: {
          customerId,
          serial,
          orderId,
          amount: 199,
          currency: 'USD',
          promisedDeliveryAt: at(day - 3),
        },
      },
      { ...device, type: 'PURCHASE', channel: 'ONLINE', orderId },
    );
    for (let s = 0; s < 4; s++) {
      push(
        'shp',
        at(day - 0.2 - 0.4 * s),
        {
          shipmentUpdate: {
            orderId,
            carrier: 'Parcel Co',
            status: ['Label created', 'Picked up', 'In transit', 'Out for delivery'][s],
            expectedDeliveryAt: at(day - 2),
          },
        },
        { ...device, type: 'SHIPMENT_UPDATE', channel: 'CARRIER', orderId },
      );
    }
    push(
      'dlv',
      at(day - 2),
      { delivery: { orderId, inFull: true } },
      { ...device, type: 'DELIVERY', channel: 'CARRIER', orderId },
    );
    push(
      'ins',
      at(day - 2.5),
      { installation: { serial } },
      { ...device, type: 'INSTALLATION', channel: 'APP' },
    );
    for (const [f, comment] of ['Easy to set up', 'Prints fast and quietly'].entries()) {
      push(
        'fbk',
        at(day - 3 - f),
        { feedback: { serial, rating: 4 + f, comment } },
        { ...device, type: 'FEEDBACK', channel: 'APP' },
      );
    }
    push(
      'sup',
      at(day - 5),
      { supportRequest: { serial, topic: 'Wi-Fi setup' } },
      { ...device, type: 'SUPPORT_REQUEST', channel: 'APP' },
    );
  });
  for (let o = 0; o < orders; o++) {
    const orderId = `${prefix}-ink${o}`;
    orderIds.push(orderId);
    const sku = p.skus[o % p.skus.length] as string;
    push(
      'ord',
      at(0.9 - (0.5 * o) / orders),
      { order: { customerId, orderId, amount: 29.5, currency: 'USD', quantity: 2, sku } },
      { ...noLinks, type: 'ORDER', channel: 'ONLINE', sku, orderId },
    );
  }
  for (let v = 0; v < reviews + mentions; v++) {
    const sku = p.skus[v % p.skus.length] as string;
    const text = 'Great printer, the ink lasts long and the app is helpful.';
    push(
      v < reviews ? 'rev' : 'men',
      at(0.3 - (0.2 * v) / (reviews + mentions)),
      v < reviews
        ? { review: { customerId, sku, rating: 5, text } }
        : { socialMention: { customerId, sku, platform: 'Instagram', text } },
      {
        ...noLinks,
        type: v < reviews ? 'REVIEW' : 'SOCIAL_MENTION',
        channel: v < reviews ? 'WEB' : 'SOCIAL',
        sku,
      },
    );
  }
  return { customerId, serials, orderIds, events, raw, eventIds: raw.map((r) => r.eventId) };
}

async function seedSolo(graph: Graph, p: UnitsPlan, runs: readonly SoloRun[]): Promise<void> {
  await graph.write(
    `UNWIND $ids AS id CREATE (:Customer {id: id, displayName: 'Bench ' + id, createdAt: datetime()})`,
    { ids: runs.map((r) => r.customerId) },
  );
  const devices = runs.flatMap((r) =>
    r.serials.map((serial, d) => ({ serial, sku: p.skus[d % p.skus.length] })),
  );
  await graph.write(
    `UNWIND $rows AS row
     MATCH (m:ProductModel {sku: row.sku})
     CREATE (d:Device {serial: row.serial, sku: row.sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
    { rows: devices },
  );
}

async function removeSolo(graph: Graph, runs: readonly SoloRun[]): Promise<Record<string, number>> {
  const deleted = await deleteNodes(graph, [
    {
      name: 'soloTouchpoints',
      label: 'Touchpoint',
      key: 'eventId',
      values: runs.flatMap((r) => r.eventIds),
    },
    { name: 'soloOrders', label: 'Order', key: 'id', values: runs.flatMap((r) => r.orderIds) },
  ]);
  deleted['soloOtherTouchpoints'] = await deleteAnchored(
    graph,
    { label: 'Customer', key: 'id', values: runs.map((r) => r.customerId) },
    '(a)-[:HAD]->(n:Touchpoint)',
  );
  Object.assign(
    deleted,
    await deleteNodes(graph, [
      {
        name: 'soloDevices',
        label: 'Device',
        key: 'serial',
        values: runs.flatMap((r) => r.serials),
      },
      {
        name: 'soloCustomers',
        label: 'Customer',
        key: 'id',
        values: runs.map((r) => r.customerId),
      },
    ]),
  );
  return deleted;
}

// ---------------------------------------------------------------------------------------------

/** One batch of each kind under Neo4j's PROFILE, after the measurements: the intake's and the raw statement's plans. */
interface Plans {
  ackBatch: { intake: StatementPlan[]; raw: StatementPlan[] };
  customerBatch: { intake: StatementPlan[]; raw: StatementPlan[] };
}

interface LevelResult {
  concurrency: number;
  gateway: Summary;
  raw: Summary;
  gatewayEps: number;
  rawEps: number;
  outcomes: Outcomes;
  /** The servers' timings during the measured gateway rounds. */
  profile: ProfileLine[];
  /** Who used the CPU while each side was measured. */
  cpu: { gateway?: CpuUse; raw?: CpuUse };
}

interface SoloResult {
  gatewayMs: number[];
  rawMs: number[];
  outcomes: Outcomes;
  profile: ProfileLine[];
  requestBytes: number;
  cpu: { gateway?: CpuUse; raw?: CpuUse };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};

/** Sums the lines of several profiles. */
function mergeProfiles(into: ProfileLine[], more: readonly ProfileLine[]): ProfileLine[] {
  for (const line of more) {
    const same = into.find((l) => l.kind === line.kind && l.label === line.label);
    if (same) {
      same.count += line.count;
      same.totalMs += line.totalMs;
      same.maxMs = Math.max(same.maxMs, line.maxMs);
    } else into.push({ ...line });
  }
  return into.sort((a, b) => b.totalMs - a.totalMs);
}

export async function runIntake(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const levels = options.intakeConcurrency;
  const unitsPerBatch = Math.max(1, Math.floor(options.intakeBatch / EVENTS_PER_UNIT));
  const eventsPerBatch = unitsPerBatch * EVENTS_PER_UNIT;
  const measuredBatches = Math.max(1, Math.ceil(options.intakeEvents / eventsPerBatch));
  // Each level's warm-up and measured batches, and one batch per side run under PROFILE.
  const batchesPerSide = levels.reduce((n, level) => n + level + measuredBatches, 0) + 1;
  const p = unitsPlan({
    prefix: `${ctx.runId}-i`,
    models: MODELS,
    customers: options.intakeCustomers,
    units: batchesPerSide * unitsPerBatch,
    sides: ['g', 'r'],
  });
  const soloReps = options.customerBatches + 1;
  // The last run of each side is the one under PROFILE.
  const solo = {
    g: Array.from({ length: soloReps + 1 }, (_, r) => soloRun(p, 'g', r, options.customerEvents)),
    r: Array.from({ length: soloReps + 1 }, (_, r) => soloRun(p, 'r', r, options.customerEvents)),
  };
  const taskQueue = `${ctx.runId}-intake`;
  console.log(
    `[intake] acknowledgement: ${measuredBatches * eventsPerBatch} events per side and level in ` +
      `${measuredBatches} batches of ${eventsPerBatch}, at ${levels.join(' and ')} in flight; ` +
      `one customer's batch: ${options.customerEvents} events, ${options.customerBatches} per side ` +
      `(+1 warm-up); seeding ${p.customerIds.length} customers and ${2 * p.units} devices...`,
  );
  console.log(
    '[intake] running: gateway and subgraphs (this process), Neo4j, Temporal (idle); the relay ' +
      'is stopped (signals stay owed in the outbox) and no worker runs.',
  );
  const system = await startBenchSystem(config, { taskQueue, relay: 'stopped' });
  let failure: { error: unknown } | undefined;
  const levelResults: LevelResult[] = [];
  const soloResult: SoloResult = {
    gatewayMs: [],
    rawMs: [],
    outcomes: {},
    profile: [],
    cpu: {},
    requestBytes: Buffer.byteLength(
      JSON.stringify({ query: 'mutation', variables: { events: solo.g[0]?.events } }),
    ),
  };
  let sentGatewayUnits = 0;
  const plans: Plans = {
    ackBatch: { intake: [], raw: [] },
    customerBatch: { intake: [], raw: [] },
  };
  const cleanup: Record<string, unknown> = {};
  try {
    const seedStart = performance.now();
    await seedUnits(system.graph, p);
    await seedSolo(system.graph, p, [...solo.g, ...solo.r]);
    console.log(`[intake] seeded in ${seconds(seedStart)}.`);
    const deadline = performance.now() + options.maxSeconds * 1000;
    const unitsOfBatch = (batch: number) =>
      Array.from({ length: unitsPerBatch }, (_, i) => batch * unitsPerBatch + i);
    const outcomes: Outcomes = {};
    const load = (side: 'gateway' | 'raw', count: number, offset: number, concurrency: number) =>
      runLoad({
        count,
        offset,
        concurrency,
        deadline,
        signal,
        timeoutMs: options.timeoutMs * 6,
        send: async (batch, requestSignal) => {
          const units = unitsOfBatch(batch);
          if (side === 'gateway') {
            sentGatewayUnits = Math.max(sentGatewayUnits, (batch + 1) * unitsPerBatch);
            const got = await recordAccepted(
              system.gatewayUrl,
              gatewayEvents(p, units),
              requestSignal,
            );
            addOutcomes(outcomes, got);
          } else {
            await writeRaw(system.graph, rawRows(p, units));
          }
        },
      });

    // 1. Acknowledgement throughput, level by level; batches are numbered across levels.
    let offset = 0;
    for (const concurrency of levels) {
      for (const side of ['gateway', 'raw'] as const) {
        const warm = await load(side, concurrency, offset, concurrency);
        if (signal.aborted) throw new Error('Interrupted during the warm-up');
        if (warm.errors)
          throw new Error(`Intake warm-up (${side}) failed: ${warm.errorSamples[0]}`);
      }
      offset += concurrency;
      system.profiles.servers.reset();
      for (const key of Object.keys(outcomes)) delete outcomes[key as keyof Outcomes];
      const results = { gateway: [] as LoadResult[], raw: [] as LoadResult[] };
      const cpu: LevelResult['cpu'] = {};
      const rounds = Math.min(options.lifecycleRounds, measuredBatches);
      for (let round = 0; round < rounds; round++) {
        const count =
          Math.floor(measuredBatches / rounds) + (round < measuredBatches % rounds ? 1 : 0);
        const order =
          round % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
        const line: string[] = [];
        for (const side of order) {
          const meter = startCpuMeter();
          const result = await load(side, count, offset, concurrency);
          cpu[side] = addCpu(cpu[side], meter());
          results[side].push(result);
          line.push(
            `${side} ${num((result.completed * eventsPerBatch * 1000) / result.elapsedMs)} events/s`,
          );
          if (signal.aborted) break;
        }
        offset += count;
        console.log(
          `[intake] ${concurrency} in flight, round ${round + 1}/${rounds} (${count} batches each): ${line.join(', ')}`,
        );
        if (signal.aborted) throw new Error('Interrupted');
      }
      const gateway = summarize(measuredBatches, concurrency, results.gateway);
      const raw = summarize(measuredBatches, concurrency, results.raw);
      levelResults.push({
        concurrency,
        gateway,
        raw,
        gatewayEps: gateway.throughputPerSecond * eventsPerBatch,
        rawEps: raw.throughputPerSecond * eventsPerBatch,
        outcomes: { ...outcomes },
        profile: system.profiles.servers.snapshot(),
        cpu,
      });
    }

    // 2. One customer's batch: a warm-up each, then alternating sides.
    const timeout = () => AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs * 6)]);
    for (let rep = 0; rep < soloReps; rep++) {
      const order = rep % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
      const line: string[] = [];
      for (const side of order) {
        if (signal.aborted) throw new Error('Interrupted');
        if (side === 'gateway') {
          const run = solo.g[rep] as SoloRun;
          system.profiles.servers.reset();
          const meter = startCpuMeter();
          const started = performance.now();
          const got = await recordAccepted(system.gatewayUrl, run.events, timeout());
          const ms = performance.now() - started;
          const used = meter();
          line.push(`gateway ${(ms / 1000).toFixed(2)} s`);
          if (rep === 0) continue;
          soloResult.cpu.gateway = addCpu(soloResult.cpu.gateway, used);
          soloResult.gatewayMs.push(ms);
          addOutcomes(soloResult.outcomes, got);
          mergeProfiles(soloResult.profile, system.profiles.servers.snapshot());
        } else {
          const run = solo.r[rep] as SoloRun;
          const meter = startCpuMeter();
          const started = performance.now();
          await writeRaw(system.graph, run.raw);
          const ms = performance.now() - started;
          const used = meter();
          line.push(`raw ${(ms / 1000).toFixed(2)} s`);
          if (rep > 0) {
            soloResult.rawMs.push(ms);
            soloResult.cpu.raw = addCpu(soloResult.cpu.raw, used);
          }
        }
      }
      console.log(
        `[intake] one customer's ${options.customerEvents} events, ${rep === 0 ? 'warm-up' : `${rep}/${soloReps - 1}`}: ${line.join(', ')}`,
      );
    }

    // 3. Not measured: one batch of each kind and side under PROFILE, for where the time goes.
    const rawProfiler = new Profiler();
    const rawGraph = profiledGraph(system.graph, rawProfiler);
    const underProfile = async (
      into: { intake: StatementPlan[]; raw: StatementPlan[] },
      gateway: () => Promise<unknown>,
      raw: (graph: Graph) => Promise<void>,
    ) => {
      system.profiles.servers.plans = into.intake;
      rawProfiler.plans = into.raw;
      try {
        await gateway();
        await raw(rawGraph);
      } finally {
        system.profiles.servers.plans = null;
        rawProfiler.plans = null;
      }
    };
    const last = batchesPerSide - 1;
    sentGatewayUnits = Math.max(sentGatewayUnits, (last + 1) * unitsPerBatch);
    await underProfile(
      plans.ackBatch,
      () => recordAccepted(system.gatewayUrl, gatewayEvents(p, unitsOfBatch(last)), timeout()),
      (graph) => writeRaw(graph, rawRows(p, unitsOfBatch(last))),
    );
    await underProfile(
      plans.customerBatch,
      () => recordAccepted(system.gatewayUrl, (solo.g[soloReps] as SoloRun).events, timeout()),
      (graph) => writeRaw(graph, (solo.r[soloReps] as SoloRun).raw),
    );
    console.log('[intake] one batch of each kind profiled (PROFILE, not measured).');
  } catch (error) {
    failure = { error };
  }

  // Clean-up, whatever happened: owed signals first (nothing can deliver them any more), the
  // lifecycles they named, then every node.
  try {
    // Requests given up on (a timeout, Ctrl-C) still run in the servers: let them end first.
    cleanup['requestsStillInFlight'] = await system.drain(120_000);
    cleanup['outbox'] = await deleteOutboxLane(system.graph, taskQueue);
    const workflowIds = [
      ...workflowIdsOf(p, sentGatewayUnits),
      ...solo.g.flatMap((r) => [
        ...p.skus.map((sku) => journeyWorkflowId(r.customerId, sku)),
        ...r.serials.map((s) => deviceLifecycleWorkflowId(s)),
      ]),
    ];
    const started = performance.now();
    cleanup['workflows'] = await terminateWorkflows(
      system.client,
      workflowIds,
      options.startConcurrency,
      Math.max(60_000, workflowIds.length * 20),
    );
    cleanup['workflowsSeconds'] = (performance.now() - started) / 1000;
    cleanup['deleted'] = {
      ...(await removeSolo(system.graph, [...solo.g, ...solo.r])),
      ...(await removeUnits(system.graph, p)),
    };
    console.log(`[intake] removed the bench data and lifecycles: ${JSON.stringify(cleanup)}.`);
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
    console.error(`[intake] clean-up failed; every key starts with ${p.prefix}.`);
    failure ??= { error };
  }
  try {
    await system.stop();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;

  return report(ctx, {
    levels: levelResults,
    solo: soloResult,
    plans,
    eventsPerBatch,
    measuredBatches,
    p,
    cleanup,
  });
}

function report(
  ctx: BenchContext,
  r: {
    levels: LevelResult[];
    solo: SoloResult;
    plans: Plans;
    eventsPerBatch: number;
    measuredBatches: number;
    p: UnitsPlan;
    cleanup: Record<string, unknown>;
  },
): BenchSection {
  const { options } = ctx;
  const { levels, solo, eventsPerBatch, measuredBatches, p } = r;
  const failures: string[] = [];
  for (const level of levels) {
    for (const [side, s] of [
      ['gateway', level.gateway],
      ['raw', level.raw],
    ] as const) {
      if (s.errors) {
        failures.push(
          `intake ${side}, ${level.concurrency} in flight: ${s.errors} failed, e.g. ${s.errorSamples[0]}`,
        );
      }
      if (s.completed < measuredBatches) {
        failures.push(
          `intake ${side}, ${level.concurrency} in flight: only ${s.completed} of ${measuredBatches} batches within --max-seconds`,
        );
      }
    }
  }
  const targets: TargetCheck[] = levels.map((l) =>
    atLeast(
      'intake',
      `events/s ACCEPTED via gateway ÷ raw UNWIND, ${l.concurrency} in flight`,
      l.gatewayEps / l.rawEps,
      ACK_TARGET,
    ),
  );
  const soloSeconds = median(solo.gatewayMs) / 1000;
  const soloRawSeconds = median(solo.rawMs) / 1000;
  const seconds2 = (s: number) => `${s.toFixed(2)} s`;
  const soloTarget = atMost(
    'intake',
    `${options.customerEvents}-event batch of one customer, median latency`,
    soloSeconds,
    BATCH_TARGET_SECONDS,
    seconds2,
  );
  targets.push(soloTarget);

  const ackData = `${measuredBatches * eventsPerBatch} events/side, batches of ${eventsPerBatch}, ${p.customerIds.length} customers, ${p.units} devices/side`;
  const soloData = `1 customer, ${options.customerEvents} events (${Math.max(1, Math.round(options.customerEvents / 50))} devices), ${solo.gatewayMs.length} batches/side, ${num(solo.requestBytes / 1024)} KB request`;
  const summary: SummaryRow[] = levels.map((l, i) => ({
    benchmark: 'intake',
    metric: `events/s ACCEPTED via gateway, ${l.concurrency} in flight`,
    measured: num(l.gatewayEps),
    baseline: `${num(l.rawEps)} raw UNWIND`,
    ratio: `${times(l.gatewayEps / l.rawEps)} of raw`,
    data: ackData,
    target: verdict(targets[i] as TargetCheck),
  }));
  summary.push({
    benchmark: 'intake',
    metric: `one customer's ${options.customerEvents}-event batch, latency`,
    measured: seconds2(soloSeconds),
    baseline: `${seconds2(soloRawSeconds)} raw UNWIND`,
    ratio: `${times(soloSeconds / soloRawSeconds)} the time`,
    data: soloData,
    target: verdict(soloTarget),
  });

  const perBatchProfile = (lines: ProfileLine[], batches: number) =>
    lines.map((l) => ({ ...l, msPerBatch: l.totalMs / Math.max(1, batches) }));
  return {
    name: 'intake',
    failures,
    summary,
    targets,
    details: {
      running:
        'gateway and subgraphs in the bench process, Neo4j, Temporal server idle; relay stopped ' +
        '(signals stay owed in the outbox), no worker',
      baseline:
        'The same events as touchpoints MERGEd on their key with the same relationships ' +
        '(customer, model, campaign, device, order; a purchase creating the order), one UNWIND ' +
        'statement per batch, same batch size and concurrency, alternating rounds. Ratio: ' +
        'events/s through the gateway ÷ events/s written raw.',
      acknowledgement: {
        data: {
          eventsPerSidePerLevel: measuredBatches * eventsPerBatch,
          eventsPerBatch,
          batchesPerSidePerLevel: measuredBatches,
          mixPerUnit: 'adImpression, adClick, purchase, shipmentUpdate',
          signalsOwedPerUnit: 5,
          customers: p.customerIds.length,
          devicesPerSide: p.units,
          models: p.skus.length,
          campaigns: p.campaignIds.length,
          warmupBatchesPerSidePerLevel: 'as many as in flight',
        },
        levels: levels.map((l) => ({
          concurrency: l.concurrency,
          gateway: { ...l.gateway, eventsPerSecond: l.gatewayEps },
          raw: { ...l.raw, eventsPerSecond: l.rawEps },
          throughputGatewayOverRaw: l.gatewayEps / l.rawEps,
          outcomes: l.outcomes,
          cpu: l.cpu,
          profilePerBatch: perBatchProfile(l.profile, l.gateway.completed),
        })),
      },
      customerBatch: {
        data: soloData,
        events: options.customerEvents,
        gatewayMs: solo.gatewayMs,
        rawMs: solo.rawMs,
        medianSeconds: soloSeconds,
        rawMedianSeconds: soloRawSeconds,
        outcomes: solo.outcomes,
        cpu: solo.cpu,
        requestBytes: solo.requestBytes,
        profilePerBatch: perBatchProfile(solo.profile, solo.gatewayMs.length),
      },
      plans: r.plans,
    },
    cleanup: r.cleanup,
    print() {
      console.log(
        `\nintake: recordEvents through the gateway vs raw touchpoint UNWIND (${ackData})`,
      );
      printTable(
        [
          'in flight',
          'side',
          'events',
          'events/s',
          'batch p50 ms',
          'batch p99 ms',
          'errors',
          'events/s per round',
        ],
        levels.flatMap((l) =>
          (
            [
              ['gateway recordEvents', l.gateway, l.gatewayEps],
              ['raw UNWIND MERGE', l.raw, l.rawEps],
            ] as const
          ).map(([name, s, eps]) => [
            String(l.concurrency),
            name,
            String(s.completed * eventsPerBatch),
            num(eps),
            s.p50Ms.toFixed(1),
            s.p99Ms.toFixed(1),
            String(s.errors),
            s.roundsPerSecond.map((x) => num(x * eventsPerBatch)).join(' '),
          ]),
        ),
        'rlrrrrrl',
      );
      for (const l of levels) {
        console.log(
          `gateway ÷ raw at ${l.concurrency} in flight: ${times(l.gatewayEps / l.rawEps)} ` +
            `(target ≥ ${times(ACK_TARGET)}); outcomes ${JSON.stringify(l.outcomes)}\n` +
            `  CPU, gateway side: ${describeCpu(l.cpu.gateway)}\n` +
            `  CPU, raw side:     ${describeCpu(l.cpu.raw)}`,
        );
      }
      for (const l of levels) {
        console.log(
          `\nwhere a ${eventsPerBatch}-event batch's time goes at ${l.concurrency} in flight ` +
            `(servers' timings, summed over ${l.gateway.completed} batches, per batch):`,
        );
        printProfile(l.profile, l.gateway.completed, 'batch');
      }
      console.log(`\nintake: one customer's batch (${soloData})`);
      printTable(
        ['side', 'batches', 'median s', 'each s'],
        [
          ['gateway recordEvents', solo.gatewayMs],
          ['raw UNWIND MERGE', solo.rawMs],
        ].map(([name, ms]) => [
          name as string,
          String((ms as number[]).length),
          (median(ms as number[]) / 1000).toFixed(2),
          (ms as number[]).map((x) => (x / 1000).toFixed(2)).join(' '),
        ]),
      );
      console.log(
        `gateway: ${seconds2(soloSeconds)} (target ≤ ${BATCH_TARGET_SECONDS} s), ` +
          `${times(soloSeconds / soloRawSeconds)} the raw time; outcomes ${JSON.stringify(solo.outcomes)}\n` +
          `  CPU, gateway side: ${describeCpu(solo.cpu.gateway)}\n` +
          `  CPU, raw side:     ${describeCpu(solo.cpu.raw)}`,
      );
      console.log(`\nwhere the customer batch's time goes (per batch):`);
      printProfile(solo.profile, solo.gatewayMs.length, 'batch');
      const dbHits = (list: StatementPlan[]) =>
        num(
          list.reduce((n, x) => n + x.dbHits, 0),
          0,
        );
      for (const [name, pair] of [
        [`a ${eventsPerBatch}-event batch`, r.plans.ackBatch],
        [`the customer batch`, r.plans.customerBatch],
      ] as const) {
        console.log(
          `\nNeo4j PROFILE of ${name}: intake ${dbHits(pair.intake)} db hits in ` +
            `${pair.intake.length} statements, raw ${dbHits(pair.raw)} in ${pair.raw.length}; heaviest:`,
        );
        printPlans(pair.intake, 4);
      }
    },
  };
}
