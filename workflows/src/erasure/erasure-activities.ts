import { Context } from '@temporalio/activity';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { Graph } from '@experience-graph/neo4j';
import {
  DEVICE_LIFECYCLE_WORKFLOW,
  deviceEventSignal,
  deviceLifecycleWorkflowId,
  journeyWorkflowId,
  searchAttributes,
  type DeviceLifecycleInput,
  type ErasureInput,
  type ErasureStep,
} from '../contracts';
import type { HistoryEntry, LifecycleStage, LifecycleState } from '../lifecycle-machine';
import { anonymousEventId, erasedKeyHash } from '@experience-graph/erasure-keys';

/** A device whose lifecycle may name the person, with the interventions it had. */
export interface PersonDevice {
  serial: string;
  /** Workflow ids of its interventions, from the graph's cases. */
  interventions: string[];
  /**
   * A device of a model the person opted out of, which no longer links to them: its lifecycle is
   * replaced only when its history shows it was theirs.
   */
  former: boolean;
}

/** What a person's lifecycles in Temporal are, read from the graph before they are erased. */
export interface PersonLifecycles {
  customerId: string;
  /** Product models the person may have a journey with. */
  skus: string[];
  /** Devices the person owns or bought. */
  serials: string[];
  /** Those devices and the ones they may have had before an opt-out, with their cases. */
  devices?: PersonDevice[];
  /** Names the erasure in signals: its own id, never the person's. */
  erasureId: string;
  /** Ids of records merged into the person: the same person, with journeys of their own. */
  aliases?: string[];
}

/**
 * What the Temporal side of an erasure needs from the graph: a device's state to put its
 * lifecycle back from, and the outbox entries owed to a lifecycle to drop.
 */
export interface ErasureGraphSide {
  /** The device's lifecycle as the graph has it, nothing personal; null for an unknown serial. */
  restoredState(serial: string): Promise<LifecycleState | null>;
  /** Records a device whose lifecycle had to be terminated as opted out. */
  markOptedOut(serial: string): Promise<void>;
  /** Drops what is still owed to a lifecycle; fails while a relay is delivering to it. */
  forgetOwed(workflowId: string): Promise<void>;
}

/** How an erasure stops a person's lifecycles; an interface so the graph steps test alone. */
export interface ErasureLifecycles {
  stop(person: PersonLifecycles): Promise<{ journeys: number; devices: number }>;
}

export interface ErasureActivityDependencies {
  graph: Graph;
  /** The erasure salt of the configuration (ERASURE_SALT). */
  salt: string;
  /** Defaults to Temporal, through the worker's client. */
  lifecycles?: ErasureLifecycles;
}

/**
 * Touchpoint properties that are anonymous facts and survive an erasure; every other property
 * (comments, topics, codes, texts, handles, payload hashes, whatever a later payload adds) goes.
 * An allow-list, so a new personal field is erased without anyone remembering to list it here.
 */
export const ANONYMOUS_TOUCHPOINT_FIELDS = [
  'type',
  'occurredAt',
  'recordedAt',
  'channel',
  'delivery',
  'rating',
  'sentiment',
  'carrierStatus',
  'amount',
  'currency',
  'quantity',
] as const;

const PERSON = 'MATCH (c:Customer {erasureId: $erasureId})';

// The person's journey queues in the outbox (theirs and those of records merged into them),
// locked (a relay claims a queue under its lock too), with how many a relay is delivering from
// right now (a live lease).
const LOCK_JOURNEY_QUEUES = `
MATCH (q:SignalQueue) WHERE any(p IN $journeyPrefixes WHERE q.workflowId STARTS WITH p)
SET q.erasing = true
RETURN count(CASE WHEN q.lease IS NOT NULL AND q.dueAt > timestamp() THEN 1 END) AS busy`;

// The outbox entries that concern the person alone, dropped: their journeys' queues and signals,
// and signals to device lifecycles that carry their id (or a merged record's) or one of their
// orders (a purchase, its shipment and delivery, an opt-out). Signals their touchpoints raised
// to lifecycles of anyone else are kept, renamed when the touchpoints are anonymised.
const FORGET_OWED_SIGNALS = `
CALL () {
  MATCH (s:OwedSignal)
  WHERE any(p IN $journeyPrefixes WHERE s.workflowId STARTS WITH p)
     OR any(n IN $named WHERE s.event CONTAINS n)
  DETACH DELETE s
}
MATCH (q:SignalQueue) WHERE any(p IN $journeyPrefixes WHERE q.workflowId STARTS WITH p)
DETACH DELETE q`;

