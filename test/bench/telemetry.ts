/**
 * Telemetry readings per second through the gateway, against the same readings written raw to
 * Neo4j with the intake's own reading statement (`MERGE (:TelemetryReading {readingId})-[:FROM]->(d)`)
 * and nothing else: no validation, device lock, health fold or health write. Two shapes:
 *
 * 1. Steady telemetry: one telemetry event of `--telemetry-batch` readings per request, for many
 *    devices, `--telemetry-concurrency` requests in flight; raw, one statement per event-sized
 *    batch at the same concurrency.
 * 2. A fleet backfill: `--backfill-readings` (50,000, MAX_READINGS_PER_BATCH) readings across
 *    `--backfill-devices` devices in one request (one event of up to 1,000 readings per device),
 *    against one raw statement writing the same readings. The request's size is printed beside
 *    the request-size limit (MAX_REQUEST_BYTES).
 *
 * Target for both: at least 0.8× the raw rate. Readings are healthy (no errors, steady ink), so
 * no health change is owed and no worker is needed; devices are seeded in SUPPORT. The outbox
 * relay is stopped (nothing should be owed; the lane is cleaned anyway).
 */
import { MAX_REQUEST_BYTES } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import {
  atLeast,
  chunks,
  deleteAnchored,
  deleteNodes,
  deleteOutboxLane,
  isoFromNow,
  num,
  printTable,
  recordAccepted,
  seconds,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
  type TargetCheck,
} from './kit';
import { runLoad, summarize, type LoadResult, type Summary } from './load';
import {
  addCpu,
  describeCpu,
  printProfile,
  startCpuMeter,
  type CpuUse,
  type ProfileLine,
} from './profile';
import { startBenchSystem } from './system';

const TARGET = 0.8;

/** The raw side of the backfill: the intake's reading write, for every device at once. */
const RAW_BACKFILL = `
UNWIND $readings AS r
MATCH (d:Device {serial: r.serial})
MERGE (x:TelemetryReading {readingId: r.readingId})
  ON CREATE SET x.at = datetime(r.at), x.pagesPrinted = r.pagesPrinted, x.errors = r.errors,
                x.paperJams = r.paperJams, x.inkLevel = r.inkLevel
MERGE (x)-[:FROM]->(d)
RETURN count(*) AS written`;

interface BackfillPlan {
  serials: string[];
  /** Readings of device j per request. */
  perDevice: number[];
  /** Requests per side, the warm-up included. */
  requests: number;
  startMs: number;
  stepMs: number;
}

function backfillPlan(ctx: BenchContext, prefix: string): BackfillPlan {
  const { backfillReadings: total, backfillDevices: devices, backfillRequests } = ctx.options;
  const perDevice = Array.from(
    { length: devices },
    (_, j) => Math.floor(total / devices) + (j < total % devices ? 1 : 0),
  );
  const requests = backfillRequests + 1;
  // Both sides' requests get slots of their own, a reading every 30 s at most, ending a minute ago.
  const slots = 2 * requests * Math.max(...perDevice);
  const stepMs = Math.max(1_000, Math.min(30_000, Math.floor((2 * 86_400_000) / slots)));
  return {
    serials: Array.from({ length: devices }, (_, j) => `${prefix}-f${j}`),
    perDevice,
    requests,
    startMs: Date.now() - 60_000 - slots * stepMs,
    stepMs,
  };
}

/**
 * Request `rep` of a side: every device's readings, one event each. The warm-up (rep 0) carries
 * a tenth of them: it is there for the statements' plans and the connections, and a full one
 * would add a minute to the run.
 */
function backfillOf(b: BackfillPlan, side: 'g' | 'r', rep: number) {
  const slot0 = (side === 'g' ? 2 * rep : 2 * rep + 1) * Math.max(...b.perDevice);
  return b.serials.map((serial, j) => ({
    serial,
    readings: Array.from({ length: warmupShare(b.perDevice[j] ?? 0, rep) }, (_, k) => ({
      readingId: `${serial}-${side}${rep}-${k}`,
      at: new Date(b.startMs + (slot0 + k) * b.stepMs).toISOString(),
      pagesPrinted: 40,
      errors: 0,
      paperJams: 0,
      inkLevel: 80,
    })),
  }));
}

