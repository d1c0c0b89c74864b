/**
 * Lifecycle events accepted per second through the gateway (`recordEvents`), against the same
 * number of events written as bare touchpoint MERGEs in batched UNWIND statements: what the
 * intake costs over a bare write.
 *
 * Each batch is made of units of four events about one customer and one new device: an ad
 * impression and a click on a campaign, the purchase of the device (of the campaign's model),
 * and a shipment update of that order, in this order (events of a batch are processed in order).
 * Customers, models, campaigns and devices are seeded straight into Neo4j first.
 *
 * No lifecycle worker runs: an event is ACCEPTED once it is in the graph and its signal is in
 * Temporal's history, which needs the Temporal server but no worker. A worker would only add
 * CPU contention that is not the intake's and whose backlog would spill from one round into
 * the next. The lifecycles the events start (journeys, device lifecycles) are terminated by
 * exact id afterwards.
 */
import { deviceLifecycleWorkflowId, journeyWorkflowId } from '@experience-graph/workflows';
import {
  chunks,
  deleteAnchored,
  deleteNodes,
  isoFromNow,
  num,
  printTable,
  recordAccepted,
  seconds,
  terminateWorkflows,
  times,
  type BenchContext,
  type BenchSection,
} from './kit';
import { runLoad, summarize, type LoadResult, type Summary } from './load';
import { startBenchSystem } from './system';
import type { Graph } from '@experience-graph/neo4j';

const MODELS = 5;
const CAMPAIGNS_PER_MODEL = 2;
const CHANNELS = ['SOCIAL_AD', 'SEARCH_AD', 'DISPLAY_AD'];

/** Every key of one intake run, computable before anything is written. */
interface IntakePlan {
  prefix: string;
  skus: string[];
  campaignIds: string[];
  customerIds: string[];
  /** Units of four events per batch. */
  unitsPerBatch: number;
  warmupBatches: number;
  measuredBatches: number;
  /** Units per side (gateway, raw): one new device each. */
  units: number;
}

interface Unit {
  customerId: string;
  campaignId: string;
  sku: string;
  serial: string;
}

function plan(ctx: BenchContext): IntakePlan {
  const { options } = ctx;
  const prefix = `${ctx.runId}-i`;
  const unitsPerBatch = Math.max(1, Math.floor(options.intakeBatch / 4));
  const measuredBatches = Math.max(1, Math.ceil(options.intakeEvents / (4 * unitsPerBatch)));
  const warmupBatches = options.intakeConcurrency;
  return {
    prefix,
    skus: Array.from({ length: MODELS }, (_, m) => `${prefix}-m${m}`),
    campaignIds: Array.from(
      { length: MODELS * CAMPAIGNS_PER_MODEL },
      (_, k) => `${prefix}-k${Math.floor(k / CAMPAIGNS_PER_MODEL)}-${k % CAMPAIGNS_PER_MODEL}`,
    ),
    customerIds: Array.from({ length: options.intakeCustomers }, (_, c) => `${prefix}-c${c}`),
    unitsPerBatch,
    warmupBatches,
    measuredBatches,
    units: (warmupBatches + measuredBatches) * unitsPerBatch,
  };
}

/**
 * Unit u of a side: customer u mod C, campaign u mod K (and its model), and a device of that
 * model of the side's own (the raw side's purchases sell devices too, so the sides share none).
 */
function unitOf(p: IntakePlan, u: number, side: Side = 'g'): Unit {
  const k = u % p.campaignIds.length;
  return {
    customerId: p.customerIds[u % p.customerIds.length] as string,
    campaignId: p.campaignIds[k] as string,
    sku: p.skus[Math.floor(k / CAMPAIGNS_PER_MODEL)] as string,
    serial: `${p.prefix}-${side}d${u}`,
  };
}

type Side = 'g' | 'r';
/** Every unit of both sides. */
const allUnits = (p: IntakePlan) =>
  (['g', 'r'] as const).flatMap((side) =>
    Array.from({ length: p.units }, (_, unit) => ({ unit, side })),
  );
const eventIds = (p: IntakePlan, side: Side, u: number) =>
  ['imp', 'clk', 'buy', 'shp'].map((what) => `${p.prefix}-${side}${u}-${what}`);
