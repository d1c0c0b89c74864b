import { randomUUID } from 'node:crypto';
import { DEFAULT_UNIQUE_NAMESPACES } from '@experience-graph/access';
import { isoInstant, type Graph, type GraphTransaction } from '@experience-graph/neo4j';
import type { Identifier } from './identifiers';
import {
  mergeBlocker,
  uniqueConflict,
  type IdentityChanges,
  type KnownIdentifier,
  type MergeFacts,
  type Person,
} from './identity-rules';

/** A merge as recorded. */
export interface MergeRecord {
  id: string;
  at: string;
  reason: string;
  eventId: string | null;
  survivorId: string;
  absorbedId: string;
  identifierKey: string | null;
  undoneAt: string | null;
  undoReason: string | null;
}

/** One identifier of a person, as read. */
export interface IdentityRecord {
  namespace: string;
  value: string;
  shared: boolean;
  since: string;
}

/** An identity operation refused: `code` says why, `field` which input. Nothing was changed. */
export class IdentityError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT',
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

/**
 * Relationship types a merge does not move: the merge history itself, and consents, which merge
 * by purpose instead (see {@link mergeConsents}).
 */
const NOT_MOVED = ['MERGED_INTO', 'GAVE'];

const MERGE_FIELDS = `m { .id, .reason, .eventId, .survivorId, .absorbedId, .identifierKey, .undoReason,
  at: toString(m.at), undoneAt: toString(m.undoneAt) }`;

/** A merge as read, its instants printed the one way the API prints them. */
const readMerge = (m: MergeRecord): MergeRecord => ({
  ...m,
  at: isoInstant(m.at),
  undoneAt: m.undoneAt === null ? null : isoInstant(m.undoneAt),
});

// The person a customer id names now: itself, or the survivor it was merged into (transitively).
const CANONICAL = `
UNWIND $ids AS id
OPTIONAL MATCH (c:Customer {id: id})
OPTIONAL MATCH (:MergedCustomer {id: id})-[:MERGED_INTO*1..]->(s:Customer)
WITH id, coalesce(c, s) AS p
WHERE p IS NOT NULL
RETURN id, p.id AS canonicalId, toString(p.createdAt) AS createdAt,
  [(p)-[:IDENTIFIED_BY]->(u:Identifier) WHERE u.namespace IN $unique | u.key] AS holds`;

// The people an identifier was seen with are read as they are now: an absorbed person reads as
// its survivor, so that people merged into one count as one when judging whether it is shared.
const SEEN_WITH_NOW = `COLLECT {
  UNWIND coalesce(i.seenWith, []) AS seen
  OPTIONAL MATCH (:MergedCustomer {id: seen})-[:MERGED_INTO*1..]->(now:Customer)
  RETURN DISTINCT coalesce(now.id, seen)
}`;

const LOOKUP_IDENTIFIERS = `
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
RETURN key, coalesce(i.shared, false) AS shared, ${SEEN_WITH_NOW} AS seenWith,
  [(c:Customer)-[:IDENTIFIED_BY]->(i) | {id: c.id, createdAt: toString(c.createdAt),
    holds: [(c)-[:IDENTIFIED_BY]->(u:Identifier) WHERE u.namespace IN $unique | u.key]}] AS owners`;

// Every relationship of the absorbed person, in either direction, is recreated on the survivor
// with its type and properties, and tagged `<mergeId>:out` or `<mergeId>:in` (a stack, for
// merges of merges) so that the undo moves exactly these back, the right way round.
const MOVE_OUT = `
MATCH (a:Customer {id: $absorbedId})-[r]->(x) WHERE x <> a AND NOT type(r) IN $notMoved
MATCH (s:Customer {id: $survivorId})
WITH s, x, r, type(r) AS t, properties(r) AS p
CREATE (s)-[n:$(t)]->(x)
SET n = p, n.movedByMerges = coalesce(p.movedByMerges, []) + [$mergeId + ':out']
DELETE r
RETURN count(n) AS moved`;

