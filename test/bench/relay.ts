/**
 * The outbox relay (relay/src/relay.ts), against baselines measured in the same run:
 *
 * 1. Delivery throughput. Lifecycle signals are owed in the outbox by the intake itself (units of
 *    lifecycle-units.ts sent through the gateway with the relay stopped; not measured), then the
 *    relay of the bench's lane (in this process, RELAY_* configuration) is started and timed
 *    until it has delivered them all and settled every queue. Baseline: a raw concurrent
 *    signal-with-start loop on the same Temporal server, through the same lifecycle client the
 *    relay uses, to as many new workflows with the same events (one signal per workflow, as the
 *    relay sends them), with as many calls in flight as the relay delivers to at once. What the
 *    ratio shows is the outbox's share: claiming queues, reading what is owed, completing it.
 *    Target: at least 0.8× the raw rate. No worker runs during it, on either side: the
 *    workflows are started and signalled and wait for one.
 * 2. Acknowledgement → lifecycle decision lag under sustained load. Units are sent through the
 *    gateway at a steady rate (`--lag-rate` events/s in batches of `--lag-batch`, an open loop)
 *    while the relay and a lifecycle worker (the production worker, in a process of its own)
 *    run. For every batch, the lag is the time from its ACCEPTED answer until the `history`
 *    query of the device lifecycle of its last unit shows that unit's shipment update (its last
 *    event): owed, delivered by the relay and decided by the workflow. Besides, the relay's own
 *    statistics give the owed → delivered lag of every signal it delivered in that window.
 *
 * Clean-up: the relay and the worker stop, the lane's outbox entries are deleted, every workflow
 * both parts started is terminated by exact id, and every node is removed by its key.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { RelayStats } from '@experience-graph/relay';
import {
  deviceLifecycleWorkflowId,
  historyQuery,
  journeyWorkflowId,
  type DeviceEvent,
  type JourneyEvent,
} from '@experience-graph/workflows';
import {
  atLeast,
  deleteOutboxLane,
  distribution,
  num,
  printTable,
  recordAccepted,
  seconds,
  signalBacklog,
  sleep,
  terminateWorkflows,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
  type Distribution,
  type TargetCheck,
} from './kit';
import {
  EVENTS_PER_UNIT,
  gatewayEvents,
  removeUnits,
  seedUnits,
  unitOf,
  unitsPlan,
  workflowIdsOf,
  type UnitsPlan,
} from './lifecycle-units';
import { runLoad } from './load';
import {
  addCpu,
  describeCpu,
  planSummary,
  printProfile,
  startCpuMeter,
  type CpuUse,
  type ProfileLine,
  type StatementPlan,
} from './profile';
import { startBenchSystem } from './system';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const MODELS = 5;
/** Units delivered once more after the measured rounds, under Neo4j's PROFILE (not measured). */
const PROFILED_UNITS = 10;
const THROUGHPUT_TARGET = 0.8;
/** Signals one unit owes: impression, click and purchase to its journey; purchase and shipment update to its device. */
const SIGNALS_PER_UNIT = 5;
/** Units per fill batch (100 events), and fill batches in flight. */
const FILL_UNITS = 25;
const FILL_CONCURRENCY = 4;
/** How often a probe asks the lifecycle; each query is a task for the worker, so not too often. */
const PROBE_POLL_MS = 100;
const PROBE_TIMEOUT_MS = 90_000;
/** Steady-load batches in flight at most; a slot that finds them all busy is skipped, and counted. */
const MAX_LAG_IN_FLIGHT = 8;

interface RoundResult {
  units: number;
  fillMs: number;
  relayMs: number;
  rawMs: number;
  relaySignals: number;
  relayDelivered: number;
  cpu: { relay: CpuUse; raw: CpuUse };
}