const warmupShare = (readings: number, rep: number) =>
  rep === 0 ? Math.max(1, Math.ceil(readings / 10)) : readings;

interface BackfillResult {
  /** Where the backfill went: the gateway, or the products subgraph when the gateway refused it. */
  via: 'gateway' | 'products subgraph';
  /** Why the gateway refused it, if it did. */
  gatewayRefused: string | null;
  readings: number;
  devices: number;
  requestBytes: number;
  gatewayMs: number[];
  rawMs: number[];
  profile: ProfileLine[];
  cpu: { gateway?: CpuUse; raw?: CpuUse };
}

/** The raw side: the intake's own reading write (telemetry-intake.ts), nothing else. */
const RAW_READINGS = `
MATCH (d:Device {serial: $serial})
UNWIND $readings AS r
MERGE (x:TelemetryReading {readingId: r.readingId})
  ON CREATE SET x.at = datetime(r.at), x.pagesPrinted = r.pagesPrinted, x.errors = r.errors,
                x.paperJams = r.paperJams, x.inkLevel = r.inkLevel
MERGE (x)-[:FROM]->(d)
RETURN count(*) AS written`;

interface TelemetryPlan {
  prefix: string;
  sku: string;
  serials: string[];
  perBatch: number;
  warmupEvents: number;
  measuredEvents: number;
  /** Time of reading slot 0 and the step between slots, so the last is a minute ago. */
  startMs: number;
  stepMs: number;
}

function plan(ctx: BenchContext): TelemetryPlan {
  const { options } = ctx;
  const prefix = `${ctx.runId}-t`;
  const perBatch = options.telemetryBatch;
  const measuredEvents = Math.max(1, Math.ceil(options.telemetryReadings / perBatch));
  const warmupEvents = options.telemetryConcurrency;
  const devices = options.telemetryDevices;
  const batchesPerDevice = Math.ceil((warmupEvents + measuredEvents) / devices);
  const slots = batchesPerDevice * perBatch;
  // A day of readings at most, a minute apart at most: never in the future, never "silent".
  const stepMs = Math.max(1_000, Math.min(60_000, Math.floor(86_400_000 / slots)));
  return {
    prefix,
    sku: `${prefix}-m`,
    serials: Array.from({ length: devices }, (_, j) => `${prefix}-d${j}`),
    perBatch,
    warmupEvents,
    measuredEvents,
    startMs: Date.now() - 60_000 - slots * stepMs,
    stepMs,
  };
}

/** Event i goes to device i mod D, as that device's (i div D)-th batch of readings. */
function readingsOf(p: TelemetryPlan, side: 'g' | 'r', event: number) {
  const serial = p.serials[event % p.serials.length] as string;
  const round = Math.floor(event / p.serials.length);
  return {
    serial,
    readings: Array.from({ length: p.perBatch }, (_, k) => ({
      readingId: `${serial}-${side}${round}-${k}`,
      at: new Date(p.startMs + (round * p.perBatch + k) * p.stepMs).toISOString(),
      pagesPrinted: 40,
      errors: 0,
      paperJams: 0,
      inkLevel: 80,
    })),
  };
}