const MOVE_IN = `
MATCH (a:Customer {id: $absorbedId})<-[r]-(x) WHERE x <> a AND NOT type(r) IN $notMoved
MATCH (s:Customer {id: $survivorId})
WITH s, x, r, type(r) AS t, properties(r) AS p
CREATE (x)-[n:$(t)]->(s)
SET n = p, n.movedByMerges = coalesce(p.movedByMerges, []) + [$mergeId + ':in']
DELETE r
RETURN count(n) AS moved`;

const UNDO_OUT = `
MATCH (s:Customer {id: $survivorId})-[r]->(x)
WHERE r.movedByMerges IS NOT NULL AND last(r.movedByMerges) = $mergeId + ':out'
MATCH (a:MergedCustomer {id: $absorbedId})
WITH a, x, r, type(r) AS t, properties(r) AS p
CREATE (a)-[n:$(t)]->(x)
SET n = p, n.movedByMerges = CASE WHEN size(p.movedByMerges) > 1 THEN p.movedByMerges[0..-1] END
DELETE r
RETURN count(n) AS moved`;

const UNDO_IN = `
MATCH (s:Customer {id: $survivorId})<-[r]-(x)
WHERE r.movedByMerges IS NOT NULL AND last(r.movedByMerges) = $mergeId + ':in'
MATCH (a:MergedCustomer {id: $absorbedId})
WITH a, x, r, type(r) AS t, properties(r) AS p
CREATE (x)-[n:$(t)]->(a)
SET n = p, n.movedByMerges = CASE WHEN size(p.movedByMerges) > 1 THEN p.movedByMerges[0..-1] END
DELETE r
RETURN count(n) AS moved`;

// Consent is per person and purpose. A purpose only the absorbed person decided is copied to the
// survivor; where both decided, the more recent decision applies and the survivor's earlier one
// is kept beside the merge record for the undo. The absorbed person's own consents stay with it.
const MERGE_CONSENTS = `
MATCH (m:Merge {id: $mergeId}), (s:Customer {id: $survivorId}), (a:Customer {id: $absorbedId})
MATCH (a)-[:GAVE]->(ka:Consent)
OPTIONAL MATCH (s)-[:GAVE]->(ks:Consent {purpose: ka.purpose})
WITH m, s, ka, ks WHERE ks IS NULL OR ka.updatedAt > ks.updatedAt
CALL (m, s, ka, ks) {
  WITH m, s, ka, ks WHERE ks IS NULL
  CREATE (s)-[:GAVE]->(:Consent {customerId: s.id, purpose: ka.purpose, granted: ka.granted,
    channels: ka.channels, updatedAt: ka.updatedAt, createdByMerge: m.id})
}
CALL (m, ka, ks) {
  WITH m, ka, ks WHERE ks IS NOT NULL
  CREATE (m)-[:KEPT]->(:ConsentBeforeMerge {purpose: ks.purpose, granted: ks.granted,
    channels: ks.channels, updatedAt: ks.updatedAt})
  SET ks.granted = ka.granted, ks.channels = ka.channels, ks.updatedAt = ka.updatedAt
}
RETURN count(*) AS merged`;

const UNDO_CONSENTS = `
MATCH (m:Merge {id: $mergeId}), (s:Customer {id: $survivorId})
CALL (m) {
  MATCH (k:Consent {createdByMerge: m.id}) DETACH DELETE k
}
CALL (m, s) {
  MATCH (m)-[:KEPT]->(b:ConsentBeforeMerge)
  MATCH (s)-[:GAVE]->(ks:Consent {purpose: b.purpose})
  SET ks.granted = b.granted, ks.channels = b.channels, ks.updatedAt = b.updatedAt
  DETACH DELETE b
}
RETURN count(*) AS undone`;