interface LagResult {
  offeredBatches: number;
  sentBatches: number;
  skippedBatches: number;
  failedBatches: number;
  errorSamples: string[];
  /** From the first batch sent to the last probe answered. */
  elapsedMs: number;
  /** From the first batch sent to the last: the load's own duration. */
  sendWindowMs: number;
  /** Signals still owed on the lane when the last batch was sent. */
  owedWhenSendingEnded: number;
  /** Median lag of the first and of the last third of the batches. */
  lagTrend: { firstThirdP50Ms: number; lastThirdP50Ms: number };
  ackMs: Distribution;
  /** ACCEPTED answer → the device lifecycle's history shows the batch's last event. */
  decisionLagMs: Distribution;
  probesTimedOut: number;
  /** History queries that failed and were asked again (the last one's message). */
  queryErrors: { count: number; last: string };
  /** The relay's owed → delivered lag over the window. */
  relay: RelayStats;
  workerRunner: string;
  cpu: CpuUse;
}

/** The key the intake gives an event of the local service: the id lifecycles know it by. */
const localKey = (serviceId: string, eventId: string) => `service:${serviceId}:${eventId}`;

/** The raw side's deliveries for unit u: the journey's and the device's, as the relay sends them. */
function rawDeliveries(p: UnitsPlan, u: number, serviceId: string) {
  const {
    customerId: gatewayCustomer,
    campaignId,
    sku,
    serial,
    orderId,
    eventIds,
  } = unitOf(p, u, 'r');
  // A journey of the raw side's own: the workflow id is the customer's and the model's.
  const customerId = `${gatewayCustomer}-raw`;
  const [imp, clk, buy, shp] = eventIds.map((id) => localKey(serviceId, id)) as [
    string,
    string,
    string,
    string,
  ];
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const journey: JourneyEvent[] = [
    { eventId: imp, customerId, sku, occurredAt: at(40), type: 'AD_IMPRESSION', campaignId },
    { eventId: clk, customerId, sku, occurredAt: at(39), type: 'AD_CLICK', campaignId },
    { eventId: buy, customerId, sku, occurredAt: at(30), type: 'PURCHASED', serial, orderId },
  ];
  const device: DeviceEvent[] = [
    { eventId: buy, serial, occurredAt: at(30), type: 'PURCHASED', customerId, orderId },
    { eventId: shp, serial, occurredAt: at(20), type: 'SHIPMENT_UPDATE', orderId },
  ];
  return {
    journey: { customerId, sku, events: journey },
    device: { serial, events: device },
    workflowIds: [journeyWorkflowId(customerId, sku), deviceLifecycleWorkflowId(serial)],
  };
}

