import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Graph } from '@experience-graph/neo4j';
import {
  deviceEventSignal,
  deviceLifecycleWorkflowId,
  journeyWorkflowId,
  type ErasureInput,
  type ErasureStep,
} from '../contracts';
import { anonymousEventId, erasedKeyHash } from '@experience-graph/erasure-keys';

/** What a person's lifecycles in Temporal are, read from the graph before they are erased. */
export interface PersonLifecycles {
  customerId: string;
  /** Product models the person may have a journey with. */
  skus: string[];
  /** Devices the person owns or bought. */
  serials: string[];
  /** Names the erasure in signals: its own id, never the person's. */
  erasureId: string;
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

// The person's journey queues in the outbox, locked (a relay claims a queue under its lock too),
// with how many a relay is delivering from right now (a live lease).
const LOCK_JOURNEY_QUEUES = `
MATCH (q:SignalQueue) WHERE q.workflowId STARTS WITH $journeyPrefix
SET q.erasing = true
RETURN count(CASE WHEN q.lease IS NOT NULL AND q.dueAt > timestamp() THEN 1 END) AS busy`;

// The outbox entries that name the person: their journeys' queues and signals, and signals to
// their devices' lifecycles that carry their id (a purchase, an opt-out).
const FORGET_OWED_SIGNALS = `
CALL () {
  MATCH (s:OwedSignal)
  WHERE s.workflowId STARTS WITH $journeyPrefix OR s.event CONTAINS $named
  DETACH DELETE s
}
MATCH (q:SignalQueue) WHERE q.workflowId STARTS WITH $journeyPrefix
DETACH DELETE q`;

const LIFECYCLES = `${PERSON}
RETURN c.id AS customerId,
  COLLECT {
    MATCH (c)-[:JOURNEY]->(m:ProductModel) RETURN m.sku AS sku
    UNION MATCH (c)-[:HAD]->(:Touchpoint)-[:ABOUT]->(m:ProductModel) RETURN m.sku AS sku
    UNION UNWIND coalesce(c.optedOutSkus, []) AS sku RETURN sku
  } AS skus,
  COLLECT {
    MATCH (c)-[:OWNS]->(d:Device) RETURN d.serial AS serial
    UNION MATCH (c)-[:PLACED]->(:Order)-[:CONTAINS]->(d:Device) RETURN d.serial AS serial
  } AS serials`;

// Another person's referral value counts everyone down their chain, so an erased person with a
// referrer leaves an anonymous placeholder in the chain: no id, no name, only the links and
// their orders (amounts, for the value of the people upstream). Without a referrer nobody's
// value depends on them, and nothing stays.
const KEEP_REFERRAL_CHAINS = `${PERSON}
WHERE EXISTS { ()-[:REFERRED]->(c) }
CREATE (p:ErasedPerson)
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
RETURN DISTINCT t.eventId AS eventId`;

const ANONYMISE_TOUCHPOINTS = `
UNWIND $touchpoints AS x
MATCH (c:Customer {erasureId: $erasureId})-[h:HAD]->(t:Touchpoint {eventId: x.eventId})
SET t = {eventId: x.anonymousId, ${ANONYMOUS_TOUCHPOINT_FIELDS.map((f) => `${f}: t.${f}`).join(', ')}}
DELETE h
RETURN count(t) AS anonymised`;

// Identifiers only this person had are hashed into the tombstone, so events carrying them are
// dropped later. A shared one (a family tablet) is someone else's too: only the link goes.
const OWN_IDENTIFIERS = `${PERSON}
MATCH (c)-[:IDENTIFIED_BY]->(i:Identifier)
RETURN i.key AS key,
  COUNT { (:Customer)-[:IDENTIFIED_BY]->(i) } = 1 AND coalesce(i.shared, false) = false AS own`;

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

// Every remaining relationship goes with the node: devices owned, orders placed (without a
// referrer), referrals made, journeys, segments. A touchpoint that arrived after the
// anonymising step stops the delete, so the retry anonymises it first.
// Placeholders left by earlier erasures further down this person's chain (a chain of erased
// people) only kept the value of people upstream, through this person: they go with them.
const DELETE_CUSTOMER = `${PERSON}
WHERE NOT EXISTS { (c)-[:HAD]->() }
CALL (c) {
  MATCH path = (c)-[:REFERRED*1..]->(x:ErasedPerson)
  WHERE all(n IN nodes(path)[1..] WHERE n:ErasedPerson)
  RETURN collect(DISTINCT x) AS orphans
}
FOREACH (x IN orphans | DETACH DELETE x)
DETACH DELETE c
RETURN 1 AS deleted`;

const COMPLETE = `
MATCH (e:Erasure {id: $erasureId})
WHERE NOT EXISTS { MATCH (:Customer {erasureId: $erasureId}) }
SET e.completedAt = coalesce(e.completedAt, datetime())
RETURN toString(e.completedAt) AS completedAt`;

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'WorkflowNotFoundError';
}