export async function runTelemetry(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const p = plan(ctx);
  const measuredReadings = p.measuredEvents * p.perBatch;
  console.log(
    `[telemetry] ${measuredReadings} readings per side in ${p.measuredEvents} events of ${p.perBatch}, ` +
      `${p.serials.length} devices, ${options.telemetryConcurrency} in flight...`,
  );
  const taskQueue = `${ctx.runId}-telemetry`;
  const system = await startBenchSystem(config, { taskQueue, relay: 'stopped' });
  const results = { gateway: [] as LoadResult[], raw: [] as LoadResult[] };
  const backfill = backfillPlan(ctx, p.prefix);
  const backfillResult: BackfillResult = {
    via: 'gateway',
    gatewayRefused: null,
    readings: options.backfillReadings,
    devices: backfill.serials.length,
    requestBytes: 0,
    gatewayMs: [],
    rawMs: [],
    profile: [],
    cpu: {},
  };
  let steadyProfile: ProfileLine[] = [];
  const steadyCpu: { gateway?: CpuUse; raw?: CpuUse } = {};
  let backfillSent = 0;
  let failure: { error: unknown } | undefined;
  const sentEvents = { g: 0, r: 0 };
  const cleanup: Record<string, unknown> = {};
  try {
    const seedStart = performance.now();
    await system.graph.write(
      `CREATE (:ProductModel {sku: $sku, name: 'Bench telemetry model', createdAt: datetime()})`,
      { sku: p.sku },
    );
    for (const serials of chunks([...p.serials, ...backfill.serials], 2_000)) {
      await system.graph.write(
        `MATCH (m:ProductModel {sku: $sku})
         UNWIND $serials AS serial
         CREATE (d:Device {serial: serial, sku: $sku, registeredAt: datetime(),
                           stage: 'SUPPORT', stageChangedAt: datetime(), stageSequence: 4})
         CREATE (d)-[:INSTANCE_OF]->(m)`,
        { sku: p.sku, serials },
      );
    }
    console.log(`[telemetry] seeded in ${seconds(seedStart)}.`);

    const deadline = performance.now() + options.maxSeconds * 1000;
    const load = (side: 'gateway' | 'raw', count: number, offset: number) =>
      runLoad({
        count,
        offset,
        concurrency: options.telemetryConcurrency,
        deadline,
        signal,
        timeoutMs: options.timeoutMs * 6,
        send: async (event, requestSignal) => {
          if (side === 'gateway') {
            sentEvents.g = Math.max(sentEvents.g, event + 1);
            const telemetry = readingsOf(p, 'g', event);
            await recordAccepted(
              system.gatewayUrl,
              [{ eventId: `${p.prefix}-e${event}`, occurredAt: isoFromNow(-1_000), telemetry }],
              requestSignal,
            );
          } else {
            sentEvents.r = Math.max(sentEvents.r, event + 1);
            const { serial, readings } = readingsOf(p, 'r', event);
            const [row] = await system.graph.write<{ written: number }>(RAW_READINGS, {
              serial,
              readings,
            });
            if (row?.written !== readings.length) {
              throw new Error(`Raw write wrote ${row?.written} of ${readings.length} readings`);
            }
          }
        },
      });
    for (const side of ['gateway', 'raw'] as const) {
      const warm = await load(side, p.warmupEvents, 0);
      if (signal.aborted) throw new Error('Interrupted during the warm-up');
      if (warm.errors)
        throw new Error(`Telemetry warm-up (${side}) failed: ${warm.errorSamples[0]}`);
    }
    const rounds = Math.min(options.lifecycleRounds, p.measuredEvents);
    let offset = p.warmupEvents;
    system.profiles.servers.reset();
    for (let round = 0; round < rounds; round++) {
      const count =
        Math.floor(p.measuredEvents / rounds) + (round < p.measuredEvents % rounds ? 1 : 0);
      const order = round % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
      const line: string[] = [];
      for (const side of order) {
        const meter = startCpuMeter();
        const result = await load(side, count, offset);
        steadyCpu[side] = addCpu(steadyCpu[side], meter());
        results[side].push(result);
        line.push(
          `${side} ${num((result.completed * p.perBatch * 1000) / result.elapsedMs)} readings/s`,
        );
        if (signal.aborted) break;
      }
      offset += count;
      console.log(
        `[telemetry] round ${round + 1}/${rounds} (${count} events each): ${line.join(', ')}`,
      );
      if (signal.aborted) break;
    }
    steadyProfile = system.profiles.servers.snapshot();

    // The fleet backfill: one request per side and repetition, a warm-up first.
    const timeout = () => AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs * 12)]);
    for (let rep = 0; rep < backfill.requests; rep++) {
      backfillSent = rep + 1;
      const order = rep % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
      const line: string[] = [];
      for (const side of order) {
        if (signal.aborted) throw new Error('Interrupted');
        if (side === 'gateway') {
          const events = backfillOf(backfill, 'g', rep).map((telemetry, j) => ({
            eventId: `${p.prefix}-f${rep}-${j}`,
            occurredAt: isoFromNow(-1_000),
            telemetry,
          }));
          backfillResult.requestBytes = Buffer.byteLength(
            JSON.stringify({ query: 'mutation Record', variables: { events } }),
          );
          system.profiles.servers.reset();
          let meter = startCpuMeter();
          let started = performance.now();
          if (backfillResult.via === 'gateway') {
            try {
              await recordAccepted(system.gatewayUrl, events, timeout());
            } catch (error) {
              // A refusal by the gateway's own limits (nothing was written): the intake's figure
              // is still worth having, from the subgraph the gateway would have sent it to.
              if (!(error instanceof Error) || !/costs|too large|limit/i.test(error.message)) {
                throw error;
              }
              backfillResult.gatewayRefused = error.message;
              backfillResult.via = 'products subgraph';
              console.log(
                `[telemetry] the gateway refused the backfill (${error.message}); sending it to ` +
                  'the products subgraph directly, signed as the gateway signs it.',
              );
            }
          }
          if (backfillResult.via === 'products subgraph') {
            system.profiles.servers.reset();
            meter = startCpuMeter();
            started = performance.now();
            await recordAccepted(system.subgraphUrls.products, events, timeout());
          }
          const ms = performance.now() - started;
          const used = meter();
          const sent = events.reduce((n, e) => n + e.telemetry.readings.length, 0);
          line.push(`${backfillResult.via} ${num((sent * 1000) / ms)} readings/s`);
          if (rep > 0) {
            backfillResult.cpu.gateway = addCpu(backfillResult.cpu.gateway, used);
            backfillResult.gatewayMs.push(ms);
            mergeInto(backfillResult.profile, system.profiles.servers.snapshot());
          }
        } else {
          const readings = backfillOf(backfill, 'r', rep).flatMap(({ serial, readings }) =>
            readings.map((r) => ({ ...r, serial })),
          );
          const meter = startCpuMeter();
          const started = performance.now();
          const [row] = await system.graph.write<{ written: number }>(RAW_BACKFILL, { readings });
          const ms = performance.now() - started;
          const used = meter();
          if (row?.written !== readings.length) {
            throw new Error(`Raw backfill wrote ${row?.written} of ${readings.length} readings`);
          }
          line.push(`raw ${num((readings.length * 1000) / ms)} readings/s`);
          if (rep > 0) {
            backfillResult.rawMs.push(ms);
            backfillResult.cpu.raw = addCpu(backfillResult.cpu.raw, used);
          }
        }
      }
      console.log(
        `[telemetry] backfill over ${backfill.serials.length} devices, ` +
          `${rep === 0 ? `warm-up (${warmupShare(Math.max(...backfill.perDevice), 0)} readings each)` : `${rep}/${backfill.requests - 1} (${options.backfillReadings} readings)`}: ${line.join(', ')}`,
      );
    }
  } catch (error) {
    failure = { error };
  }

  try {
    // Requests given up on (a timeout, Ctrl-C) still run in the servers: let them end first.
    cleanup['requestsStillInFlight'] = await system.drain(120_000);
    cleanup['outbox'] = await deleteOutboxLane(system.graph, taskQueue);
    cleanup['deleted'] = await removeTelemetry(system.graph, p, sentEvents, backfill, backfillSent);
    if (cleanup['requestsStillInFlight']) {
      throw new Error(
        `${String(cleanup['requestsStillInFlight'])} requests were still running at clean-up`,
      );
    }
    console.log(`[telemetry] removed the bench data: ${JSON.stringify(cleanup['deleted'])}.`);
  } catch (error) {
    console.error(`[telemetry] clean-up failed; every key starts with ${p.prefix}.`);
    failure ??= { error };
  }
  try {
    await system.stop();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;

  const gateway = summarize(p.measuredEvents, options.telemetryConcurrency, results.gateway);
  const raw = summarize(p.measuredEvents, options.telemetryConcurrency, results.raw);
  const gatewayRps = gateway.throughputPerSecond * p.perBatch;
  const rawRps = raw.throughputPerSecond * p.perBatch;
  const b = backfillResult;
  const sum = (values: number[]) => values.reduce((x, y) => x + y, 0);
  const backfillGatewayRps = (b.readings * b.gatewayMs.length * 1000) / sum(b.gatewayMs);
  const backfillRawRps = (b.readings * b.rawMs.length * 1000) / sum(b.rawMs);
  const failures = [
    ...(b.gatewayRefused
      ? [
          `telemetry: the gateway refused a backfill of ${b.readings} readings that the intake's caps ` +
            `allow (${b.gatewayRefused}); measured on the products subgraph instead`,
        ]
      : []),
    ...(gateway.errors
      ? [`telemetry: ${gateway.errors} failed events, e.g. ${gateway.errorSamples[0]}`]
      : []),
    ...(raw.errors
      ? [`telemetry raw: ${raw.errors} failed statements, e.g. ${raw.errorSamples[0]}`]
      : []),
    ...(gateway.completed < p.measuredEvents || raw.completed < p.measuredEvents
      ? [
          `telemetry: only ${gateway.completed}/${raw.completed} of ${p.measuredEvents} events within --max-seconds`,
        ]
      : []),
  ];
  const targets: TargetCheck[] = [
    atLeast(
      'telemetry',
      `readings/s via gateway ÷ raw, ${p.perBatch} per request`,
      gatewayRps / rawRps,
      TARGET,
    ),
    atLeast(
      'telemetry',
      `readings/s via ${b.via} ÷ raw, backfill of ${b.readings} in one request`,
      backfillGatewayRps / backfillRawRps,
      TARGET,
    ),
  ];
  const dataText = `${measuredReadings} readings/side, ${p.perBatch} per event, ${p.serials.length} devices, ${options.telemetryConcurrency} in flight`;
  const backfillText =
    `${b.readings} readings, ${b.devices} devices (${Math.max(...backfill.perDevice)} per event) ` +
    `in one request of ${(b.requestBytes / 1e6).toFixed(1)} MB (limit ${(MAX_REQUEST_BYTES / 1e6).toFixed(1)} MB), ` +
    `${b.gatewayMs.length} per side`;
  return {
    name: 'telemetry',
    failures,
    targets,
    summary: [
      {
        benchmark: 'telemetry',
        metric: `readings/s ACCEPTED via gateway, ${p.perBatch} per request`,
        measured: num(gatewayRps),
        baseline: `${num(rawRps)} raw UNWIND MERGE`,
        ratio: `${times(gatewayRps / rawRps)} of raw`,
        data: dataText,
        target: verdict(targets[0] as TargetCheck),
      },
      {
        benchmark: 'telemetry',
        metric: `readings/s ACCEPTED via ${b.via}, fleet backfill`,
        measured: num(backfillGatewayRps),
        baseline: `${num(backfillRawRps)} raw UNWIND MERGE`,
        ratio: `${times(backfillGatewayRps / backfillRawRps)} of raw`,
        data: backfillText,
        target: verdict(targets[1] as TargetCheck),
      },
    ],
    details: {
      baseline:
        "The same readings for the same devices, written with the intake's own reading statement " +
        '(UNWIND MERGE (:TelemetryReading {readingId})-[:FROM]->(d)): one statement per ' +
        'event-sized batch at the same concurrency, alternating rounds; for the backfill, one ' +
        'statement with all its readings. Ratio: readings/s through the gateway ÷ raw.',
      data: {
        readingsPerSide: measuredReadings,
        readingsPerEvent: p.perBatch,
        eventsPerSide: p.measuredEvents,
        devices: p.serials.length,
        concurrency: options.telemetryConcurrency,
        rounds: results.gateway.length,
        readingStepSeconds: p.stepMs / 1000,
      },
      gateway: { ...gateway, readingsPerSecond: gatewayRps },
      raw: { ...raw, readingsPerSecond: rawRps },
      ratios: { throughputGatewayOverRaw: gatewayRps / rawRps },
      cpu: steadyCpu,
      profilePerEvent: steadyProfile.map((l) => ({
        ...l,
        msPerEvent: l.totalMs / Math.max(1, gateway.completed),
      })),
      backfill: {
        ...b,
        readingsPerDevice: backfill.perDevice,
        readingStepSeconds: backfill.stepMs / 1000,
        maxRequestBytes: MAX_REQUEST_BYTES,
        readingsPerSecond: { gateway: backfillGatewayRps, raw: backfillRawRps },
        throughputGatewayOverRaw: backfillGatewayRps / backfillRawRps,
        profilePerRequest: b.profile.map((l) => ({
          ...l,
          msPerRequest: l.totalMs / Math.max(1, b.gatewayMs.length),
        })),
      },
    },
    cleanup,
    print() {
      console.log(
        `\ntelemetry: readings through the gateway vs the raw reading write (${dataText})`,
      );
      printTable(
        [
          'side',
          'readings',
          'readings/s',
          'event p50 ms',
          'event p99 ms',
          'errors',
          'readings/s per round',
        ],
        [
          ['gateway recordEvents telemetry', gateway, gatewayRps],
          ['raw UNWIND MERGE readings', raw, rawRps],
        ].map(([name, s, rps]) => {
          const summary = s as Summary;
          return [
            name as string,
            String(summary.completed * p.perBatch),
            num(rps as number),
            summary.p50Ms.toFixed(1),
            summary.p99Ms.toFixed(1),
            String(summary.errors),
            summary.roundsPerSecond.map((r) => num(r * p.perBatch)).join(' '),
          ];
        }),
      );
      console.log(
        `gateway ÷ raw: ${times(gatewayRps / rawRps)} (target ≥ ${times(TARGET)})\n` +
          `  CPU, gateway side: ${describeCpu(steadyCpu.gateway)}\n` +
          `  CPU, raw side:     ${describeCpu(steadyCpu.raw)}`,
      );
      console.log(`\nwhere a ${p.perBatch}-reading request's time goes (per request):`);
      printProfile(steadyProfile, gateway.completed, 'request');
      console.log(`\ntelemetry: fleet backfill (${backfillText})`);
      printTable(
        ['side', 'requests', 'readings/s', 'each s'],
        [
          [`${b.via} recordEvents`, b.gatewayMs, backfillGatewayRps],
          ['raw UNWIND MERGE', b.rawMs, backfillRawRps],
        ].map(([name, ms, rps]) => [
          name as string,
          String((ms as number[]).length),
          num(rps as number),
          (ms as number[]).map((x) => (x / 1000).toFixed(2)).join(' '),
        ]),
      );
      console.log(
        `${b.via} ÷ raw: ${times(backfillGatewayRps / backfillRawRps)} (target ≥ ${times(TARGET)})` +
          (b.gatewayRefused ? `; the gateway refused it: ${b.gatewayRefused}` : '') +
          `\n  CPU, ${b.via} side: ${describeCpu(b.cpu.gateway)}\n` +
          `  CPU, raw side: ${describeCpu(b.cpu.raw)}`,
      );
      console.log(`\nwhere the backfill request's time goes (per request):`);
      printProfile(b.profile, b.gatewayMs.length, 'request');
    },
  };
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
  into.sort((x, y) => y.totalMs - x.totalMs);
}