// Devices of a model the person opted out of lost every link to them; those that ended opted
// out with no owner may have been theirs, and their lifecycles' histories say whether.
const LIFECYCLES = `${PERSON}
WITH c, COLLECT {
    MATCH (c)-[:OWNS]->(d:Device) RETURN d.serial AS serial
    UNION MATCH (c)-[:PLACED]->(:Order)-[:CONTAINS]->(d:Device) RETURN d.serial AS serial
    UNION MATCH (c)-[:HAD]->(:Touchpoint)-[:ABOUT_DEVICE]->(d:Device) RETURN d.serial AS serial
  } AS serials
RETURN c.id AS customerId, serials,
  [(m:MergedCustomer)-[:MERGED_INTO*1..]->(c) | m.id] AS aliases,
  [(c)-[:PLACED]->(o:Order) | o.id] AS orders,
  COLLECT {
    MATCH (c)-[:JOURNEY]->(m:ProductModel) RETURN m.sku AS sku
    UNION MATCH (c)-[:HAD]->(:Touchpoint)-[:ABOUT]->(m:ProductModel) RETURN m.sku AS sku
    UNION UNWIND coalesce(c.optedOutSkus, []) AS sku RETURN sku
  } AS skus,
  COLLECT {
    UNWIND coalesce(c.optedOutSkus, []) AS sku
    MATCH (d:Device {sku: sku})
    WHERE d.stage = 'OPTED_OUT' AND NOT d.serial IN serials AND NOT EXISTS { (:Customer)-[:OWNS]->(d) }
    RETURN DISTINCT d.serial AS serial
  } AS formerSerials`;

const INTERVENTIONS_OF = `
UNWIND $serials AS serial
MATCH (i:Intervention)-[:FOR]->(:Device {serial: serial})
RETURN serial, collect(coalesce(i.workflowId, i.id)) AS workflowIds`;

// The lifecycle an erasure puts back: the device's stages and their times, as the lifecycle
// wrote them to the graph, and how many cases it had; no owner, no order, no event ids.
const RESTORED_STATE = `
MATCH (d:Device {serial: $serial})
RETURN d.stage AS stage, coalesce(d.stageSequence, 0) AS sequence,
  COUNT { (:Intervention)-[:FOR]->(d) } AS interventions,
  [i IN range(0, size(coalesce(d.stageHistory, [])) - 1) |
     {stage: d.stageHistory[i], at: toString(d.stageHistoryAt[i])}] AS stages`;

// A lifecycle that did not take the erasure's opt-out (it was terminated) is recorded as the
// opt-out would have recorded it, so the intake owes it nothing more.
const MARK_OPTED_OUT = `
MATCH (d:Device {serial: $serial})
WHERE d.stage IS NULL OR NOT d.stage IN ['OPTED_OUT', 'RETIRED']
SET d.stageHistory = coalesce(d.stageHistory, []) + ['OPTED_OUT'],
    d.stageHistoryAt = coalesce(d.stageHistoryAt, []) + [datetime()],
    d.stage = 'OPTED_OUT', d.stageChangedAt = datetime(),
    d.stageSequence = coalesce(d.stageSequence, 0) + 1`;

const LOCK_QUEUE = `
MATCH (q:SignalQueue {workflowId: $workflowId})
SET q.erasing = true
RETURN count(CASE WHEN q.lease IS NOT NULL AND q.dueAt > timestamp() THEN 1 END) AS busy`;

const FORGET_QUEUE = `
CALL () { MATCH (s:OwedSignal {workflowId: $workflowId}) DETACH DELETE s }
MATCH (q:SignalQueue {workflowId: $workflowId})
DETACH DELETE q`;