/**
 * The Temporal side of an erasure, through the worker's client: journeys of the person are
 * terminated and their executions deleted (their ids, inputs and CustomerId search attribute
 * name the person); devices they own get an opt-out, so their lifecycles drop the owner (and
 * the CustomerId search attribute), cancel open interventions and end.
 */
export function temporalErasureLifecycles(client: () => Client): ErasureLifecycles {
  return {
    async stop({ customerId, skus, serials, erasureId }) {
      const c = client();
      const namespace = c.options.namespace;
      const ids = new Set(skus.map((sku) => journeyWorkflowId(customerId, sku)));
      // Journeys with models the graph no longer links to the person are found by attribute.
      const query = `CustomerId = '${customerId.replace(/'/g, "\\'")}'`;
      for await (const w of c.workflow.list({ query })) {
        if (w.workflowId.startsWith('journey:')) ids.add(w.workflowId);
      }
      let journeys = 0;
      for (const workflowId of ids) {
        try {
          await c.workflow.getHandle(workflowId).terminate('erasure');
        } catch (error) {
          if (!isNotFound(error) && !/already completed/i.test(String(error))) throw error;
        }
        // The latest run by id at once; earlier runs (a journey restarted after it ended) as
        // visibility lists them.
        const runs: Array<string | undefined> = [undefined];
        for await (const w of c.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
          runs.push(w.runId);
        }
        for (const runId of runs) {
          try {
            await c.workflowService.deleteWorkflowExecution({
              namespace,
              workflowExecution: runId === undefined ? { workflowId } : { workflowId, runId },
            });
            journeys += 1;
          } catch (error) {
            if (!/not found/i.test(String(error))) throw error;
          }
        }
      }
      let devices = 0;
      for (const serial of serials) {
        try {
          await c.workflow.getHandle(deviceLifecycleWorkflowId(serial)).signal(deviceEventSignal, {
            eventId: `erasure:${erasureId}:${serial}`,
            occurredAt: new Date().toISOString(),
            serial,
            type: 'OPT_OUT',
            customerId,
          });
          devices += 1;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return { journeys, devices };
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
  const lifecycles = deps.lifecycles ?? temporalErasureLifecycles(() => Context.current().client);

  const steps = {
    async stopLifecycles({ erasureId }: ErasureInput) {
      const [person] = await graph.read<{ customerId: string; skus: string[]; serials: string[] }>(
        LIFECYCLES,
        { erasureId },
      );
      if (!person) return { journeys: 0, devices: 0 };
      // Signals still owed to their lifecycles go first, so that no relay starts one again
      // with their id once it is stopped.
      // A relay delivering to one of their journeys now could start it again after it stops:
      // the step fails, and is retried, until that delivery is over.
      const params = {
        journeyPrefix: `journey:${person.customerId}:`,
        named: JSON.stringify({ customerId: person.customerId }).slice(1, -1),
      };
      await graph.transaction(async (tx) => {
        const [row] = await tx.run<{ busy: number }>(LOCK_JOURNEY_QUEUES, params);
        if ((row?.busy ?? 0) > 0) {
          throw new Error('A relay is delivering to a journey of this person; retrying');
        }
        await tx.run(FORGET_OWED_SIGNALS, params);
      });
      return lifecycles.stop({ ...person, erasureId });
    },

    async keepReferralChains({ erasureId }: ErasureInput) {
      const [row] = await graph.write<{ placeholders: number }>(KEEP_REFERRAL_CHAINS, {
        erasureId,
      });
      return { placeholders: row?.placeholders ?? 0 };
    },

    async anonymiseTouchpoints({ erasureId }: ErasureInput) {
      return graph.transaction(async (tx) => {
        const rows = await tx.run<{ eventId: string }>(TOUCHPOINTS_OF, { erasureId });
        const touchpoints = rows.map(({ eventId }) => ({
          eventId,
          anonymousId: anonymousEventId(salt, eventId),
        }));
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
  return steps;
}

export type ErasureActivities = ReturnType<typeof createErasureActivities>;