async function removeTelemetry(
  graph: Graph,
  p: TelemetryPlan,
  sent: { g: number; r: number },
  backfill: BackfillPlan,
  backfillSent: number,
): Promise<Record<string, number>> {
  const readingIds = (side: 'g' | 'r', events: number) =>
    Array.from({ length: events }, (_, e) =>
      readingsOf(p, side, e).readings.map((r) => r.readingId),
    ).flat();
  const backfillIds = (['g', 'r'] as const).flatMap((side) =>
    Array.from({ length: backfillSent }, (_, rep) =>
      backfillOf(backfill, side, rep).flatMap((d) => d.readings.map((r) => r.readingId)),
    ).flat(),
  );
  const deleted = await deleteNodes(graph, [
    {
      name: 'readings',
      label: 'TelemetryReading',
      key: 'readingId',
      values: [...readingIds('g', sent.g), ...readingIds('r', sent.r), ...backfillIds],
    },
  ]);
  // Readings of these devices under other ids (a raw backfill whose request was not counted).
  deleted['otherReadings'] = await deleteAnchored(
    graph,
    { label: 'Device', key: 'serial', values: [...p.serials, ...backfill.serials] },
    '(a)<-[:FROM]-(n:TelemetryReading)',
  );
  Object.assign(
    deleted,
    await deleteNodes(graph, [
      {
        name: 'devices',
        label: 'Device',
        key: 'serial',
        values: [...p.serials, ...backfill.serials],
      },
      { name: 'models', label: 'ProductModel', key: 'sku', values: [p.sku] },
    ]),
  );
  return deleted;
}