// Aggregates count people: a funnel counts who saw, clicked and bought, attribution shares an
// order among its buyer's touches, another person's referral value counts everyone down their
// chain. So an erased person leaves an anonymous placeholder: no id, no name, only the
// referral links, their orders and (from the next step) their anonymised touchpoints. While
// the erasure runs it carries the erasure id, so each step finds it; completion removes that.
const KEEP_REFERRAL_CHAINS = `${PERSON}
WHERE EXISTS { ()-[:REFERRED]->(c) } OR EXISTS { (c)-[:REFERRED]->() }
   OR EXISTS { (c)-[:PLACED]->() } OR EXISTS { (c)-[:HAD]->() }
MERGE (p:ErasedPerson {erasureId: $erasureId})
WITH c, p
CALL (c, p) {
  MATCH (r)-[old:REFERRED]->(c)
  CREATE (r)-[:REFERRED {at: old.at, sku: old.sku}]->(p)
  DELETE old
}
CALL (c, p) {
  MATCH (c)-[old:REFERRED]->(x)
  CREATE (p)-[:REFERRED {at: old.at, sku: old.sku}]->(x)
  DELETE old
}
CALL (c, p) {
  MATCH (c)-[old:PLACED]->(o:Order)
  CREATE (p)-[:PLACED]->(o)
  DELETE old
}
RETURN count(p) AS placeholders`;

// Event ids are unique per sender only: two senders' touchpoints may share one, and the pair
// is anonymised by one row (the key naming the sender goes with the other properties).
const TOUCHPOINTS_OF = `${PERSON}
MATCH (c)-[:HAD]->(t:Touchpoint)
RETURN t.eventId AS eventId, collect(DISTINCT t.key) AS keys`;

// A touchpoint's lifecycle signals carry its key (the sender's event id) as their event id. Those
// still owed, to anyone's lifecycle, are renamed with the touchpoint in one transaction: first
// their queues are locked, as a relay claims them, and one a relay is delivering from right now
// fails the step, which is retried once that delivery is over.
const LOCK_OWED_OF_TOUCHPOINTS = `
MATCH (s:OwedSignal) WHERE s.eventId IN $keys
WITH DISTINCT s.lane AS lane, s.workflowId AS workflowId
MATCH (q:SignalQueue {lane: lane, workflowId: workflowId})
SET q.erasing = true
RETURN count(CASE WHEN q.lease IS NOT NULL AND q.dueAt > timestamp() THEN 1 END) AS busy`;

// One pass over the owed signals, however many touchpoints the person had.
const RENAME_OWED_OF_TOUCHPOINTS = `
MATCH (s:OwedSignal) WHERE s.eventId IN $keys
WITH s, [o IN $owed WHERE o.key = s.eventId][0] AS o
SET s.eventId = o.anonymousId, s.event = replace(s.event, o.from, o.to)`;

// The touchpoints stay with the person's placeholder, so the funnels that counted the person
// still do.
const ANONYMISE_TOUCHPOINTS = `
UNWIND $touchpoints AS x
MATCH (c:Customer {erasureId: $erasureId})-[h:HAD]->(t:Touchpoint {eventId: x.eventId})
MERGE (p:ErasedPerson {erasureId: $erasureId})
SET t = {eventId: x.anonymousId, ${ANONYMOUS_TOUCHPOINT_FIELDS.map((f) => `${f}: t.${f}`).join(', ')}}
MERGE (p)-[:HAD]->(t)
DELETE h
RETURN count(t) AS anonymised`;

// Identifiers only this person had are hashed into the tombstone, so events carrying them are
// dropped later. A shared one (a family tablet) is someone else's too: only the link goes. So is
// one that anybody else has presented, even if it is linked to this person alone: a kiosk phone
// typed by a stranger, refused for them by the identity rules, is remembered as seen with them
// (`seenWith`), and a tombstone would reject that stranger's later events. The person's own ids
// are theirs and the ids of records merged into them.
const OWN_IDENTIFIERS = `${PERSON}
WITH c, [c.id] + [(m:MergedCustomer)-[:MERGED_INTO*1..]->(c) | m.id] AS selves
MATCH (c)-[:IDENTIFIED_BY]->(i:Identifier)
RETURN i.key AS key,
  COUNT { (:Customer)-[:IDENTIFIED_BY]->(i) } = 1 AND coalesce(i.shared, false) = false
  AND all(seen IN coalesce(i.seenWith, []) WHERE seen IN selves) AS own`;

const REMEMBER_IDENTIFIERS = `
MATCH (e:Erasure {id: $erasureId})
UNWIND $hashes AS h
MERGE (k:ErasedKey {hash: h}) ON CREATE SET k.kind = 'identifier'
MERGE (e)-[:ERASED]->(k)`;

const DELETE_IDENTIFIERS = `${PERSON}
MATCH (c)-[r:IDENTIFIED_BY]->(i:Identifier)
WITH i, r, i.key IN $ownKeys AS own
DELETE r
WITH i, own WHERE own
DETACH DELETE i`;

