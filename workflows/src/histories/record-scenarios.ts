/**
 * The scenarios of a history set, run inside the workflow code of the commit being recorded (see
 * `record-histories.ts`, which extracts that code and runs this file in it): a scenario of every
 * workflow type on a real worker, against the Temporal and Neo4j of the configuration, each run's
 * history written as History JSON to `--out=<folder>` with a manifest naming `--commit=<sha>`.
 * Its data is test fixtures, made under one unique prefix and removed at the end.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { erasureIdOf } from '@experience-graph/erasure-keys';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { eventually, uniqueKey } from '@experience-graph/test-kit';
import {
  DEVICE_LIFECYCLE_WORKFLOW,
  deviceEventSignal,
  deviceEventsSignal,
  deviceLifecycleWorkflowId,
  ERASURE_WORKFLOW,
  erasureWorkflowId,
  expertResolvedSignal,
  interventionStatusQuery,
  interventionWorkflowId,
  JOURNEY_WORKFLOW,
  journeyEventSignal,
  journeyEventsSignal,
  journeyWorkflowId,
  stageQuery,
  type DeviceEvent,
  type DeviceLifecycleInput,
  type JourneyEvent,
  type JourneyInput,
} from '../contracts';
import {
  VALUE_MODEL_WORKFLOW,
  valueModelWorkflowId,
  type ValueModelInput,
} from '../value-model-contracts';
import { createLifecycleWorker, WORKFLOWS_PATH } from '../worker';
import { historyToJson } from './history-json';
import { FIXTURE_NAME, type HistoryEntryManifest, type HistorySetManifest } from './history-sets';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The root of the tree this runs in (the extracted commit). */
const ROOT = resolve(__dirname, '../../..');
/** Names the recorder in histories instead of the default pid@hostname. */
const IDENTITY = 'history-recorder';
/** How long one step of a scenario may take on a loaded two-core machine. */
const STEP_MS = 90_000;

const argument = (name: string) => {
  const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (value === undefined) throw new Error(`--${name}=... is required`);
  return value;
};

/**
 * The workflow bundle this worker runs, and the repository paths of the files in it, from the
 * module names webpack leaves in the code.
 */
async function bundle(): Promise<{ code: string; sources: string[] }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const modules = new Set([...code.matchAll(/\/\*{3}\/ "(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!));
  const sources = [...modules]
    .filter((m) => !m.includes('node_modules/'))
    .map((m) => relative(ROOT, resolve(process.cwd(), m)))
    .sort();
  return { code, sources };
}

interface Recorded {
  workflowType: string;
  workflowId: string;
  runId: string;
  scenario: string;
  name: string;
}

async function main() {
  const config = loadConfig(process.env);
  const out = argument('out');
  const commit = argument('commit');
  const version = argument('version');
  if (existsSync(out)) throw new Error(`${out} exists already; remove it to record again`);
  const { code, sources: workflowSources } = await bundle();

  const prefix = uniqueKey('hist');
  const taskQueue = `${prefix}-queue`;
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    identity: IDENTITY,
  });
  const native = await NativeConnection.connect({ address: config.temporal.address });
  const recorded: Recorded[] = [];
  const started: Array<{ workflowId: string }> = [];
  try {
    const worker = await createLifecycleWorker({
      connection: native,
      namespace: config.temporal.namespace,
      taskQueue,
      graph,
      erasureSalt: config.erasure.salt,
      value: config.value,
      // Through the options, which workers of every version spread over their own.
      options: { identity: IDENTITY, workflowBundle: { code } },
    });
    await worker.runUntil(async () => {
      const scenarios = new Scenarios(client, graph, taskQueue, prefix, config.erasure.salt);
      await scenarios.fixtures();
      for (const run of [
        () => scenarios.deviceLifeWithInterventions(),
        () => scenarios.deviceContinueAsNew(),
        () => scenarios.journeyToPurchase(),
        () => scenarios.journeyLapsed(),
        () => scenarios.valueModel(),
        () => scenarios.erasure(),
      ]) {
        recorded.push(...(await run()));
      }
      started.push(...scenarios.started);
      mkdirSync(out, { recursive: true });
      const histories: HistoryEntryManifest[] = [];
      for (const r of recorded) {
        const { events, status } = await settledHistory(client, r.workflowId, r.runId);
        const file = `${r.workflowType}-${r.name}.json`;
        writeFileSync(join(out, file), `${historyToJson({ events })}\n`);
        histories.push({
          file,
          workflowType: r.workflowType,
          workflowId: r.workflowId,
          runId: r.runId,
          scenario: r.scenario,
          status,
          events: events.length,
        });
        console.log(`${file}: ${events.length} events, ${status}`);
      }
      const manifest: HistorySetManifest = {
        version,
        commit,
        recordedAt: new Date().toISOString(),
        sdk: (
          JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as {
            version: string;
          }
        ).version,
        workflowSources,
        histories,
      };
      writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      console.log(`Recorded ${histories.length} histories`);
    });
  } finally {
    for (const { workflowId } of started) {
      await client.workflow
        .getHandle(workflowId)
        .terminate('history recorded')
        .catch(() => undefined);
    }
    await removeFixtures(graph, prefix, [erasureIdOf(config.erasure.salt, `${prefix}-erased`)]);
    await native.close();
    await connection.close();
    await driver.close();
  }
}