const orderId = (p: IntakePlan, side: Side, u: number) => `${p.prefix}-${side}o${u}`;
const unitsOfBatch = (p: IntakePlan, batch: number) =>
  Array.from({ length: p.unitsPerBatch }, (_, i) => batch * p.unitsPerBatch + i);

/** The `recordEvents` batch number `batch`: its units' four events each, in order. */
function gatewayBatch(p: IntakePlan, batch: number): Array<Record<string, unknown>> {
  return unitsOfBatch(p, batch).flatMap((u) => {
    const { customerId, campaignId, serial } = unitOf(p, u);
    const [imp, clk, buy, shp] = eventIds(p, 'g', u);
    const order = orderId(p, 'g', u);
    return [
      {
        eventId: imp,
        occurredAt: isoFromNow(-40 * 60_000),
        adImpression: { customerId, campaignId },
      },
      { eventId: clk, occurredAt: isoFromNow(-39 * 60_000), adClick: { customerId, campaignId } },
      {
        eventId: buy,
        occurredAt: isoFromNow(-30 * 60_000),
        purchase: {
          customerId,
          serial,
          orderId: order,
          amount: 199,
          currency: 'USD',
          promisedDeliveryAt: isoFromNow(2 * 86_400_000),
        },
      },
      {
        eventId: shp,
        occurredAt: isoFromNow(-20 * 60_000),
        shipmentUpdate: {
          orderId: order,
          carrier: 'Parcel Co',
          status: 'In transit',
          expectedDeliveryAt: isoFromNow(86_400_000),
        },
      },
    ];
  });
}

/**
 * The raw side: each event as its touchpoint, MERGEd on its event id with the same properties
 * and relationships the intake gives it (customer, model, campaign; order and device, the
 * purchase also creating the order), one UNWIND statement per batch. What it leaves out is the
 * intake: validation, the facts read, the rules, attribution, the Temporal signal and the
 * delivery mark.
 */
const RAW_TOUCHPOINTS = `
UNWIND $rows AS row
MERGE (t:Touchpoint {eventId: row.eventId})
  ON CREATE SET t.type = row.type, t.occurredAt = datetime(row.occurredAt), t.recordedAt = datetime(),
                t.channel = row.channel, t.delivery = 'delivered'
WITH t, row
MATCH (c:Customer {id: row.customerId}), (m:ProductModel {sku: row.sku})
MERGE (c)-[:HAD]->(t)
MERGE (t)-[:ABOUT]->(m)
WITH t, row, c
OPTIONAL MATCH (camp:Campaign {id: row.campaignId})
FOREACH (_ IN CASE WHEN camp IS NULL THEN [] ELSE [1] END | MERGE (t)-[:VIA]->(camp))
WITH t, row, c
OPTIONAL MATCH (d:Device {serial: row.serial})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END |
  MERGE (o:Order {id: row.orderId})
    ON CREATE SET o.placedAt = datetime(row.occurredAt), o.amount = 199, o.currency = 'USD'
  MERGE (t)-[:FOR]->(o)
  MERGE (t)-[:ABOUT_DEVICE]->(d)
  FOREACH (__ IN CASE WHEN row.type = 'PURCHASE' THEN [1] ELSE [] END |
    MERGE (c)-[:PLACED]->(o)
    MERGE (o)-[:CONTAINS]->(d)))
RETURN count(*) AS written`;

function rawBatch(p: IntakePlan, batch: number) {
  return unitsOfBatch(p, batch).flatMap((u) => {
    const { customerId, campaignId, sku, serial } = unitOf(p, u, 'r');
    const [imp, clk, buy, shp] = eventIds(p, 'r', u);
    const order = orderId(p, 'r', u);
    const channel = CHANNELS[u % CHANNELS.length];
    const base = { customerId, sku, serial: null, orderId: null, campaignId: null };
    return [
      {
        ...base,
        eventId: imp,
        type: 'AD_IMPRESSION',
        channel,
        campaignId,
        occurredAt: isoFromNow(-40 * 60_000),
      },
      {
        ...base,
        eventId: clk,
        type: 'AD_CLICK',
        channel,
        campaignId,
        occurredAt: isoFromNow(-39 * 60_000),
      },
      {
        ...base,
        eventId: buy,
        type: 'PURCHASE',
        channel: 'ONLINE',
        serial,
        orderId: order,
        occurredAt: isoFromNow(-30 * 60_000),
      },
      {
        ...base,
        eventId: shp,
        type: 'SHIPMENT_UPDATE',
        channel: 'CARRIER',
        serial,
        orderId: order,
        occurredAt: isoFromNow(-20 * 60_000),
      },
    ];
  });
}