// What exists only because of this person: consents (linked or keyed by their id), volunteered
// preferences and consent history, coupons issued to them. A node another customer is linked to
// too is theirs as well, and stays (the person's own link goes with the customer node).
const DELETE_PERSONAL_NODES = `${PERSON}
CALL (c) {
  MATCH (c)-[:GAVE|VOLUNTEERED]->(x)
  WHERE NOT EXISTS { (x)--(o:Customer) WHERE o <> c }
  DETACH DELETE x
}
CALL (c) { MATCH (x:Consent|ConsentChange|Preference) WHERE x.customerId = c.id DETACH DELETE x }
CALL (c) {
  MATCH (c)--(x:ConsentChange|Preference)
  WHERE NOT EXISTS { (x)--(o:Customer) WHERE o <> c }
  DETACH DELETE x
}
CALL (c) { MATCH (x:Coupon)-[:ISSUED_TO]->(c) DETACH DELETE x }
// Value-model fits name the first few customers they skipped, in three parallel lists.
CALL (c) {
  MATCH (f:ValueModelFit) WHERE c.id IN coalesce(f.skippedExampleIds, [])
  WITH f, [i IN range(0, size(f.skippedExampleIds) - 1) WHERE f.skippedExampleIds[i] <> c.id] AS keep
  SET f.skippedExampleIds = [i IN keep | f.skippedExampleIds[i]],
      f.skippedExampleReasons = [i IN keep | f.skippedExampleReasons[i]],
      f.skippedExampleMessages = [i IN keep | f.skippedExampleMessages[i]]
}
// Identity records: the records merged into them (the same person under other ids), the merge
// records and consent snapshots naming any of those ids, and their ids in identifier sightings.
CALL (c) {
  OPTIONAL MATCH (m:MergedCustomer)-[:MERGED_INTO*1..]->(c)
  WITH c, [c.id] + collect(m.id) AS ids, collect(m) AS absorbed
  CALL (ids) {
    MATCH (g:Merge) WHERE g.survivorId IN ids OR g.absorbedId IN ids
    OPTIONAL MATCH (g)-[:KEPT]->(k)
    DETACH DELETE k, g
  }
  CALL (ids) {
    MATCH (i:Identifier) WHERE any(x IN coalesce(i.seenWith, []) WHERE x IN ids)
    SET i.seenWith = [x IN i.seenWith WHERE NOT x IN ids]
  }
  FOREACH (m IN absorbed | DETACH DELETE m)
}
RETURN c.id IS NOT NULL AS done`;

// Every remaining relationship goes with the node: devices owned, journeys, segments (orders,
// referrals and touchpoints moved to the placeholder). A touchpoint that arrived after the
// anonymising step stops the delete, so the retry anonymises it first. Placeholders of earlier
// erasures in this person's chain stay: they hold what aggregates count.
const DELETE_CUSTOMER = `${PERSON}
WHERE NOT EXISTS { (c)-[:HAD]->() }
DETACH DELETE c
RETURN 1 AS deleted`;

const COMPLETE = `
MATCH (e:Erasure {id: $erasureId})
WHERE NOT EXISTS { MATCH (:Customer {erasureId: $erasureId}) }
SET e.completedAt = coalesce(e.completedAt, datetime())
WITH e
CALL (e) { MATCH (p:ErasedPerson {erasureId: e.id}) REMOVE p.erasureId }
RETURN toString(e.completedAt) AS completedAt`;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'WorkflowNotFoundError' || /not found|already completed/i.test(error.message))
  );
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** How long a lifecycle gets to take the erasure's opt-out and end before it is terminated. */
const CLOSE_WITHIN_MS = 60_000;
const POLL_MS = 500;

async function pause(ms: number): Promise<void> {
  try {
    await Context.current().sleep(ms);
  } catch (error) {
    // Outside an activity (a test calling the steps directly) there is no context to sleep in.
    if (error instanceof Error && /context/i.test(error.message)) {
      await new Promise((resolve) => setTimeout(resolve, ms));
    } else throw error;
  }
}