/** Where a run stands, from its last event. */
function statusOf(events: HistoryEvent[]): string | null {
  const last = events[events.length - 1];
  if (!last) return null;
  if (last.workflowExecutionCompletedEventAttributes) return 'completed';
  if (last.workflowExecutionFailedEventAttributes) return 'failed';
  if (last.workflowExecutionContinuedAsNewEventAttributes) return 'continued-as-new';
  if (last.workflowExecutionCanceledEventAttributes) return 'cancelled';
  if (last.workflowExecutionTerminatedEventAttributes) return 'terminated';
  return null;
}

/**
 * A run's history once nothing is in flight: closed, or open with its last workflow task
 * completed and no activity running, so the recorded file ends where the code left off.
 */
async function settledHistory(client: Client, workflowId: string, runId: string) {
  return eventually(
    async () => {
      const events =
        (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
      const closed = statusOf(events);
      if (closed !== null) return { events, status: closed, settled: true };
      let lastCompleted = -1;
      let lastScheduled = -1;
      const activities = new Set<string>();
      events.forEach((e, i) => {
        if (e.workflowTaskCompletedEventAttributes) lastCompleted = i;
        if (e.workflowTaskScheduledEventAttributes) lastScheduled = i;
        if (e.activityTaskScheduledEventAttributes) activities.add(String(e.eventId));
        const done =
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes ??
          e.activityTaskCanceledEventAttributes;
        if (done) activities.delete(String(done.scheduledEventId));
      });
      return {
        events,
        status: 'open',
        settled: lastCompleted > lastScheduled && activities.size === 0,
      };
    },
    (h) => h.settled,
    STEP_MS,
  );
}

const signalsNamed = (events: HistoryEvent[], name: string) =>
  events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length;

const activitiesDone = (events: HistoryEvent[], type: string) => {
  const scheduled = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type)
      .map((e) => String(e.eventId)),
  );
  return events.filter(
    (e) =>
      e.activityTaskCompletedEventAttributes &&
      scheduled.has(String(e.activityTaskCompletedEventAttributes.scheduledEventId)),
  ).length;
};

/** The graph fixtures the scenarios need, all keyed under one prefix. */
class Scenarios {
  readonly started: Array<{ workflowId: string }> = [];
  private readonly sku: string;
  private readonly store: string;
  private readonly campaign: string;

  constructor(
    private readonly client: Client,
    private readonly graph: Graph,
    private readonly taskQueue: string,
    private readonly prefix: string,
    private readonly salt: string,
  ) {
    this.sku = `${prefix}-LJ`;
    this.store = `${prefix}-store`;
    this.campaign = `${prefix}-campaign`;
  }

  private id(name: string) {
    return `${this.prefix}-${name}`;
  }