export async function runRelay(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const serviceId = config.gateway.clients.find((c) => c.role === 'service')?.id ?? 'local';
  const unitsPerSide = Math.max(1, Math.ceil(options.relayWorkflows / 2));
  // Throughput: one journey and one device per unit, so each side has `relayWorkflows` workflows.
  const p = unitsPlan({
    prefix: `${ctx.runId}-r`,
    models: MODELS,
    customers: unitsPerSide + PROFILED_UNITS,
    units: unitsPerSide + PROFILED_UNITS,
    sides: ['g', 'r'],
  });
  const unitsPerLagBatch = Math.max(1, Math.floor(options.lagBatch / EVENTS_PER_UNIT));
  const lagBatchEvents = unitsPerLagBatch * EVENTS_PER_UNIT;
  const lagIntervalMs = (lagBatchEvents / options.lagRate) * 1000;
  const lagBatches = Math.max(1, Math.round((options.lagSeconds * 1000) / lagIntervalMs));
  const warmupLagBatches = 2;
  const lag = unitsPlan({
    prefix: `${ctx.runId}-rl`,
    models: MODELS,
    customers: (lagBatches + warmupLagBatches) * unitsPerLagBatch,
    units: (lagBatches + warmupLagBatches) * unitsPerLagBatch,
    sides: ['g'],
  });
  const taskQueue = `${ctx.runId}-relay`;
  const relayConcurrency = config.relay.concurrency;
  console.log(
    `[relay] throughput: ${unitsPerSide * 2} workflows and ${unitsPerSide * SIGNALS_PER_UNIT} events ` +
      `per side (relay: concurrency ${relayConcurrency}, batch ${config.relay.batchSize}, poll ` +
      `${config.relay.pollMs} ms; raw: ${relayConcurrency} calls in flight), no worker; lag: ` +
      `${lagBatches} batches of ${lagBatchEvents} events at ${options.lagRate} events/s with the ` +
      'relay and a worker process running; seeding...',
  );
  const system = await startBenchSystem(config, { taskQueue, relay: 'stopped' });
  let worker: WorkerProcess | undefined;
  let failure: { error: unknown } | undefined;
  const rounds: RoundResult[] = [];
  const relayProfile: ProfileLine[] = [];
  const relayPlans: StatementPlan[] = [];
  let lagResult: LagResult | undefined;
  let filledUnits = 0;
  let rawUnits = 0;
  let lagUnitsSent = 0;
  const cleanup: Record<string, unknown> = {};
  const timeout = () => AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs * 6)]);
  const throughputWorkflowIds = () => [
    ...workflowIdsOf(p, filledUnits),
    ...Array.from(
      { length: rawUnits },
      (_, u) => rawDeliveries(p, u, serviceId).workflowIds,
    ).flat(),
  ];
  try {
    const seedStart = performance.now();
    await seedUnits(system.graph, p);
    await seedUnits(system.graph, lag);
    console.log(`[relay] seeded in ${seconds(seedStart)}.`);
    const deadline = performance.now() + options.maxSeconds * 1000;

    // 1. Throughput, in alternating rounds.
    const roundCount = Math.min(options.lifecycleRounds, unitsPerSide);
    let first = 0;
    for (let round = 0; round < roundCount; round++) {
      const count =
        Math.floor(unitsPerSide / roundCount) + (round < unitsPerSide % roundCount ? 1 : 0);
      const units = Array.from({ length: count }, (_, i) => first + i);
      first += count;

      // Fill: the intake owes the signals, the relay being stopped.
      const fillStart = performance.now();
      const batches = Math.ceil(count / FILL_UNITS);
      const fill = await runLoad({
        count: batches,
        offset: 0,
        concurrency: FILL_CONCURRENCY,
        deadline,
        signal,
        timeoutMs: options.timeoutMs * 6,
        send: async (b, requestSignal) => {
          const part = units.slice(b * FILL_UNITS, (b + 1) * FILL_UNITS);
          filledUnits = Math.max(filledUnits, (part.at(-1) ?? 0) + 1);
          await recordAccepted(system.gatewayUrl, gatewayEvents(p, part), requestSignal);
        },
      });
      if (fill.errors) throw new Error(`Filling the outbox failed: ${fill.errorSamples[0]}`);
      if (signal.aborted) throw new Error('Interrupted');
      const fillMs = performance.now() - fillStart;
      const owed = await signalBacklog(system.gatewayUrl, timeout());
      const expected = count * SIGNALS_PER_UNIT;
      if (owed.owed !== expected) {
        throw new Error(`The outbox holds ${owed.owed} signals after the fill, not ${expected}`);
      }

      const relaySide = async () => {
        system.relay.resetStats();
        const started = performance.now();
        system.relay.start();
        const until = started + Math.min(options.maxSeconds * 1000, 300_000);
        for (;;) {
          const s = system.relay.stats();
          if (s.delivered + s.dropped >= expected && s.inFlight === 0) break;
          if (performance.now() > until || signal.aborted) {
            await system.relay.stop();
            throw new Error(`The relay delivered ${s.delivered} of ${expected} signals in time`);
          }
          // Stats are read from memory; 20 ms keeps the polling out of the relay's way.
          await sleep(20);
        }
        const ms = performance.now() - started;
        await system.relay.stop();
        const s = system.relay.stats();
        if (s.failures || s.dropped) {
          throw new Error(`The relay had ${s.failures} failed deliveries, ${s.dropped} dropped`);
        }
        const left = await signalBacklog(system.gatewayUrl, timeout());
        if (left.owed !== 0) throw new Error(`${left.owed} signals still owed after the relay`);
        return { ms, signals: s.signals, delivered: s.delivered };
      };
      const rawSide = async () => {
        const started = performance.now();
        const result = await runLoad({
          count: count * 2,
          offset: 0,
          concurrency: relayConcurrency,
          deadline,
          signal,
          timeoutMs: options.timeoutMs * 6,
          send: async (i) => {
            const unit = units[Math.floor(i / 2)] as number;
            rawUnits = Math.max(rawUnits, unit + 1);
            const d = rawDeliveries(p, unit, serviceId);
            if (i % 2 === 0) {
              await system.lifecycle.deliverJourneyEvents(
                d.journey.customerId,
                d.journey.sku,
                d.journey.events,
              );
            } else {
              const { ended } = await system.lifecycle.deliverDeviceEvents(
                d.device.serial,
                d.device.events,
              );
              if (ended) throw new Error(`${d.device.serial}'s lifecycle had ended`);
            }
          },
        });
        if (result.errors) throw new Error(`Raw signalWithStart failed: ${result.errorSamples[0]}`);
        return performance.now() - started;
      };

      let relay: Awaited<ReturnType<typeof relaySide>> | undefined;
      let rawMs = 0;
      const cpu: Partial<RoundResult['cpu']> = {};
      system.profiles.relay.reset();
      for (const side of round % 2 === 0 ? ['relay', 'raw'] : ['raw', 'relay']) {
        const meter = startCpuMeter();
        if (side === 'relay') relay = await relaySide();
        else rawMs = await rawSide();
        cpu[side as 'relay' | 'raw'] = meter();
      }
      if (!relay || !cpu.relay || !cpu.raw) throw new Error('Interrupted');
      mergeInto(relayProfile, system.profiles.relay.snapshot());
      rounds.push({
        units: count,
        fillMs,
        relayMs: relay.ms,
        rawMs,
        relaySignals: relay.signals,
        relayDelivered: relay.delivered,
        cpu: { relay: cpu.relay, raw: cpu.raw },
      });
      const rate = (events: number, ms: number) => num((events * 1000) / ms);
      console.log(
        `[relay] round ${round + 1}/${roundCount} (${count * 2} workflows, ${expected} events each; ` +
          `filled through the gateway in ${(fillMs / 1000).toFixed(1)} s): relay ` +
          `${rate(relay.delivered, relay.ms)} events/s in ${relay.signals} signals, raw ` +
          `${rate(expected, rawMs)} events/s`,
      );
    }

    // Not measured: a few more units owed, then delivered with the relay's statements under
    // PROFILE, for their plans (db hits per statement).
    const extra = Array.from({ length: PROFILED_UNITS }, (_, i) => unitsPerSide + i);
    filledUnits = unitsPerSide + PROFILED_UNITS;
    await recordAccepted(system.gatewayUrl, gatewayEvents(p, extra), timeout());
    system.relay.resetStats();
    system.profiles.relay.plans = relayPlans;
    try {
      system.relay.start();
      const until = performance.now() + 120_000;
      for (;;) {
        const s = system.relay.stats();
        if (s.delivered >= PROFILED_UNITS * SIGNALS_PER_UNIT && s.inFlight === 0) break;
        if (performance.now() > until || signal.aborted)
          throw new Error('Profiled delivery timed out');
        await sleep(10);
      }
    } finally {
      await system.relay.stop();
      system.profiles.relay.plans = null;
    }

    // The throughput part's workflows wait for a worker: end them before one starts, or it
    // would spend the lag measurement running them.
    const ended = await terminateWorkflows(
      system.client,
      throughputWorkflowIds(),
      options.startConcurrency,
      Math.max(60_000, unitsPerSide * 80),
    );
    cleanup['throughputWorkflows'] = ended;
    if (ended.errors) {
      throw new Error(`Could not terminate ${ended.errors} workflows: ${ended.errorSamples[0]}`);
    }

    // 2. Lag under steady load, with the relay and a worker running.
    console.log('[relay] lag: starting the worker process...');
    const workerStart = performance.now();
    worker = await startWorkerProcess(taskQueue);
    console.log(`[relay] worker ready in ${seconds(workerStart)} (${worker.runner}).`);
    system.relay.start();
    lagResult = await steadyLoad({
      ctx,
      system,
      worker,
      lag,
      serviceId,
      unitsPerBatch: unitsPerLagBatch,
      batches: lagBatches,
      warmupBatches: warmupLagBatches,
      intervalMs: lagIntervalMs,
      onSent: (units) => {
        lagUnitsSent = Math.max(lagUnitsSent, units);
      },
    });
  } catch (error) {
    failure = { error };
  }

  try {
    cleanup['requestsStillInFlight'] = await system.drain(120_000);
    await system.relay.stop();
    if (worker) await worker.stop();
    cleanup['outbox'] = await deleteOutboxLane(system.graph, taskQueue);
    const workflowIds = [
      ...workflowIdsOf(p, filledUnits),
      ...Array.from(
        { length: rawUnits },
        (_, u) => rawDeliveries(p, u, serviceId).workflowIds,
      ).flat(),
      ...workflowIdsOf(lag, lagUnitsSent),
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
      throughput: await removeUnits(system.graph, p),
      lag: await removeUnits(system.graph, lag),
    };
    console.log(`[relay] removed the bench data and lifecycles: ${JSON.stringify(cleanup)}.`);
    const terminated = cleanup['workflows'] as { errors: number; errorSamples: string[] };
    if (terminated.errors) {
      throw new Error(
        `Could not terminate ${terminated.errors} workflows: ${terminated.errorSamples[0]}`,
      );
    }
  } catch (error) {
    console.error(
      `[relay] clean-up failed; every key starts with ${p.prefix} or ${lag.prefix}, the lane is ${taskQueue}.`,
    );
    failure ??= { error };
  }
  try {
    await system.stop();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;
  return report(ctx, {
    rounds,
    relayProfile,
    relayPlans,
    lag: lagResult as LagResult,
    cleanup,
    lagBatchEvents,
  });
}