async function isRunning(handle: WorkflowHandle): Promise<boolean> {
  try {
    return (await handle.describe()).status.name === 'RUNNING';
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Waits for an execution to close; false when it still runs at the deadline. */
async function closed(handle: WorkflowHandle, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (!(await isRunning(handle))) return true;
    if (Date.now() >= deadline) return false;
    await pause(POLL_MS);
  }
}

async function terminate(handle: WorkflowHandle): Promise<void> {
  try {
    await handle.terminate('erasure');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** The input a run was started with, decoded; undefined when it has none or is gone. */
async function inputOf(client: Client, workflowId: string, runId: string): Promise<unknown> {
  try {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const payload =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Every run Temporal still has of a workflow id: the current one, those visibility lists, and
 * the continue-as-new chain behind each (visibility may lag behind a run that just closed).
 */
async function runsOf(client: Client, workflowId: string): Promise<string[]> {
  const runs = new Set<string>();
  try {
    runs.add((await client.workflow.getHandle(workflowId).describe()).runId);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  for await (const w of client.workflow.list({ query: `WorkflowId = ${quote(workflowId)}` })) {
    runs.add(w.runId);
  }
  const queue = [...runs];
  while (queue.length > 0) {
    const runId = queue.pop() as string;
    try {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      for (const previous of [started?.continuedExecutionRunId, started?.firstExecutionRunId]) {
        if (previous && !runs.has(previous)) {
          runs.add(previous);
          queue.push(previous);
        }
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return [...runs];
}

/**
 * Every payload in a history, decoded. History events are protobuf messages whose JSON form
 * turns payload bytes into base64, so they are walked as objects, not stringified.
 */
function decodedPayloads(value: unknown, out: string[] = [], seen = new Set<object>()): string[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (seen.has(value)) return out;
  seen.add(value);
  const v = value as { metadata?: unknown; data?: unknown };
  if (typeof v.metadata === 'object' && v.metadata !== null && 'encoding' in v.metadata) {
    try {
      out.push(JSON.stringify(defaultPayloadConverter.fromPayload(value as never)) ?? '');
    } catch {
      if (v.data instanceof Uint8Array) out.push(Buffer.from(v.data).toString('utf8'));
    }
    return out;
  }
  for (const x of Array.isArray(value) ? value : Object.values(value)) {
    decodedPayloads(x, out, seen);
  }
  return out;
}

/** Whether any run of a workflow names the person: a decoded payload of its history holds their id. */
async function namesPerson(client: Client, workflowId: string, names: string[]) {
  for (const runId of await runsOf(client, workflowId)) {
    const history = await client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory()
      .catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      });
    // Ids are JSON strings in the decoded payloads: matched whole, not as part of another id.
    const texts = decodedPayloads(history);
    const needles = names.map((name) => JSON.stringify(name));
    if (texts.some((text) => needles.some((needle) => text.includes(needle)))) return true;
  }
  return false;
}

/** The child workflows (interventions) that runs of a workflow started. */
async function childrenOf(client: Client, workflowId: string, runIds: string[]) {
  const children = new Set<string>();
  for (const runId of runIds) {
    const history = await client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory()
      .catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      });
    for (const event of history?.events ?? []) {
      const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (child) children.add(child);
    }
  }
  return [...children];
}

/** Deletes runs; Temporal removes them (and their visibility records) in the background. */
async function deleteRuns(client: Client, workflowId: string, runIds: string[]): Promise<number> {
  let deleted = 0;
  for (const runId of runIds) {
    try {
      await client.workflowService.deleteWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId, runId },
      });
      deleted += 1;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return deleted;
}

function restoredInput(state: LifecycleState): DeviceLifecycleInput {
  return { serial: state.serial, state, pending: [], restoredFromGraph: true };
}

const isRestored = (input: unknown) =>
  typeof input === 'object' &&
  input !== null &&
  (input as DeviceLifecycleInput).restoredFromGraph === true;

/**
 * The Temporal side of an erasure, through the worker's client. Temporal keeps every input,
 * signal, activity call and search-attribute change in a history, and a history cannot be
 * edited: so every execution that ever named the person is deleted, and what must stay
 * visible is put back from the graph's state, which the erasure anonymises.
 *
 * - Journeys of the person: terminated, every run deleted (their ids name the person).
 * - Devices they own, bought or touched, and devices of a model they opted out of whose
 *   history names them: the lifecycle gets an opt-out (so it drops the owner, cancels an open
 *   intervention and records OPTED_OUT, as an opt-out does), or is terminated if it does not
 *   end in time; what is still owed to it in the outbox is dropped; every run of it and of its
 *   interventions is deleted; and a closed lifecycle is started in its place from the graph's
 *   state of the device (stages and their times, no owner, no order, no event id), so the
 *   serial stays findable in the Web UI and a late signal does not start it again.
 */
export function temporalErasureLifecycles(
  client: () => Client,
  graphSide?: ErasureGraphSide,
): ErasureLifecycles {
  return {
    async stop({ customerId, skus, serials, devices, erasureId, aliases = [] }) {
      const c = client();
      const names = [customerId, ...aliases];
      const ids = new Set(names.flatMap((name) => skus.map((sku) => journeyWorkflowId(name, sku))));
      // Journeys with models the graph no longer links to the person are found by attribute.
      for (const name of names) {
        for await (const w of c.workflow.list({ query: `CustomerId = ${quote(name)}` })) {
          if (w.workflowId.startsWith('journey:')) ids.add(w.workflowId);
        }
      }
      let journeys = 0;
      for (const workflowId of ids) {
        await terminate(c.workflow.getHandle(workflowId));
        journeys += await deleteRuns(c, workflowId, await runsOf(c, workflowId));
      }

      let replaced = 0;
      const all: PersonDevice[] =
        devices ?? serials.map((serial) => ({ serial, interventions: [], former: false }));
      for (const device of all) {
        const workflowId = deviceLifecycleWorkflowId(device.serial);
        const runs = await runsOf(c, workflowId);
        const inputs = await Promise.all(runs.map((runId) => inputOf(c, workflowId, runId)));
        const personal = runs.filter((_, i) => !isRestored(inputs[i]));
        if (personal.length === 0) continue; // never ran, or already put back
        if (device.former && !(await namesPerson(c, workflowId, names))) continue;

        const handle = c.workflow.getHandle(workflowId);
        const current = await handle.describe().then(
          (d) => d.runId,
          (error: unknown) => {
            if (isNotFound(error)) return null;
            throw error;
          },
        );
        const putBack = current !== null && isRestored(inputs[runs.indexOf(current)]);
        if (await isRunning(handle)) {
          // The lifecycle knows its owner by the id it was sold to (an absorbed id after a merge).
          const owner =
            (await handle.describe()).typedSearchAttributes.get(searchAttributes.customerId) ??
            customerId;
          await handle
            .signal(deviceEventSignal, {
              eventId: `erasure:${erasureId}:${device.serial}`,
              occurredAt: new Date().toISOString(),
              serial: device.serial,
              type: 'OPT_OUT',
              customerId: owner,
            })
            .catch((error: unknown) => {
              if (!isNotFound(error)) throw error;
            });
          if (!(await closed(handle, CLOSE_WITHIN_MS))) {
            await terminate(handle);
            await graphSide?.markOptedOut(device.serial);
          }
        }
        // Cases the graph knows, and any the lifecycle started before the graph heard of them.
        const cases = new Set([
          ...device.interventions,
          ...(await childrenOf(c, workflowId, personal)),
        ]);
        for (const interventionId of cases) {
          const intervention = c.workflow.getHandle(interventionId);
          if (!(await closed(intervention, CLOSE_WITHIN_MS))) await terminate(intervention);
          await deleteRuns(c, interventionId, await runsOf(c, interventionId));
        }
        await graphSide?.forgetOwed(workflowId);
        await deleteRuns(c, workflowId, personal);
        const state = putBack ? null : await graphSide?.restoredState(device.serial);
        if (state) {
          await c.workflow.start(DEVICE_LIFECYCLE_WORKFLOW, {
            workflowId,
            taskQueue: Context.current().info.taskQueue,
            args: [restoredInput(state)],
            typedSearchAttributes: [
              { key: searchAttributes.serial, value: device.serial },
              ...(state.stage ? [{ key: searchAttributes.stage, value: state.stage }] : []),
            ],
          });
        }
        replaced += 1;
      }
      return { journeys, devices: replaced };
    },
  };
}

const FINAL: readonly string[] = ['OPTED_OUT', 'RETIRED'];

/** The graph side of the Temporal steps. */
export function erasureGraphSide(graph: Graph): ErasureGraphSide {
  return {
    async restoredState(serial) {
      const [row] = await graph.read<{
        stage: LifecycleStage | null;
        sequence: number;
        interventions: number;
        stages: Array<{ stage: LifecycleStage; at: string }>;
      }>(RESTORED_STATE, { serial });
      if (!row) return null;
      const stage: LifecycleStage =
        row.stage !== null && FINAL.includes(row.stage) ? row.stage : 'OPTED_OUT';
      const history: HistoryEntry[] = row.stages.map((s, i) => ({
        eventId: `stage:${i + 1}`,
        type: 'STAGE',
        occurredAt: s.at,
        outcome: 'advanced',
        stage: s.stage,
        note: 'restored from the graph after an erasure',
      }));
      return {
        serial,
        stage,
        customerId: null,
        orderId: null,
        deliveredAt: null,
        installHelpOffered: true,
        openInterventionId: null,
        interventions: row.interventions,
        sequence: row.sequence,
        recentEventIds: [],
        history,
      };
    },
    async markOptedOut(serial) {
      await graph.write(MARK_OPTED_OUT, { serial });
    },
    async forgetOwed(workflowId) {
      await graph.transaction(async (tx) => {
        const [row] = await tx.run<{ busy: number }>(LOCK_QUEUE, { workflowId });
        if ((row?.busy ?? 0) > 0) {
          throw new Error('A relay is delivering to a lifecycle of this person; retrying');
        }
        await tx.run(FORGET_QUEUE, { workflowId });
      });
    },
  };
}

/**
 * The steps of an erasure as activities. Each takes only the erasure id, finds the person by
 * the mark the request left on them, and is idempotent: run again, it finds its work done.
 * Results carry counts only, since Temporal keeps them in the erasure's history.
 */
export function createErasureActivities(deps: ErasureActivityDependencies) {
  const { graph, salt } = deps;
  const lifecycles =
    deps.lifecycles ??
    temporalErasureLifecycles(() => Context.current().client, erasureGraphSide(graph));

  const steps = {
    async stopLifecycles({ erasureId }: ErasureInput) {
      const [person] = await graph.read<{
        customerId: string;
        aliases: string[];
        orders: string[];
        skus: string[];
        serials: string[];
        formerSerials: string[];
      }>(LIFECYCLES, { erasureId });
      if (!person) return { journeys: 0, devices: 0 };
      const cases = await graph.read<{ serial: string; workflowIds: string[] }>(INTERVENTIONS_OF, {
        serials: [...person.serials, ...person.formerSerials],
      });
      const interventions = new Map(cases.map((r) => [r.serial, r.workflowIds]));
      const devices: PersonDevice[] = [
        ...person.serials.map((serial) => ({ serial, former: false })),
        ...person.formerSerials.map((serial) => ({ serial, former: true })),
      ].map((d) => ({ ...d, interventions: interventions.get(d.serial) ?? [] }));
      // Signals still owed to their lifecycles go first, so that no relay starts one again
      // with their id once it is stopped.
      // A relay delivering to one of their journeys now could start it again after it stops:
      // the step fails, and is retried, until that delivery is over.
      const people = [person.customerId, ...person.aliases];
      const params = {
        journeyPrefixes: people.map((id) => `journey:${id}:`),
        named: [
          ...people.map((customerId) => JSON.stringify({ customerId }).slice(1, -1)),
          ...person.orders.map((orderId) => JSON.stringify({ orderId }).slice(1, -1)),
        ],
      };
      await graph.transaction(async (tx) => {
        const [row] = await tx.run<{ busy: number }>(LOCK_JOURNEY_QUEUES, params);
        if ((row?.busy ?? 0) > 0) {
          throw new Error('A relay is delivering to a journey of this person; retrying');
        }
        await tx.run(FORGET_OWED_SIGNALS, params);
      });
      return lifecycles.stop({
        customerId: person.customerId,
        skus: person.skus,
        serials: person.serials,
        devices,
        erasureId,
        aliases: person.aliases,
      });
    },

    async keepReferralChains({ erasureId }: ErasureInput) {
      const [row] = await graph.write<{ placeholders: number }>(KEEP_REFERRAL_CHAINS, {
        erasureId,
      });
      return { placeholders: row?.placeholders ?? 0 };
    },

    async anonymiseTouchpoints({ erasureId }: ErasureInput) {
      return graph.transaction(async (tx) => {
        const rows = await tx.run<{ eventId: string; keys: string[] }>(TOUCHPOINTS_OF, {
          erasureId,
        });
        const touchpoints = rows.map(({ eventId }) => ({
          eventId,
          anonymousId: anonymousEventId(salt, eventId),
        }));
        const owed = rows.flatMap(({ eventId, keys }) =>
          keys.map((key) => {
            const anonymousId = anonymousEventId(salt, eventId);
            return {
              key,
              anonymousId,
              // How the id appears in the signal's JSON (`oweSignals` stores JSON.stringify).
              from: `"eventId":${JSON.stringify(key)}`,
              to: `"eventId":${JSON.stringify(anonymousId)}`,
            };
          }),
        );
        if (owed.length > 0) {
          const keys = owed.map((o) => o.key);
          const [lock] = await tx.run<{ busy: number }>(LOCK_OWED_OF_TOUCHPOINTS, { keys });
          if ((lock?.busy ?? 0) > 0) {
            throw new Error('A relay is delivering a signal of this person; retrying');
          }
          await tx.run(RENAME_OWED_OF_TOUCHPOINTS, { keys, owed });
        }
        const [row] = await tx.run<{ anonymised: number }>(ANONYMISE_TOUCHPOINTS, {
          erasureId,
          touchpoints,
        });
        return { anonymised: row?.anonymised ?? 0 };
      });
    },

    async forgetIdentifiers({ erasureId }: ErasureInput) {
      const rows = await graph.read<{ key: string; own: boolean }>(OWN_IDENTIFIERS, { erasureId });
      const ownKeys = rows.filter((r) => r.own).map((r) => r.key);
      // The hashes land before the identifiers go: an interruption in between only repeats.
      await graph.write(REMEMBER_IDENTIFIERS, {
        erasureId,
        hashes: ownKeys.map((k) => erasedKeyHash(salt, 'identifier', k)),
      });
      await graph.write(DELETE_IDENTIFIERS, { erasureId, ownKeys });
      return { identifiers: rows.length };
    },

    async deletePersonalNodes({ erasureId }: ErasureInput) {
      await graph.write(DELETE_PERSONAL_NODES, { erasureId });
      return {};
    },

    async deleteCustomer({ erasureId }: ErasureInput) {
      const [person] = await graph.read<{ left: boolean }>(`${PERSON} RETURN true AS left`, {
        erasureId,
      });
      if (!person) return { deleted: false };
      const rows = await graph.write(DELETE_CUSTOMER, { erasureId });
      if (rows.length === 0) {
        // A touchpoint arrived after the anonymising step: do it again, then delete.
        await steps.anonymiseTouchpoints({ erasureId });
        const again = await graph.write(DELETE_CUSTOMER, { erasureId });
        if (again.length === 0) throw new Error('The customer being erased still has touchpoints');
      }
      return { deleted: true };
    },

    async completeErasure({ erasureId }: ErasureInput) {
      const [row] = await graph.write<{ completedAt: string }>(COMPLETE, { erasureId });
      if (!row) {
        throw ApplicationFailure.nonRetryable(
          `Erasure ${erasureId} has no tombstone, or its customer is still in the graph`,
          'ErasureIncomplete',
        );
      }
      return { completedAt: row.completedAt };
    },
  } satisfies Record<ErasureStep, (input: ErasureInput) => Promise<unknown>>;
  return withoutNames(steps);
}

/**
 * A failed attempt's message lands in the erasure's history (as the last failure of the
 * activity), and errors from Temporal or the graph may quote a workflow id or a parameter that
 * names the person: the worker's log gets the error, the history only the step and the kind.
 */
function withoutNames<T extends Record<ErasureStep, (input: ErasureInput) => Promise<unknown>>>(
  steps: T,
): T {
  const guarded = Object.fromEntries(
    Object.entries(steps).map(([name, step]) => [
      name,
      async (input: ErasureInput) => {
        try {
          return await step(input);
        } catch (error) {
          if (error instanceof ApplicationFailure) throw error;
          logFailure(name, input.erasureId, error);
          const kind = error instanceof Error ? error.name : typeof error;
          throw ApplicationFailure.retryable(
            `Erasure step ${name} failed (${kind}); retrying. The worker's log has the cause.`,
            'ErasureStepFailed',
          );
        }
      },
    ]),
  );
  return guarded as T;
}

function logFailure(step: string, erasureId: string, error: unknown): void {
  try {
    Context.current().log.warn('Erasure step failed', { step, erasureId, error });
  } catch {
    // Outside an activity: nothing to log to.
  }
}

export type ErasureActivities = ReturnType<typeof createErasureActivities>;