  private eventId = 0;
  private event<T extends DeviceEvent['type']>(
    serial: string,
    type: T,
    fields: Omit<Extract<DeviceEvent, { type: T }>, 'eventId' | 'serial' | 'occurredAt' | 'type'>,
  ): DeviceEvent {
    this.eventId += 1;
    return {
      eventId: `${this.prefix}-e${this.eventId}`,
      serial,
      occurredAt: new Date().toISOString(),
      type,
      ...fields,
    } as DeviceEvent;
  }

  private journeyEvent<T extends JourneyEvent['type']>(
    customerId: string,
    type: T,
    fields: Omit<
      Extract<JourneyEvent, { type: T }>,
      'eventId' | 'customerId' | 'sku' | 'occurredAt' | 'type'
    >,
  ): JourneyEvent {
    this.eventId += 1;
    return {
      eventId: `${this.prefix}-e${this.eventId}`,
      customerId,
      sku: this.sku,
      occurredAt: new Date().toISOString(),
      type,
      ...fields,
    } as JourneyEvent;
  }

  /** A model, a store with an offer for it, customers with consents, and unsold devices. */
  async fixtures() {
    await this.graph.write(
      `CREATE (m:ProductModel {sku: $sku, name: 'History fixture model'})
       CREATE (s:Store {id: $store, name: 'History fixture store'})
       CREATE (o:Offer {id: $store + '-offer', active: true, amount: 50, validDays: 14})
       CREATE (o)-[:AT]->(s), (o)-[:FOR]->(m)
       WITH m
       UNWIND $customers AS c
       CREATE (:Customer {id: c, displayName: $name, createdAt: datetime()})
       WITH DISTINCT m
       UNWIND $customers AS c
       UNWIND [['TELEMETRY_USE', []], ['MARKETING_CONTACT', ['EMAIL']], ['LOCATION_OFFERS', []]] AS k
       CREATE (:Consent {customerId: c, purpose: k[0], granted: true, channels: k[1], updatedAt: datetime()})
       WITH DISTINCT m
       UNWIND $serials AS serial
       CREATE (:Device {serial: serial, sku: $sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
      {
        sku: this.sku,
        store: this.store,
        name: FIXTURE_NAME,
        customers: ['life', 'continued', 'journey', 'lapsed', 'erased'].map((n) => this.id(n)),
        serials: ['life', 'continued', 'erased'].map((n) => this.id(`serial-${n}`)),
      },
    );
  }

  private async startDevice(serial: string, input: Omit<DeviceLifecycleInput, 'serial'>) {
    const handle = await this.client.workflow.start(DEVICE_LIFECYCLE_WORKFLOW, {
      workflowId: deviceLifecycleWorkflowId(serial),
      taskQueue: this.taskQueue,
      args: [{ serial, ...input } satisfies DeviceLifecycleInput],
    });
    this.started.push(handle);
    return handle;
  }

  private until(
    handle: WorkflowHandle,
    what: string,
    done: (events: HistoryEvent[]) => boolean,
  ): Promise<unknown> {
    return eventually(async () => (await handle.fetchHistory()).events ?? [], done, STEP_MS).catch(
      (error: unknown) => {
        throw new Error(
          `${handle.workflowId}: waiting for ${what}: ${String(error).slice(0, 300)}`,
        );
      },
    );
  }

  private async untilStatus(id: string, status: string) {
    const handle = this.client.workflow.getHandle(id);
    await eventually(
      () => handle.query(interventionStatusQuery),
      (s) => s === status,
      STEP_MS,
    );
    return handle;
  }

  /**
   * A device from its sale to an opt-out: events one by one and in batches, a redelivery, the
   * installation-help timer, health checks, and three interventions (escalated by its timer and
   * resolved by an expert; confirmed by telemetry; asked for by the customer and cancelled by the
   * opt-out).
   */
  async deviceLifeWithInterventions(): Promise<Recorded[]> {
    const serial = this.id('serial-life');
    const customerId = this.id('life');
    const handle = await this.startDevice(serial, {
      timers: { installHelpAfterMs: 2_000, healthCheckEveryMs: 5_000, confirmFixWithinMs: 3_000 },
    });
    const purchase = this.event(serial, 'PURCHASED', {
      customerId,
      orderId: this.id('order-life'),
    });
    await handle.signal(deviceEventsSignal, [
      purchase,
      this.event(serial, 'SHIPMENT_UPDATE', { orderId: this.id('order-life') }),
    ]);
    await handle.signal(deviceEventSignal, purchase); // redelivered: dropped
    await handle.signal(
      deviceEventSignal,
      this.event(serial, 'DELIVERED', { orderId: this.id('order-life') }),
    );
    await this.until(
      handle,
      'installation help',
      (e) => activitiesDone(e, 'offerInstallationHelp') === 1,
    );
    await handle.signal(deviceEventsSignal, [
      this.event(serial, 'INSTALLED', {}),
      this.event(serial, 'FEEDBACK', {}),
    ]);
    await this.until(handle, 'a health check', (e) => activitiesDone(e, 'checkDeviceSilence') >= 1);

    // 1: predicted failure; nobody confirms the fix in time, so an expert takes it and resolves it.
    await handle.signal(
      deviceEventSignal,
      this.event(serial, 'HEALTH_CHANGE', { change: 'PREDICTED_FAILURE', failureRisk: 0.9 }),
    );
    const first = await this.untilStatus(interventionWorkflowId(serial, 1), 'ESCALATED');
    await first.signal(expertResolvedSignal, { note: null });
    await first.result();
    await this.until(handle, 'the first close', (e) => signalsNamed(e, 'interventionClosed') === 1);

    // 2: a failure, confirmed fixed by telemetry.
    await handle.signal(
      deviceEventSignal,
      this.event(serial, 'HEALTH_CHANGE', { change: 'FAILED', failureRisk: 1 }),
    );
    const second = await this.untilStatus(
      interventionWorkflowId(serial, 2),
      'AWAITING_CONFIRMATION',
    );
    await handle.signal(
      deviceEventSignal,
      this.event(serial, 'HEALTH_CHANGE', { change: 'RECOVERED', failureRisk: 0 }),
    );
    await second.result();
    await this.until(
      handle,
      'the second close',
      (e) => signalsNamed(e, 'interventionClosed') === 2,
    );

    // 3: the customer asks for an expert, then opts out while the case is open.
    await handle.signal(deviceEventSignal, this.event(serial, 'EXPERT_REQUESTED', {}));
    const third = await this.untilStatus(interventionWorkflowId(serial, 3), 'ESCALATED');
    await handle.signal(deviceEventSignal, this.event(serial, 'OPT_OUT', { customerId }));
    await handle.result();
    await third.result();

    const run = (workflowId: string, workflowType: string, name: string, scenario: string) =>
      this.latestRun(workflowId, workflowType, name, scenario);
    return Promise.all([
      run(
        handle.workflowId,
        DEVICE_LIFECYCLE_WORKFLOW,
        'life-with-interventions',
        'purchase to opt-out: single and batched event signals, a redelivery, the installation-help and health-check timers, three child interventions, their close signals and the cancellation of the open one',
      ),
      run(
        first.workflowId,
        'deviceIntervention',
        'escalated-resolved-by-expert',
        'predicted failure with a part: notified, not confirmed within its timer, escalated, resolved by an expert signal, parent told',
      ),
      run(
        second.workflowId,
        'deviceIntervention',
        'confirmed-by-telemetry',
        'failure with a part: notified, confirmed by a telemetry signal from the lifecycle, parent told',
      ),
      run(
        third.workflowId,
        'deviceIntervention',
        'cancelled-by-opt-out',
        'customer request: escalated at once, cancelled by the lifecycle ending',
      ),
    ]);
  }

  /** A device whose history outgrows its limit: the run that continued as new, and the next. */
  async deviceContinueAsNew(): Promise<Recorded[]> {
    const serial = this.id('serial-continued');
    const customerId = this.id('continued');
    const orderId = this.id('order-continued');
    const handle = await this.startDevice(serial, { historyLimit: 20 });
    await handle.signal(
      deviceEventSignal,
      this.event(serial, 'PURCHASED', { customerId, orderId }),
    );
    // Late purchase notices: recorded, stage unchanged; they grow the history past its limit.
    for (let i = 0; i < 8; i += 1) {
      await handle.signal(
        deviceEventSignal,
        this.event(serial, 'PURCHASED', { customerId, orderId }),
      );
    }
    await handle.signal(deviceEventSignal, this.event(serial, 'DELIVERED', { orderId }));
    const latest = this.client.workflow.getHandle(handle.workflowId);
    await eventually(
      async () => (await latest.describe()).runId,
      (runId) => runId !== handle.firstExecutionRunId,
      STEP_MS,
    );
    await latest.signal(deviceEventsSignal, [this.event(serial, 'INSTALLED', {})]);
    await eventually(
      () => latest.query(stageQuery),
      (s) => s === 'SUPPORT',
      STEP_MS,
    );
    const next = await latest.describe();
    return [
      {
        workflowType: DEVICE_LIFECYCLE_WORKFLOW,
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
        name: 'continued-as-new',
        scenario:
          'purchase, eight late notices and a delivery past a history limit of 20: continues as new with its state and the events still pending',
      },
      {
        workflowType: DEVICE_LIFECYCLE_WORKFLOW,
        workflowId: handle.workflowId,
        runId: next.runId,
        name: 'after-continue-as-new',
        scenario:
          'the run continued from the state carried over: installed, waiting for its health check',
      },
    ];
  }

  private async startJourney(customerId: string, input: Omit<JourneyInput, 'customerId' | 'sku'>) {
    const handle = await this.client.workflow.start(JOURNEY_WORKFLOW, {
      workflowId: journeyWorkflowId(customerId, this.sku),
      taskQueue: this.taskQueue,
      args: [{ customerId, sku: this.sku, ...input } satisfies JourneyInput],
    });
    this.started.push(handle);
    return handle;
  }

  /** Ad impression, click, proximity coupon, the retargeting timer, then the purchase. */
  async journeyToPurchase(): Promise<Recorded[]> {
    const customerId = this.id('journey');
    const handle = await this.startJourney(customerId, { timers: { retargetAfterMs: 2_000 } });
    await handle.signal(journeyEventsSignal, [
      this.journeyEvent(customerId, 'AD_IMPRESSION', { campaignId: this.campaign }),
      this.journeyEvent(customerId, 'AD_CLICK', { campaignId: this.campaign }),
    ]);
    await handle.signal(
      journeyEventSignal,
      this.journeyEvent(customerId, 'STORE_PROXIMITY', { storeId: this.store }),
    );
    await this.until(
      handle,
      'the retargeting offer',
      (e) => activitiesDone(e, 'sendRetargetingOffer') === 1,
    );
    await handle.signal(
      journeyEventSignal,
      this.journeyEvent(customerId, 'PURCHASED', {
        serial: this.id('serial-journey'),
        orderId: this.id('order-journey'),
      }),
    );
    await handle.result();
    return [
      await this.latestRun(
        handle.workflowId,
        JOURNEY_WORKFLOW,
        'to-purchase',
        'impression and click in a batch, a store visit with a coupon, the retargeting timer, the purchase that ends it',
      ),
    ];
  }

  /** One impression, then nothing until the journey lapses. */
  async journeyLapsed(): Promise<Recorded[]> {
    const customerId = this.id('lapsed');
    const handle = await this.startJourney(customerId, { timers: { journeyLapsesAfterMs: 2_000 } });
    await handle.signal(
      journeyEventSignal,
      this.journeyEvent(customerId, 'AD_IMPRESSION', { campaignId: this.campaign }),
    );
    await handle.result();
    return [
      await this.latestRun(
        handle.workflowId,
        JOURNEY_WORKFLOW,
        'lapsed',
        'an impression, then the lapse timer ends it',
      ),
    ];
  }

  /** A fit of a small population, and one of a population with nobody to fit. */
  async valueModel(): Promise<Recorded[]> {
    const population = `${this.prefix}-vm-`;
    const orders: Array<[string, string, number]> = [
      ['a', '2024-01-02', 10],
      ['a', '2024-02-10', 20],
      ['a', '2024-03-15', 30],
      ['b', '2024-01-20', 15],
      ['b', '2024-01-27', 25],
      ['c', '2024-02-01', 40],
    ];
    await this.graph.write(
      `UNWIND $orders AS o
       MERGE (c:Customer {id: $population + o[0]})
       CREATE (c)-[:PLACED]->(:Order {id: $population + o[0] + o[1], placedAt: datetime(o[1] + 'T00:00:00Z'), amount: o[2]})`,
      { orders, population },
    );
    const start = async (fitId: string, idPrefix: string) => {
      const input: ValueModelInput = {
        fitId,
        asOf: '2024-04-30',
        horizonDays: 90,
        population: { idPrefix },
      };
      const handle = await this.client.workflow.start(VALUE_MODEL_WORKFLOW, {
        workflowId: valueModelWorkflowId(fitId),
        taskQueue: this.taskQueue,
        args: [input],
      });
      await handle.result().catch(() => undefined);
      return handle;
    };
    const fit = await start(`${this.prefix}-fit`, population);
    const failed = await start(`${this.prefix}-fit-nobody`, `${this.prefix}-nobody-`);
    return Promise.all([
      this.latestRun(
        fit.workflowId,
        VALUE_MODEL_WORKFLOW,
        'fit',
        'fits three customers and stores their predictions',
      ),
      this.latestRun(
        failed.workflowId,
        VALUE_MODEL_WORKFLOW,
        'nobody-to-fit',
        'a population without purchases: the fit fails, the failure is recorded, the workflow fails',
      ),
    ]);
  }

  /** The erasure of a customer who owns a device whose lifecycle runs. */
  async erasure(): Promise<Recorded[]> {
    const customerId = this.id('erased');
    const serial = this.id('serial-erased');
    const erasureId = erasureIdOf(this.salt, customerId);
    const device = await this.startDevice(serial, {});
    await device.signal(
      deviceEventSignal,
      this.event(serial, 'PURCHASED', { customerId, orderId: this.id('order-erased') }),
    );
    await eventually(
      () => device.query(stageQuery),
      (s) => s === 'PURCHASED',
      STEP_MS,
    );
    await this.graph.write(
      `MATCH (c:Customer {id: $customerId}) SET c.erasureId = $erasureId
       CREATE (:Erasure {id: $erasureId, requestedAt: datetime(), reason: 'CUSTOMER_REQUEST'})`,
      { customerId, erasureId },
    );
    const handle = await this.client.workflow.start(ERASURE_WORKFLOW, {
      workflowId: erasureWorkflowId(erasureId),
      taskQueue: this.taskQueue,
      args: [{ erasureId }],
    });
    await handle.result();
    await device.result();
    return Promise.all([
      this.latestRun(
        handle.workflowId,
        ERASURE_WORKFLOW,
        'with-device',
        'every step in order for a customer with a device',
      ),
      this.latestRun(
        device.workflowId,
        DEVICE_LIFECYCLE_WORKFLOW,
        'opted-out-by-erasure',
        'a purchase, then the opt-out the erasure sends: the lifecycle ends',
      ),
    ]);
  }

  private async latestRun(
    workflowId: string,
    workflowType: string,
    name: string,
    scenario: string,
  ) {
    const { runId } = await this.client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId, workflowType, name, scenario };
  }
}

/** Removes what the scenarios made; every key of theirs contains the prefix. */
async function removeFixtures(graph: Graph, prefix: string, erasureIds: string[]) {
  await graph.write('MATCH (e:Erasure) WHERE e.id IN $erasureIds DETACH DELETE e', { erasureIds });
  await graph.write(
    `MATCH (n)
     WHERE (n:Customer OR n:Device OR n:ProductModel OR n:Store OR n:Offer OR n:Consent OR n:Order
            OR n:Touchpoint OR n:Intervention OR n:Coupon OR n:ValueModelFit OR n:LifecycleEvent)
       AND any(k IN ['id', 'serial', 'sku', 'customerId', 'key', 'eventId', 'code']
               WHERE n[k] IS :: STRING AND n[k] CONTAINS $prefix)
     DETACH DELETE n`,
    { prefix },
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