function mergeInto(into: ProfileLine[], more: readonly ProfileLine[]): void {
  for (const line of more) {
    const same = into.find((l) => l.kind === line.kind && l.label === line.label);
    if (same) {
      same.count += line.count;
      same.totalMs += line.totalMs;
      same.maxMs = Math.max(same.maxMs, line.maxMs);
    } else into.push({ ...line });
  }
  into.sort((a, b) => b.totalMs - a.totalMs);
}

/**
 * Sends a batch every `intervalMs` (an open loop: the next one goes when its time comes, whether
 * or not the last was answered), and probes each accepted batch's last device until its
 * lifecycle's history shows the batch's last event.
 */
async function steadyLoad(input: {
  ctx: BenchContext;
  system: Awaited<ReturnType<typeof startBenchSystem>>;
  worker: WorkerProcess;
  lag: UnitsPlan;
  serviceId: string;
  unitsPerBatch: number;
  batches: number;
  warmupBatches: number;
  intervalMs: number;
  onSent(units: number): void;
}): Promise<LagResult> {
  const { ctx, system, lag, serviceId, unitsPerBatch } = input;
  const { signal, options } = ctx;
  const timeout = () => AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs * 6)]);
  const queryErrors = { count: 0, last: '' };
  const probe = async (batch: number, acceptedAt: number): Promise<number | null> => {
    const unit = unitOf(lag, (batch + 1) * unitsPerBatch - 1, 'g');
    const wanted = localKey(serviceId, unit.eventIds[3]);
    const handle = system.client.workflow.getHandle(deviceLifecycleWorkflowId(unit.serial));
    const until = acceptedAt + PROBE_TIMEOUT_MS;
    while (performance.now() < until && !signal.aborted) {
      try {
        const history = await handle.query(historyQuery);
        if (history.some((h) => h.eventId === wanted)) return performance.now() - acceptedAt;
      } catch (error) {
        // Not started yet (the relay has not delivered), or started and its first task not yet
        // done (a query then fails): look again.
        if (!(error instanceof WorkflowNotFoundError)) {
          queryErrors.count++;
          queryErrors.last =
            error instanceof Error ? `${error.message} (${String(error.cause)})` : String(error);
        }
      }
      await sleep(PROBE_POLL_MS, signal);
    }
    return null;
  };
  /** Sends a batch; resolves its answer time and, separately, its probe. */
  const send = async (batch: number) => {
    const units = Array.from({ length: unitsPerBatch }, (_, i) => batch * unitsPerBatch + i);
    input.onSent((batch + 1) * unitsPerBatch);
    const started = performance.now();
    await recordAccepted(system.gatewayUrl, gatewayEvents(lag, units), timeout());
    const acceptedAt = performance.now();
    return { ackMs: acceptedAt - started, lag: probe(batch, acceptedAt) };
  };

  // Warm-up: a batch or two end to end, so the worker's workflow bundle and caches are in use.
  for (let b = 0; b < input.warmupBatches; b++) {
    const warm = await (await send(b)).lag;
    if (warm === null) {
      throw new Error(
        `The warm-up batch never reached its lifecycle (query errors: ${queryErrors.count}, last: ${queryErrors.last})`,
      );
    }
  }
  console.log(
    `[relay] lag: warm-up done; ${input.batches} batches, one every ${input.intervalMs.toFixed(0)} ms...`,
  );
  system.relay.resetStats();
  const meter = startCpuMeter({ worker: input.worker.pid });
  const acks: number[] = [];
  const lags: number[] = [];
  /** Lag by batch, in the order sent: a lag that grows from the first third to the last means the load was more than the system keeps up with. */
  const lagByBatch: Array<number | null> = [];
  const errorSamples: string[] = [];
  let failed = 0;
  let skipped = 0;
  let timedOut = 0;
  let inFlight = 0;
  let sent = 0;
  const pending: Array<Promise<void>> = [];
  const started = performance.now();
  let lastProgress = started;
  for (let i = 0; i < input.batches && !signal.aborted; i++) {
    await sleep(started + i * input.intervalMs - performance.now(), signal);
    if (inFlight >= MAX_LAG_IN_FLIGHT) {
      skipped++;
      continue;
    }
    inFlight++;
    sent++;
    // Only the request counts as in flight: its probe goes on beside the next batches.
    pending.push(
      (async () => {
        let probed: Promise<number | null>;
        try {
          const answered = await send(input.warmupBatches + i);
          acks.push(answered.ackMs);
          probed = answered.lag;
        } catch (error) {
          failed++;
          if (errorSamples.length < 3) errorSamples.push(String(error));
          return;
        } finally {
          inFlight--;
        }
        const lagMs = await probed;
        lagByBatch[i] = lagMs;
        if (lagMs === null) timedOut++;
        else lags.push(lagMs);
      })(),
    );
    if (performance.now() - lastProgress > 5_000) {
      lastProgress = performance.now();
      const d = distribution(lags);
      console.log(
        `[relay] lag: ${i + 1}/${input.batches} batches sent, ${lags.length} decided, ` +
          `lag p50 ${num(d.p50Ms)} ms so far`,
      );
    }
  }
  const sendWindowMs = performance.now() - started;
  const backlogAtEnd = await signalBacklog(system.gatewayUrl, timeout());
  await Promise.all(pending);
  const elapsedMs = performance.now() - started;
  const cpu = meter();
  const third = Math.max(1, Math.floor(lagByBatch.length / 3));
  const p50Of = (list: Array<number | null | undefined>) =>
    distribution(list.filter((x): x is number => typeof x === 'number')).p50Ms;
  return {
    offeredBatches: input.batches,
    sentBatches: sent,
    skippedBatches: skipped,
    failedBatches: failed,
    errorSamples,
    elapsedMs,
    sendWindowMs,
    owedWhenSendingEnded: backlogAtEnd.owed,
    lagTrend: {
      firstThirdP50Ms: p50Of(lagByBatch.slice(0, third)),
      lastThirdP50Ms: p50Of(lagByBatch.slice(-third)),
    },
    ackMs: distribution(acks),
    decisionLagMs: distribution(lags),
    probesTimedOut: timedOut,
    queryErrors,
    relay: system.relay.stats(),
    workerRunner: input.worker.runner,
    cpu,
  };
}