async function seedIntake(graph: Graph, p: IntakePlan): Promise<void> {
  await graph.write(
    `UNWIND $skus AS sku CREATE (:ProductModel {sku: sku, name: 'Bench model ' + sku, createdAt: datetime()})`,
    { skus: p.skus },
  );
  await graph.write(
    `UNWIND $rows AS row
     MATCH (m:ProductModel {sku: row.sku})
     CREATE (c:Campaign {id: row.id, name: 'Bench campaign ' + row.id, channel: row.channel,
                         journeyStage: 'INTERESTED', productSku: row.sku, createdAt: datetime()})
     CREATE (c)-[:PROMOTES]->(m)`,
    {
      rows: p.campaignIds.map((id, k) => ({
        id,
        sku: p.skus[Math.floor(k / CAMPAIGNS_PER_MODEL)],
        channel: CHANNELS[k % CHANNELS.length],
      })),
    },
  );
  for (const ids of chunks(p.customerIds, 2_000)) {
    await graph.write(
      `UNWIND $ids AS id CREATE (:Customer {id: id, displayName: 'Bench ' + id, createdAt: datetime()})`,
      { ids },
    );
  }
  const devices = allUnits(p).map(({ unit, side }) => unitOf(p, unit, side));
  for (const rows of chunks(devices, 2_000)) {
    await graph.write(
      `UNWIND $rows AS row
       MATCH (m:ProductModel {sku: row.sku})
       CREATE (d:Device {serial: row.serial, sku: row.sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
      { rows: rows.map(({ serial, sku }) => ({ serial, sku })) },
    );
  }
  const [counts] = await graph.read<{ devices: number; campaigns: number }>(
    `CALL () { UNWIND $serials AS s MATCH (:Device {serial: s})-[:INSTANCE_OF]->() RETURN count(*) AS devices }
     CALL () { UNWIND $campaigns AS id MATCH (:Campaign {id: id})-[:PROMOTES]->() RETURN count(*) AS campaigns }
     RETURN devices, campaigns`,
    { serials: devices.map((d) => d.serial), campaigns: p.campaignIds },
  );
  if (counts?.devices !== devices.length || counts.campaigns !== p.campaignIds.length) {
    throw new Error(`Seeding the intake data went wrong: ${JSON.stringify(counts)}`);
  }
}

export async function runIntake(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal } = ctx;
  const p = plan(ctx);
  const eventsPerBatch = p.unitsPerBatch * 4;
  const measuredEvents = p.measuredBatches * eventsPerBatch;
  const taskQueue = `${ctx.runId}-intake`;
  console.log(
    `[intake] ${measuredEvents} events per side in ${p.measuredBatches} batches of ${eventsPerBatch}, ` +
      `${options.intakeConcurrency} in flight; seeding ${p.customerIds.length} customers and ${2 * p.units} devices...`,
  );
  const system = await startBenchSystem(config, { taskQueue });
  let failure: { error: unknown } | undefined;
  const results = { gateway: [] as LoadResult[], raw: [] as LoadResult[] };
  let sentGatewayBatches = 0;
  const cleanup: Record<string, unknown> = {};
  try {
    const seedStart = performance.now();
    await seedIntake(system.graph, p);
    console.log(`[intake] seeded in ${seconds(seedStart)}.`);
    const deadline = performance.now() + options.maxSeconds * 1000;
    const load = (side: 'gateway' | 'raw', count: number, offset: number) =>
      runLoad({
        count,
        offset,
        concurrency: options.intakeConcurrency,
        deadline,
        signal,
        timeoutMs: options.timeoutMs * 6,
        send: async (batch, requestSignal) => {
          if (side === 'gateway') {
            sentGatewayBatches = Math.max(sentGatewayBatches, batch + 1);
            await recordAccepted(system.gatewayUrl, gatewayBatch(p, batch), requestSignal);
          } else {
            const rows = rawBatch(p, batch);
            const [row] = await system.graph.write<{ written: number }>(RAW_TOUCHPOINTS, { rows });
            if (row?.written !== rows.length) {
              throw new Error(`Raw write wrote ${row?.written} of ${rows.length} touchpoints`);
            }
          }
        },
      });

    for (const side of ['gateway', 'raw'] as const) {
      const warm = await load(side, p.warmupBatches, 0);
      if (signal.aborted) throw new Error('Interrupted during the warm-up');
      if (warm.errors) throw new Error(`Intake warm-up (${side}) failed: ${warm.errorSamples[0]}`);
    }
    const rounds = Math.min(options.lifecycleRounds, p.measuredBatches);
    let offset = p.warmupBatches;
    for (let round = 0; round < rounds; round++) {
      const count =
        Math.floor(p.measuredBatches / rounds) + (round < p.measuredBatches % rounds ? 1 : 0);
      const order = round % 2 === 0 ? (['gateway', 'raw'] as const) : (['raw', 'gateway'] as const);
      const line: string[] = [];
      for (const side of order) {
        const result = await load(side, count, offset);
        results[side].push(result);
        line.push(
          `${side} ${num((result.completed * eventsPerBatch * 1000) / result.elapsedMs)} events/s`,
        );
        if (signal.aborted) break;
      }
      offset += count;
      console.log(
        `[intake] round ${round + 1}/${rounds} (${count} batches each): ${line.join(', ')}`,
      );
      if (signal.aborted) break;
    }
  } catch (error) {
    failure = { error };
  }

  // Clean-up, whatever happened: the lifecycles the accepted events started, then every node.
  try {
    // Requests given up on (a timeout, Ctrl-C) still run in the servers: let them end first.
    cleanup['requestsStillInFlight'] = await system.drain(120_000);
    const units = Array.from(
      { length: Math.min(p.units, sentGatewayBatches * p.unitsPerBatch) },
      (_, u) => unitOf(p, u),
    );
    const workflowIds = [
      ...units.map((u) => journeyWorkflowId(u.customerId, u.sku)),
      ...units.map((u) => deviceLifecycleWorkflowId(u.serial)),
    ];
    const started = performance.now();
    cleanup['workflows'] = await terminateWorkflows(
      system.client,
      workflowIds,
      options.startConcurrency,
      Math.max(60_000, workflowIds.length * 20),
    );
    cleanup['workflowsSeconds'] = (performance.now() - started) / 1000;
    cleanup['deleted'] = await removeIntake(system.graph, p);
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

  const summary = (side: 'gateway' | 'raw'): Summary =>
    summarize(p.measuredBatches, options.intakeConcurrency, results[side]);
  const gateway = summary('gateway');
  const raw = summary('raw');
  const eventsPerSecond = (s: Summary) => s.throughputPerSecond * eventsPerBatch;
  const gatewayEps = eventsPerSecond(gateway);
  const rawEps = eventsPerSecond(raw);
  // Time per event through the intake ÷ time per event written raw: how many times a bare write.
  const costRatio = rawEps / gatewayEps;
  const failures = [
    ...(gateway.errors
      ? [`intake: ${gateway.errors} failed batches, e.g. ${gateway.errorSamples[0]}`]
      : []),
    ...(raw.errors
      ? [`intake raw: ${raw.errors} failed statements, e.g. ${raw.errorSamples[0]}`]
      : []),
    ...(gateway.completed < p.measuredBatches || raw.completed < p.measuredBatches
      ? [
          `intake: only ${gateway.completed}/${raw.completed} of ${p.measuredBatches} batches within --max-seconds`,
        ]
      : []),
  ];
  const data = {
    eventsPerSide: measuredEvents,
    eventsPerBatch,
    batchesPerSide: p.measuredBatches,
    concurrency: options.intakeConcurrency,
    mixPerUnit: 'adImpression, adClick, purchase, shipmentUpdate',
    customers: p.customerIds.length,
    devicesPerSide: p.units,
    models: p.skus.length,
    campaigns: p.campaignIds.length,
    rounds: results.gateway.length,
    warmupBatchesPerSide: p.warmupBatches,
  };
  const dataText = `${measuredEvents} events/side, batches of ${eventsPerBatch}, ${p.customerIds.length} customers, ${p.units} devices/side`;
  return {
    name: 'intake',
    failures,
    summary: [
      {
        benchmark: 'intake',
        metric: 'events/s ACCEPTED via gateway',
        measured: num(gatewayEps),
        baseline: `${num(rawEps)} raw MERGE`,
        ratio: `${times(costRatio)} time/event`,
        data: dataText,
      },
    ],
    details: {
      baseline:
        'The same number of events, as touchpoints MERGEd with the same relationships (customer, ' +
        'model, campaign, order and device; the purchase creating the order), one UNWIND ' +
        'statement per batch, same batch size and concurrency, alternating rounds. Ratio: ' +
        'time per event through the intake ÷ time per event written raw.',
      data,
      gateway: { ...gateway, eventsPerSecond: gatewayEps },
      raw: { ...raw, eventsPerSecond: rawEps },
      ratios: {
        timePerEventIntakeOverRaw: costRatio,
        throughputIntakeOverRaw: gatewayEps / rawEps,
      },
    },
    cleanup,
    print() {
      console.log(
        `\nintake: recordEvents through the gateway vs raw touchpoint MERGE (${dataText})`,
      );
      printTable(
        [
          'side',
          'events',
          'events/s',
          'batch p50 ms',
          'batch p99 ms',
          'errors',
          'events/s per round',
        ],
        [
          ['gateway recordEvents', gateway, gatewayEps],
          ['raw UNWIND MERGE', raw, rawEps],
        ].map(([name, s, eps]) => {
          const summary = s as Summary;
          return [
            name as string,
            String(summary.completed * eventsPerBatch),
            num(eps as number),
            summary.p50Ms.toFixed(1),
            summary.p99Ms.toFixed(1),
            String(summary.errors),
            summary.roundsPerSecond.map((r) => num(r * eventsPerBatch)).join(' '),
          ];
        }),
      );
      console.log(`intake ÷ raw: ${times(costRatio)} the time per event`);
    },
  };
}

/** Deletes everything this run's intake made, by exact keys and from them. */
async function removeIntake(graph: Graph, p: IntakePlan): Promise<Record<string, number>> {
  const units = Array.from({ length: p.units }, (_, u) => u);
  const serials = allUnits(p).map(({ unit, side }) => unitOf(p, unit, side).serial);
  const deleted = await deleteNodes(graph, [
    {
      name: 'touchpoints',
      label: 'Touchpoint',
      key: 'eventId',
      values: units.flatMap((u) => [...eventIds(p, 'g', u), ...eventIds(p, 'r', u)]),
    },
    {
      name: 'orders',
      label: 'Order',
      key: 'id',
      values: units.flatMap((u) => [orderId(p, 'g', u), orderId(p, 'r', u)]),
    },
  ]);
  // Whatever else touches this run's customers or devices (none expected: no worker ran).
  deleted['otherTouchpoints'] =
    (await deleteAnchored(
      graph,
      { label: 'Customer', key: 'id', values: p.customerIds },
      '(a)-[:HAD]->(n:Touchpoint)',
    )) +
    (await deleteAnchored(
      graph,
      { label: 'Device', key: 'serial', values: serials },
      '(a)<-[:ABOUT_DEVICE]-(n:Touchpoint)',
    ));
  Object.assign(
    deleted,
    await deleteNodes(graph, [
      { name: 'devices', label: 'Device', key: 'serial', values: serials },
      { name: 'campaigns', label: 'Campaign', key: 'id', values: p.campaignIds },
      { name: 'customers', label: 'Customer', key: 'id', values: p.customerIds },
      { name: 'models', label: 'ProductModel', key: 'sku', values: p.skus },
    ]),
  );
  return deleted;
}