/** A merge refused by a rule; the transaction is rolled back. */
class MergeRefused extends Error {
  constructor(
    message: string,
    readonly identifierKey: string | null,
  ) {
    super(message);
  }
}

/** A person changed between the read and the write (a concurrent merge): retry the whole. */
export class IdentityRaced extends Error {}

/** Identifier keys each of two people holds in unique namespaces. */
const HOLDS = `
MATCH (c:Customer) WHERE c.id IN [$survivorId, $absorbedId]
RETURN c.id AS id, [(c)-[:IDENTIFIED_BY]->(u:Identifier) WHERE u.namespace IN $unique | u.key] AS holds`;

interface MergeArgs {
  survivorId: string;
  absorbedId: string;
  reason: string;
  eventId: string | null;
  identifierKey: string | null;
  /** Who made the merge: the principal key of the event's sender or of the operator. */
  recordedBy: string | null;
  /** Namespaces a person holds at most one value of. */
  unique: readonly string[];
}

async function mergeIn(tx: GraphTransaction, args: MergeArgs): Promise<MergeRecord> {
  const { survivorId, absorbedId } = args;
  // Taking both write locks first serialises concurrent merges of the same people.
  const [facts] = await tx.run<Omit<MergeFacts, 'survivorMergedIntoAbsorbed'>>(
    `MATCH (s:Customer {id: $survivorId}), (a:Customer {id: $absorbedId})
     SET s.id = s.id, a.id = a.id
     RETURN s.id AS survivorId, a.id AS absorbedId,
       head([(x:Customer)-[:REFERRED]->(s) | x.id]) AS survivorReferrer,
       head([(x:Customer)-[:REFERRED]->(a) | x.id]) AS absorbedReferrer,
       EXISTS { (s)-[:REFERRED]-(a) } AS referredEachOther,
       EXISTS { (s)-[:REFERRED*2..]->(a) } OR EXISTS { (a)-[:REFERRED*2..]->(s) } AS chainBetween`,
    { survivorId, absorbedId },
  );
  if (!facts) throw new IdentityRaced(`${survivorId} or ${absorbedId} is no longer a customer`);
  const blocked = mergeBlocker({ ...facts, survivorMergedIntoAbsorbed: null });
  if (blocked) throw new MergeRefused(blocked, args.identifierKey);
  // Checked here too, under both locks: by hand, or when another event linked meanwhile.
  const holds = await tx.run<{ id: string; holds: string[] }>(HOLDS, {
    survivorId,
    absorbedId,
    unique: args.unique,
  });
  const survivorHolds = new Map(
    (holds.find((h) => h.id === survivorId)?.holds ?? []).map((k) => [
      k.slice(0, k.indexOf(':')),
      k,
    ]),
  );
  const conflict = uniqueConflict(
    survivorHolds,
    holds.find((h) => h.id === absorbedId)?.holds ?? [],
    args.unique,
  );
  if (conflict !== null) {
    throw new MergeRefused(
      `Cannot merge ${absorbedId} into ${survivorId}: each holds a ${conflict} of their own, and a person has at most one (IDENTITY_UNIQUE_NAMESPACES)`,
      args.identifierKey,
    );
  }

  const mergeId = `merge-${randomUUID()}`;
  const params = { ...args, mergeId, notMoved: NOT_MOVED };
  const [record] = await tx.run<{ merge: MergeRecord }>(
    `MATCH (s:Customer {id: $survivorId}), (a:Customer {id: $absorbedId})
     CREATE (m:Merge {id: $mergeId, at: datetime(), reason: $reason, eventId: $eventId,
       survivorId: $survivorId, absorbedId: $absorbedId, identifierKey: $identifierKey,
       recordedBy: $recordedBy})
     // The merged person is bound by every product the absorbed one opted out of.
     WITH m, s, a, [k IN coalesce(a.optedOutSkus, []) WHERE NOT k IN coalesce(s.optedOutSkus, [])] AS added
     SET m.addedOptedOutSkus = added
     FOREACH (_ IN CASE WHEN size(added) > 0 THEN [1] ELSE [] END |
       SET s.optedOutSkus = coalesce(s.optedOutSkus, []) + added)
     RETURN ${MERGE_FIELDS} AS merge`,
    params,
  );
  await tx.run(MOVE_OUT, params);
  await tx.run(MOVE_IN, params);
  await tx.run(MERGE_CONSENTS, params);
  await tx.run(
    `MATCH (s:Customer {id: $survivorId}), (a:Customer {id: $absorbedId})
     REMOVE a:Customer SET a:MergedCustomer
     CREATE (a)-[:MERGED_INTO {mergeId: $mergeId, at: datetime()}]->(s)`,
    params,
  );
  if (!record) throw new Error(`Merge ${mergeId} was not recorded`);
  return readMerge(record.merge);
}