function report(
  ctx: BenchContext,
  r: {
    rounds: RoundResult[];
    relayProfile: ProfileLine[];
    relayPlans: StatementPlan[];
    lag: LagResult;
    cleanup: Record<string, unknown>;
    lagBatchEvents: number;
  },
): BenchSection {
  const { config, options } = ctx;
  const { rounds, lag } = r;
  const total = (f: (x: RoundResult) => number) => rounds.reduce((n, x) => n + f(x), 0);
  const events = total((x) => x.units * SIGNALS_PER_UNIT);
  const workflows = total((x) => x.units * 2);
  const relayEps = (events * 1000) / total((x) => x.relayMs);
  const rawEps = (events * 1000) / total((x) => x.rawMs);
  const signals = total((x) => x.relaySignals);
  const targets: TargetCheck[] = [
    atLeast(
      'relay',
      'events/s delivered by the relay ÷ raw signalWithStart',
      relayEps / rawEps,
      THROUGHPUT_TARGET,
    ),
  ];
  const failures = [
    ...(lag.failedBatches
      ? [`relay lag: ${lag.failedBatches} batches failed, e.g. ${lag.errorSamples[0]}`]
      : []),
    ...(lag.probesTimedOut
      ? [`relay lag: ${lag.probesTimedOut} batches never reached their lifecycle within 90 s`]
      : []),
  ];
  const throughputData = `${workflows} workflows, ${events} events/side in ${rounds.length} rounds; relay concurrency ${config.relay.concurrency}, batch ${config.relay.batchSize}`;
  const achievedRate = (lag.sentBatches * r.lagBatchEvents * 1000) / lag.sendWindowMs;
  const lagData = `${lag.sentBatches} batches of ${r.lagBatchEvents} at ${num(achievedRate)} events/s (${options.lagRate} offered) for ${(lag.sendWindowMs / 1000).toFixed(0)} s; relay + worker running`;
  // A lag that doubles from the first third of the load to the last: the system fell behind.
  const sustained = !(lag.lagTrend.lastThirdP50Ms > 2 * lag.lagTrend.firstThirdP50Ms + 500);
  const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? 'n/a' : `${num(v, 0)} ms`);
  return {
    name: 'relay',
    failures,
    targets,
    summary: [
      {
        benchmark: 'relay',
        metric: 'events/s delivered by the relay',
        measured: num(relayEps),
        baseline: `${num(rawEps)} raw signalWithStart`,
        ratio: `${times(relayEps / rawEps)} of raw`,
        data: throughputData,
        target: verdict(targets[0] as TargetCheck),
      },
      {
        benchmark: 'relay',
        metric: 'ACCEPTED → lifecycle history, p50 / p99',
        measured: `${ms(lag.decisionLagMs.p50Ms)} / ${ms(lag.decisionLagMs.p99Ms)}`,
        baseline: `${ms(lag.relay.lagMs.p50)} / ${ms(lag.relay.lagMs.p99)} relay owed → delivered`,
        ratio: `ack ${ms(lag.ackMs.p50Ms)} p50`,
        data: lagData,
        target: sustained ? 'kept up' : 'FELL BEHIND (lag grew)',
      },
    ],
    details: {
      throughput: {
        running: 'gateway, subgraphs and relay in the bench process, Neo4j, Temporal; no worker',
        baseline:
          'The same number of new workflows, each sent the same events in one signal-with-start ' +
          "through the relay's lifecycle client, with as many calls in flight as the relay's " +
          'concurrency; alternating rounds.',
        data: throughputData,
        rounds,
        eventsPerSecond: { relay: relayEps, raw: rawEps, ratio: relayEps / rawEps },
        signalsPerSecond: {
          relay: (signals * 1000) / total((x) => x.relayMs),
          raw: (workflows * 1000) / total((x) => x.rawMs),
        },
        relaySignals: signals,
        plans: planSummary(r.relayPlans),
        profilePerWorkflow: r.relayProfile.map((l) => ({
          ...l,
          msPerWorkflow: l.totalMs / workflows,
        })),
      },
      lag: {
        running:
          'gateway, subgraphs and relay in the bench process, a lifecycle worker process, Neo4j, Temporal',
        measured:
          "ACCEPTED answer → the device lifecycle's history query shows the batch's last event " +
          '(polled every 100 ms, one probe per batch); relay: owed → delivered of every signal',
        data: lagData,
        keptUp: sustained,
        ...lag,
      },
    },
    cleanup: r.cleanup,
    print() {
      console.log(
        `\nrelay: owed signals delivered by the relay vs raw signalWithStart (${throughputData})`,
      );
      printTable(
        ['round', 'workflows', 'events', 'fill s', 'relay events/s', 'signals', 'raw events/s'],
        rounds.map((x, i) => [
          String(i + 1),
          String(x.units * 2),
          String(x.units * SIGNALS_PER_UNIT),
          (x.fillMs / 1000).toFixed(1),
          num((x.units * SIGNALS_PER_UNIT * 1000) / x.relayMs),
          String(x.relaySignals),
          num((x.units * SIGNALS_PER_UNIT * 1000) / x.rawMs),
        ]),
      );
      const cpuOf = (side: 'relay' | 'raw') =>
        describeCpu(rounds.reduce<CpuUse | undefined>((a, x) => addCpu(a, x.cpu[side]), undefined));
      console.log(
        `relay ÷ raw: ${times(relayEps / rawEps)} (target ≥ ${times(THROUGHPUT_TARGET)})\n` +
          `  CPU, relay side: ${cpuOf('relay')}\n` +
          `  CPU, raw side:   ${cpuOf('raw')}`,
      );
      console.log(`\nwhere the relay's time goes (per workflow delivered):`);
      printProfile(r.relayProfile, workflows, 'workflow');
      console.log(
        `\nNeo4j PROFILE of the relay's statements (${PROFILED_UNITS * 2} more workflows, not measured):`,
      );
      for (const plan of planSummary(r.relayPlans)) {
        const top = plan.heaviest.operators[0];
        console.log(
          `  ${plan.label}: ${plan.count} runs, ${num(plan.meanDbHits)} db hits each` +
            (top ? ` (most: ${top.operator} ${num(top.dbHits, 0)})` : ''),
        );
      }
      console.log(`\nrelay: acknowledgement → lifecycle decision under steady load (${lagData})`);
      printTable(
        ['what', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ['recordEvents answer (ACCEPTED)', lag.ackMs],
          ['ACCEPTED → history shows the event', lag.decisionLagMs],
        ].map(([name, d]) => {
          const x = d as Distribution;
          return [name as string, String(x.count), num(x.p50Ms), num(x.p99Ms), num(x.maxMs)];
        }),
      );
      console.log(
        `relay owed → delivered: ${lag.relay.lagMs.samples} signals, p50 ${ms(lag.relay.lagMs.p50)}, ` +
          `p99 ${ms(lag.relay.lagMs.p99)}, max ${ms(lag.relay.lagMs.max)}; ${lag.skippedBatches} ` +
          `slots skipped (${MAX_LAG_IN_FLIGHT} batches in flight), ${lag.probesTimedOut} probes timed out, ` +
          `${lag.queryErrors.count} history queries failed and were asked again\n` +
          `  CPU meanwhile: ${describeCpu(lag.cpu)}\n` +
          `  lag p50, first third of the batches ${ms(lag.lagTrend.firstThirdP50Ms)}, last third ` +
          `${ms(lag.lagTrend.lastThirdP50Ms)}: ${sustained ? 'the system kept up' : 'it fell behind: the load is more than it keeps up with here'}; ` +
          `${lag.owedWhenSendingEnded} signals owed when the last batch was sent`,
      );
    },
  };
}
