/**
 * Telemetry readings per second through the gateway (`recordEvents` with one telemetry event of
 * `--telemetry-batch` readings per request, for many devices), against the same number of
 * readings written raw to Neo4j in batched UNWIND statements of the same size: the intake's own
 * statement `MERGE (:TelemetryReading {readingId})-[:FROM]->(d)` without validation, the
 * device lock, the health fold and its write. Readings are healthy (no errors, steady ink), so
 * no health change is signalled and no worker is needed; devices are seeded in SUPPORT.
 */
import type { Graph } from '@experience-graph/neo4j';
import {
  chunks,
  deleteAnchored,
  deleteNodes,
  isoFromNow,
  num,
  printTable,
  recordAccepted,
  seconds,
  times,
  type BenchContext,
  type BenchSection,
} from './kit';
import { runLoad, summarize, type LoadResult, type Summary } from './load';
import { startBenchSystem } from './system';

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
  const system = await startBenchSystem(config, { taskQueue: `${ctx.runId}-telemetry` });
  const results = { gateway: [] as LoadResult[], raw: [] as LoadResult[] };
  let failure: { error: unknown } | undefined;
  const sentEvents = { g: 0, r: 0 };
  const cleanup: Record<string, unknown> = {};
  try {
    const seedStart = performance.now();
    await system.graph.write(
      `CREATE (:ProductModel {sku: $sku, name: 'Bench telemetry model', createdAt: datetime()})`,
      { sku: p.sku },
    );
    for (const serials of chunks(p.serials, 2_000)) {
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
    for (let round = 0; round < rounds; round++) {
      const count =
        Math.floor(p.measuredEvents / rounds) + (round < p.measuredEvents % rounds ? 1 : 0);
      const order = round % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
      const line: string[] = [];
      for (const side of order) {
        const result = await load(side, count, offset);
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
  } catch (error) {
    failure = { error };
  }

  try {
    // Requests given up on (a timeout, Ctrl-C) still run in the servers: let them end first.
    cleanup['requestsStillInFlight'] = await system.drain(120_000);
    cleanup['deleted'] = await removeTelemetry(system.graph, p, sentEvents);
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
  const costRatio = rawRps / gatewayRps;
  const failures = [
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
  const dataText = `${measuredReadings} readings/side, ${p.perBatch} per event, ${p.serials.length} devices`;
  return {
    name: 'telemetry',
    failures,
    summary: [
      {
        benchmark: 'telemetry',
        metric: 'readings/s ACCEPTED via gateway',
        measured: num(gatewayRps),
        baseline: `${num(rawRps)} raw UNWIND MERGE`,
        ratio: `${times(costRatio)} time/reading`,
        data: dataText,
      },
    ],
    details: {
      baseline:
        "The same number of readings for the same devices, written with the intake's own reading " +
        'statement (UNWIND MERGE (:TelemetryReading {readingId})-[:FROM]->(d)), one statement per ' +
        'event-sized batch, same concurrency, alternating rounds. Ratio: time per reading ' +
        'through the gateway ÷ time per reading written raw.',
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
      ratios: {
        timePerReadingGatewayOverRaw: costRatio,
        throughputGatewayOverRaw: gatewayRps / rawRps,
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
      console.log(`gateway ÷ raw: ${times(costRatio)} the time per reading`);
    },
  };
}

async function removeTelemetry(
  graph: Graph,
  p: TelemetryPlan,
  sent: { g: number; r: number },
): Promise<Record<string, number>> {
  const readingIds = (side: 'g' | 'r', events: number) =>
    Array.from({ length: events }, (_, e) =>
      readingsOf(p, side, e).readings.map((r) => r.readingId),
    ).flat();
  const deleted = await deleteNodes(graph, [
    {
      name: 'readings',
      label: 'TelemetryReading',
      key: 'readingId',
      values: [...readingIds('g', sent.g), ...readingIds('r', sent.r)],
    },
  ]);
  // Readings of these devices under other ids: none expected.
  deleted['otherReadings'] = await deleteAnchored(
    graph,
    { label: 'Device', key: 'serial', values: p.serials },
    '(a)<-[:FROM]-(n:TelemetryReading)',
  );
  Object.assign(
    deleted,
    await deleteNodes(graph, [
      { name: 'devices', label: 'Device', key: 'serial', values: p.serials },
      { name: 'models', label: 'ProductModel', key: 'sku', values: [p.sku] },
    ]),
  );
  return deleted;
}