/**
 * The identities of customer `c` (IdentityRecord), by key, for a `CALL (c) { }` returning the
 * column `as`; `since` is the earliest link.
 */
export const identitiesOfCustomer = (as: string) => `
  MATCH (c)-[r:IDENTIFIED_BY]->(i:Identifier)
  WITH i, min(r.since) AS since ORDER BY i.key
  RETURN collect({namespace: i.namespace, value: i.value, shared: coalesce(i.shared, false),
                  since: toString(since)}) AS ${as}`;

/** Cypher of identity: resolution reads, the changes of an accepted event, merges and undos. */
export function createIdentityRepository(
  graph: Graph,
  options: {
    /** Namespaces a person holds at most one value of; LOYALTY_ID by default. */
    uniqueNamespaces?: readonly string[];
  } = {},
) {
  const unique = options.uniqueNamespaces ?? DEFAULT_UNIQUE_NAMESPACES;
  return {
    /** The person each id names now (absorbed ids give their survivor); unknown ids are absent. */
    async canonicalPeople(ids: readonly string[]): Promise<Map<string, Person>> {
      const rows = await graph.read<{
        id: string;
        canonicalId: string;
        createdAt: string;
        holds: string[];
      }>(CANONICAL, { ids, unique });
      return new Map(
        rows.map((r) => [r.id, { id: r.canonicalId, createdAt: r.createdAt, holds: r.holds }]),
      );
    },

    /** What the graph knows about each identifier key; unknown keys are absent. */
    async knownIdentifiers(keys: readonly string[]): Promise<Map<string, KnownIdentifier>> {
      if (keys.length === 0) return new Map();
      const rows = await graph.read<KnownIdentifier & { key: string }>(LOOKUP_IDENTIFIERS, {
        keys,
        unique,
      });
      return new Map(
        rows.map(({ key, ...known }) => [
          key,
          { ...known, owners: dedupe(known.owners, (o) => o.id) },
        ]),
      );
    },

    /**
     * Applies an accepted event's identity changes in one transaction: the new person, the
     * merges, the links and the sightings. Re-applying after a crash changes nothing more (links
     * and people are MERGEd; the merged people are merged already and resolve to the survivor).
     * A merge refused by a rule rolls everything back and is returned.
     */
    async apply(
      changes: IdentityChanges,
      event: {
        eventId: string;
        occurredAt: string;
        reason: string;
        /** The sender's principal key: `linkedBy` of new links, `recordedBy` of merges. */
        recordedBy: string;
      },
    ): Promise<{ refused: string; identifierKey: string | null } | null> {
      try {
        await graph.transaction(async (tx) => {
          if (changes.create) {
            await tx.run(
              `MERGE (c:Customer {id: $id})
                 ON CREATE SET c.displayName = $displayName, c.createdAt = datetime()`,
              changes.create,
            );
          }
          for (const m of changes.merges) {
            await mergeIn(tx, {
              ...m,
              reason: event.reason,
              eventId: event.eventId,
              recordedBy: event.recordedBy,
              unique,
            });
          }
          // Another event may have linked a value of a unique namespace since the decision: the
          // person's write lock serialises such links, and the check runs under it.
          const [clash] = await tx.run<{ key: string }>(
            `MATCH (c:Customer {id: $customerId})
             SET c.id = c.id
             WITH c
             UNWIND $links AS l
             MATCH (c)-[:IDENTIFIED_BY]->(o:Identifier {namespace: l.namespace})
             WHERE l.namespace IN $unique AND o.key <> l.key
             RETURN l.key AS key LIMIT 1`,
            { customerId: changes.customerId, links: changes.links.map((l) => ({ ...l })), unique },
          );
          if (clash) {
            throw new MergeRefused(
              `${clash.key} was not linked: the person meanwhile holds another ${clash.key.slice(0, clash.key.indexOf(':'))}; send the event again`,
              clash.key,
            );
          }
          await tx.run(
            `MATCH (c:Customer {id: $customerId})
             UNWIND $links AS l
             MERGE (i:Identifier {key: l.key})
               ON CREATE SET i.namespace = l.namespace, i.value = l.value, i.shared = false,
                             i.seenWith = []
             MERGE (c)-[r:IDENTIFIED_BY]->(i)
               ON CREATE SET r.since = datetime($occurredAt), r.eventId = $eventId,
                             r.linkedBy = $linkedBy`,
            {
              customerId: changes.customerId,
              links: changes.links.map((l: Identifier) => ({ ...l })),
              occurredAt: event.occurredAt,
              eventId: event.eventId,
              linkedBy: event.recordedBy,
            },
          );
          await tx.run(
            `UNWIND $sightings AS s
             MATCH (i:Identifier {key: s.key})
             SET i.seenWith = s.seenWith, i.shared = coalesce(i.shared, false) OR s.shared`,
            { sightings: changes.sightings },
          );
        });
        return null;
      } catch (error) {
        if (error instanceof MergeRefused) {
          return { refused: error.message, identifierKey: error.identifierKey };
        }
        throw error;
      }
    },

    /**
     * Merges two people by hand (operations). Refused with an {@link IdentityError}, changing
     * nothing, when either is unknown or already merged, or a merge rule forbids it.
     */
    async mergeCustomers(input: {
      survivorId: string;
      absorbedId: string;
      reason: string;
      /** The operator's principal key, recorded on the merge. */
      recordedBy?: string | null;
    }): Promise<MergeRecord> {
      const { survivorId, absorbedId } = input;
      if (survivorId === absorbedId) {
        throw new IdentityError(
          'BAD_USER_INPUT',
          'input.absorbedId: a customer cannot be merged into themselves',
          'input.absorbedId',
        );
      }
      try {
        return await graph.transaction(async (tx) => {
          const [state] = await tx.run<{
            survivorFound: boolean;
            absorbedFound: boolean;
            survivorMerged: { into: string; mergeId: string } | null;
            absorbedMerged: { into: string; mergeId: string } | null;
          }>(
            `OPTIONAL MATCH (s:Customer {id: $survivorId})
             OPTIONAL MATCH (a:Customer {id: $absorbedId})
             OPTIONAL MATCH (sm:MergedCustomer {id: $survivorId})
             OPTIONAL MATCH (am:MergedCustomer {id: $absorbedId})
             RETURN s IS NOT NULL AS survivorFound, a IS NOT NULL AS absorbedFound,
               head([(sm)-[r:MERGED_INTO*1..]->(x:Customer) | {into: x.id, mergeId: last(r).mergeId}]) AS survivorMerged,
               head([(am)-[r:MERGED_INTO*1..]->(x:Customer) | {into: x.id, mergeId: last(r).mergeId}]) AS absorbedMerged`,
            input,
          );
          if (!state) throw new Error('The merge state query returned no row');
          if (state.survivorMerged) {
            const { into, mergeId } = state.survivorMerged;
            if (into === absorbedId) {
              throw new IdentityError(
                'CONFLICT',
                `Cannot merge ${absorbedId} into ${survivorId}: ${survivorId} was merged into ${absorbedId} (merge ${mergeId}); undo that merge instead`,
                'input.survivorId',
              );
            }
            throw new IdentityError(
              'CONFLICT',
              `Customer ${survivorId} was merged into ${into} (merge ${mergeId}); merge into ${into} instead`,
              'input.survivorId',
            );
          }
          if (state.absorbedMerged) {
            const { into, mergeId } = state.absorbedMerged;
            throw new IdentityError(
              'CONFLICT',
              `Customer ${absorbedId} was already merged into ${into} (merge ${mergeId})`,
              'input.absorbedId',
            );
          }
          if (!state.survivorFound) {
            throw new IdentityError(
              'NOT_FOUND',
              `No customer has id ${survivorId}`,
              'input.survivorId',
            );
          }
          if (!state.absorbedFound) {
            throw new IdentityError(
              'NOT_FOUND',
              `No customer has id ${absorbedId}`,
              'input.absorbedId',
            );
          }
          return mergeIn(tx, {
            ...input,
            eventId: null,
            identifierKey: null,
            recordedBy: input.recordedBy ?? null,
            unique,
          });
        });
      } catch (error) {
        if (error instanceof MergeRefused) {
          throw new IdentityError('CONFLICT', error.message, 'input.absorbedId');
        }
        throw error;
      }
    },

    /**
     * Undoes a merge: the absorbed person is a customer again with exactly the relationships the
     * merge moved, the survivor's consents and opt-outs are as before. Refused, changing nothing,
     * for an unknown or undone merge, or when a later merge depends on it.
     */
    async undoMerge(input: { mergeId: string; reason: string }): Promise<MergeRecord> {
      return graph.transaction(async (tx) => {
        const [found] = await tx.run<{ merge: MergeRecord; dependent: MergeRecord | null }>(
          `MATCH (m:Merge {id: $mergeId})
           SET m.id = m.id
           RETURN ${MERGE_FIELDS} AS merge,
             head(COLLECT {
               MATCH (l:Merge {absorbedId: m.survivorId}) WHERE l.undoneAt IS NULL AND l.at >= m.at
               RETURN l { .id, .survivorId, .absorbedId } ORDER BY l.at
             }) AS dependent`,
          input,
        );
        if (!found) {
          throw new IdentityError('NOT_FOUND', `No merge has id ${input.mergeId}`, 'input.mergeId');
        }
        const m = readMerge(found.merge);
        if (m.undoneAt !== null) {
          throw new IdentityError(
            'CONFLICT',
            `Merge ${m.id} was already undone at ${m.undoneAt}`,
            'input.mergeId',
          );
        }
        if (found.dependent) {
          const d = found.dependent;
          throw new IdentityError(
            'CONFLICT',
            `Merge ${m.id} cannot be undone while merge ${d.id} (${d.absorbedId} into ${d.survivorId}) depends on it: undo ${d.id} first`,
            'input.mergeId',
          );
        }
        const params = {
          mergeId: m.id,
          survivorId: m.survivorId,
          absorbedId: m.absorbedId,
          reason: input.reason,
        };
        const [locked] = await tx.run<{ ok: boolean }>(
          `MATCH (s:Customer {id: $survivorId}), (a:MergedCustomer {id: $absorbedId})
           SET s.id = s.id, a.id = a.id RETURN true AS ok`,
          params,
        );
        if (!locked) {
          throw new IdentityError(
            'CONFLICT',
            `Merge ${m.id} cannot be undone: ${m.survivorId} or ${m.absorbedId} no longer exists`,
            'input.mergeId',
          );
        }
        await tx.run(UNDO_OUT, params);
        await tx.run(UNDO_IN, params);
        await tx.run(UNDO_CONSENTS, params);
        const [undone] = await tx.run<{ merge: MergeRecord }>(
          `MATCH (m:Merge {id: $mergeId}), (s:Customer {id: $survivorId}), (a:MergedCustomer {id: $absorbedId})
           OPTIONAL MATCH (a)-[link:MERGED_INTO {mergeId: $mergeId}]->(s)
           DELETE link
           REMOVE a:MergedCustomer SET a:Customer
           WITH m, s, [k IN coalesce(s.optedOutSkus, []) WHERE NOT k IN coalesce(m.addedOptedOutSkus, [])] AS kept
           FOREACH (_ IN CASE WHEN size(coalesce(m.addedOptedOutSkus, [])) > 0 THEN [1] ELSE [] END |
             SET s.optedOutSkus = CASE WHEN size(kept) = 0 THEN null ELSE kept END)
           SET m.undoneAt = datetime(), m.undoReason = $reason
           RETURN ${MERGE_FIELDS} AS merge`,
          params,
        );
        if (!undone) throw new Error(`Merge ${m.id} was not undone`);
        return readMerge(undone.merge);
      });
    },

    async mergesById(ids: readonly string[]): Promise<Map<string, MergeRecord>> {
      const rows = await graph.read<{ merge: MergeRecord }>(
        `MATCH (m:Merge) WHERE m.id IN $ids RETURN ${MERGE_FIELDS} AS merge`,
        { ids },
      );
      return new Map(rows.map((r) => [r.merge.id, readMerge(r.merge)]));
    },

    /** Merges each customer took part in, as survivor or absorbed, oldest first. */
    async mergesByCustomer(customerIds: readonly string[]): Promise<Map<string, MergeRecord[]>> {
      const rows = await graph.read<{ customerId: string; merges: MergeRecord[] }>(
        `UNWIND $customerIds AS customerId
         CALL (customerId) {
           MATCH (m:Merge {survivorId: customerId}) RETURN m
           UNION
           MATCH (m:Merge {absorbedId: customerId}) RETURN m
         }
         WITH customerId, m ORDER BY m.at, m.id
         RETURN customerId, collect(${MERGE_FIELDS}) AS merges`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.merges.map(readMerge)]));
    },

    /** Who each identifier key names: one customer, or (shared) how many people share it. */
    async ownersByIdentifier(
      keys: readonly string[],
    ): Promise<Map<string, { customerId: string | null; sharedBy: number }>> {
      const rows = await graph.read<{
        key: string;
        shared: boolean;
        seen: string[];
        owners: string[];
      }>(
        `UNWIND $keys AS key
         MATCH (i:Identifier {key: key})
         RETURN key, coalesce(i.shared, false) AS shared, ${SEEN_WITH_NOW} AS seen,
           [(c:Customer)-[:IDENTIFIED_BY]->(i) | c.id] AS owners`,
        { keys },
      );
      const found = new Map<string, { customerId: string | null; sharedBy: number }>();
      for (const r of rows) {
        const people = new Set([...r.seen, ...r.owners]);
        if (r.shared) found.set(r.key, { customerId: null, sharedBy: people.size });
        else if (r.owners[0] !== undefined)
          found.set(r.key, { customerId: r.owners[0], sharedBy: 1 });
      }
      return found;
    },

    /** Each customer's identifiers, by key. */
    async identitiesByCustomer(
      customerIds: readonly string[],
    ): Promise<Map<string, IdentityRecord[]>> {
      const rows = await graph.read<{ customerId: string; identities: IdentityRecord[] }>(
        `MATCH (c:Customer) WHERE c.id IN $customerIds
         CALL (c) { ${identitiesOfCustomer('identities')} }
         RETURN c.id AS customerId, identities`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.identities]));
    },
  };
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
