import { randomUUID } from 'node:crypto';
import type { Graph } from '@experience-graph/neo4j';
import { OWED_WORKFLOW_TYPES, type OwedWorkflowType, type SignalBacklog } from './owed-signal';

/** A workflow's queue that a relay holds the lease of, until `complete` or `release`. */
export interface ClaimedQueue {
  lane: string;
  workflowId: string;
  workflowType: OwedWorkflowType;
  /** The lease: only its holder completes or releases the queue. */
  lease: string;
  /** Deliveries that failed in a row before this claim, for the holder's back-off. */
  failures: number;
  /**
   * The first signals owed to the workflow, read under the claim's lock in the claim's own
   * transaction when the claim asked for them (`entries`), so that a delivery needs no read of
   * its own; undefined otherwise.
   */
  owed?: OwedEntry[];
}

/** What {@link OutboxRepository.completeMany} is told of one delivered queue. */
export interface CompleteInput {
  lane: string;
  workflowId: string;
  lease: string;
  seqs: readonly number[];
  leaseMs: number;
  /** When more signals are owed and the lease is held, return up to this many of them. */
  next?: number;
}

/** What became of one completed queue. */
export interface CompleteResult {
  held: boolean;
  more: boolean;
  /** With `next`, the signals owed next (read under the same lock), when `more`. */
  owed?: OwedEntry[];
}

/** One owed signal, as a relay delivers it. */
export interface OwedEntry {
  /** Its position in the workflow's queue: signals are delivered in this order. */
  seq: number;
  eventId: string;
  event: Record<string, unknown>;
  /** When it was owed, in milliseconds since the epoch (the graph's clock). */
  owedAtMs: number;
  /** The W3C traceparent of the request that owed it; null when it was owed outside a trace. */
  traceparent: string | null;
}

export interface ClaimResult {
  claimed: ClaimedQueue[];
  /** Queues that were due when looked at but that another relay claimed first. */
  contended: number;
}

/** The storage side of a relay: leases on workflows' queues and their owed signals. */
export interface OutboxRepository {
  /**
   * Claims up to `max` due queues of a lane, oldest due first, each with a lease of `leaseMs`:
   * until it runs out, no other relay claims them.
   */
  claim(input: {
    lane: string;
    max: number;
    leaseMs: number;
    owner: string;
    /** Read up to this many owed signals of each claimed queue in the same transaction. */
    entries?: number;
  }): Promise<ClaimResult>;
  /** The first `limit` signals owed to a workflow, in the order owed. */
  owed(lane: string, workflowId: string, limit: number): Promise<OwedEntry[]>;
  /**
   * Deletes the delivered signals (exactly the positions `seqs`). Then, if the lease is still
   * held: when more are owed, the lease is renewed for `leaseMs` and `more` is true; otherwise the
   * queue is let go. Delivered signals are deleted even when the lease was lost (they were
   * delivered), but then the queue is left to its new holder.
   */
  complete(input: {
    lane: string;
    workflowId: string;
    lease: string;
    seqs: readonly number[];
    leaseMs: number;
  }): Promise<{ held: boolean; more: boolean }>;
  /**
   * {@link complete} for several queues in one statement (one round trip however many queues a
   * relay has just delivered to), locked in workflow-id order as the intake and claims lock
   * them. Results are in the order of `inputs`.
   */
  completeMany(inputs: readonly CompleteInput[]): Promise<CompleteResult[]>;
  /**
   * Lets a claimed queue go, claimable again after `retryInMs`. With an `error` it counts as a
   * failed delivery (its `failures` grow, for the next holder's back-off); without, it is a
   * hand-back (a relay stopping). False when the lease was no longer held.
   */
  release(input: {
    lane: string;
    workflowId: string;
    lease: string;
    retryInMs: number;
    error?: string;
  }): Promise<boolean>;
  /** Signals owed on one lane, or on every lane, and since when. */
  signalBacklog(lane?: string): Promise<SignalBacklog>;
}

/** Due queues of a lane, oldest due first: a range of the (lane, dueAt) index. */
const DUE = `
MATCH (q:SignalQueue)
WHERE q.lane = $lane AND q.dueAt <= timestamp()
RETURN q.workflowId AS workflowId
ORDER BY q.dueAt
LIMIT toInteger($max)`;

/**
 * Lock, then re-check: SET takes the queue's write lock (waiting for a relay claiming it at the
 * same time, or an intake owing to it), and only then is `dueAt` read again, now the value last
 * committed. A queue another relay claimed in the meantime is no longer due and is skipped, so
 * two concurrent claims never both win.
 */
const CLAIM = `
UNWIND $claims AS claim
MATCH (q:SignalQueue {lane: $lane, workflowId: claim.workflowId})
SET q.claiming = true
REMOVE q.claiming
WITH q, claim
WHERE q.dueAt IS NOT NULL AND q.dueAt <= timestamp()
SET q.dueAt = timestamp() + toInteger($leaseMs), q.lease = claim.lease, q.leasedBy = $owner
RETURN q.workflowId AS workflowId, q.workflowType AS workflowType, q.lease AS lease,
       coalesce(q.failures, 0) AS failures,
       CASE WHEN $entries > 0 THEN COLLECT {
         MATCH (s:OwedSignal)
         WHERE s.lane = $lane AND s.workflowId = q.workflowId AND s.seq >= 0
         WITH s ORDER BY s.seq LIMIT toInteger($entries)
         RETURN {seq: s.seq, eventId: s.eventId, event: s.event,
                 owedAtMs: s.owedAt.epochMillis, traceparent: s.traceparent}
       } END AS owed`;

const OWED = `
MATCH (s:OwedSignal)
WHERE s.lane = $lane AND s.workflowId = $workflowId AND s.seq >= 0
RETURN s.seq AS seq, s.eventId AS eventId, s.event AS event, s.owedAt.epochMillis AS owedAtMs,
       s.traceparent AS traceparent
ORDER BY s.seq
LIMIT toInteger($limit)`;

/**
 * One statement: the queue's lock first, then the delivered signals go, then, still under the
 * lock, whether more are owed. An intake transaction owing to this workflow has therefore either
 * committed, and its signals count as more here, or has not yet locked the queue, and sets `dueAt`
 * itself when it does. A lost lease deletes what was delivered and leaves the queue to its holder.
 */
const COMPLETE = `
MATCH (q:SignalQueue {lane: $lane, workflowId: $workflowId})
SET q.completing = true
REMOVE q.completing
WITH q, coalesce(q.lease = $lease, false) AS held
CALL {
  UNWIND $seqs AS seq
  MATCH (s:OwedSignal {lane: $lane, workflowId: $workflowId, seq: toInteger(seq)})
  DELETE s
  RETURN count(*) AS deleted
}
// The range on seq lets the (lane, workflowId, seq) index answer, instead of a label scan.
WITH q, held, EXISTS {
  MATCH (s:OwedSignal) WHERE s.lane = $lane AND s.workflowId = $workflowId AND s.seq >= 0
} AS more
SET q.dueAt = CASE WHEN NOT held THEN q.dueAt
                   WHEN more THEN timestamp() + toInteger($leaseMs)
                   ELSE null END,
    q.lease = CASE WHEN held AND NOT more THEN null ELSE q.lease END,
    q.leasedBy = CASE WHEN held AND NOT more THEN null ELSE q.leasedBy END,
    q.failures = CASE WHEN held THEN 0 ELSE q.failures END,
    q.lastError = CASE WHEN held THEN null ELSE q.lastError END
RETURN held, held AND more AS more`;

/**
 * {@link COMPLETE} for a list of queues (in workflow-id order), each row locking its queue
 * first; with `next`, the signals owed next are read under the same lock (LIMIT takes no
 * variable: `$next` is the largest asked for, and each queue's list is cut to its own).
 */
const COMPLETE_MANY = `
UNWIND $items AS item
MATCH (q:SignalQueue {lane: item.lane, workflowId: item.workflowId})
SET q.completing = true
REMOVE q.completing
WITH q, item, coalesce(q.lease = item.lease, false) AS held
CALL (item) {
  UNWIND item.seqs AS seq
  MATCH (s:OwedSignal {lane: item.lane, workflowId: item.workflowId, seq: toInteger(seq)})
  DELETE s
  RETURN count(*) AS deleted
}
WITH q, item, held, EXISTS {
  MATCH (s:OwedSignal) WHERE s.lane = item.lane AND s.workflowId = item.workflowId AND s.seq >= 0
} AS more
SET q.dueAt = CASE WHEN NOT held THEN q.dueAt
                   WHEN more THEN timestamp() + toInteger(item.leaseMs)
                   ELSE null END,
    q.lease = CASE WHEN held AND NOT more THEN null ELSE q.lease END,
    q.leasedBy = CASE WHEN held AND NOT more THEN null ELSE q.leasedBy END,
    q.failures = CASE WHEN held THEN 0 ELSE q.failures END,
    q.lastError = CASE WHEN held THEN null ELSE q.lastError END
RETURN item.i AS i, held, held AND more AS more,
       CASE WHEN held AND more AND item.next > 0 THEN COLLECT {
         MATCH (s:OwedSignal)
         WHERE s.lane = item.lane AND s.workflowId = item.workflowId AND s.seq >= 0
         WITH s ORDER BY s.seq LIMIT toInteger($next)
         RETURN {seq: s.seq, eventId: s.eventId, event: s.event,
                 owedAtMs: s.owedAt.epochMillis, traceparent: s.traceparent}
       } END AS owed`;

interface StoredEntry {
  seq: number;
  eventId: string;
  event: string;
  owedAtMs: number;
  traceparent: string | null;
}

const entryOf = (row: StoredEntry): OwedEntry => ({
  ...row,
  event: JSON.parse(row.event) as Record<string, unknown>,
});

const RELEASE = `
MATCH (q:SignalQueue {lane: $lane, workflowId: $workflowId})
SET q.releasing = true
REMOVE q.releasing
WITH q
WHERE q.lease = $lease
SET q.dueAt = timestamp() + toInteger($retryInMs),
    q.lease = null,
    q.leasedBy = null,
    q.failures = CASE WHEN $error IS NULL THEN coalesce(q.failures, 0)
                      ELSE coalesce(q.failures, 0) + 1 END,
    q.lastError = coalesce($error, q.lastError)
RETURN count(q) AS released`;

const BACKLOG_OF_LANE = `
MATCH (s:OwedSignal)
WHERE s.lane = $lane AND s.owedAt IS NOT NULL
RETURN count(s) AS owed, min(s.owedAt).epochMillis AS oldestMs`;

const BACKLOG = `
MATCH (s:OwedSignal)
RETURN count(s) AS owed, min(s.owedAt).epochMillis AS oldestMs`;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const isWorkflowType = (value: unknown): value is OwedWorkflowType =>
  OWED_WORKFLOW_TYPES.includes(value as OwedWorkflowType);

/** The outbox's relay-side Cypher, on one graph. */
export function createOutboxRepository(graph: Graph): OutboxRepository {
  return {
    claim({ lane, max, leaseMs, owner, entries = 0 }) {
      return graph.transaction(async (tx) => {
        const due = await tx.run<{ workflowId: string }>(DUE, { lane, max });
        // Locked in workflow-id order, as the intake locks them: no deadlock between the two.
        const claims = due
          .map((d) => d.workflowId)
          .sort()
          .map((workflowId) => ({ workflowId, lease: randomUUID() }));
        if (claims.length === 0) return { claimed: [], contended: 0 };
        const rows = await tx.run<{
          workflowId: string;
          workflowType: unknown;
          lease: string;
          failures: number;
          owed: StoredEntry[] | null;
        }>(CLAIM, { lane, claims, leaseMs, owner, entries });
        const claimed: ClaimedQueue[] = [];
        for (const { owed, ...row } of rows) {
          if (!isWorkflowType(row.workflowType)) {
            throw new Error(
              `Queue ${row.workflowId} has unknown workflow type ${String(row.workflowType)}`,
            );
          }
          claimed.push({
            ...row,
            lane,
            workflowType: row.workflowType,
            ...(owed ? { owed: owed.map(entryOf) } : {}),
          });
        }
        return { claimed, contended: claims.length - claimed.length };
      });
    },

    async owed(lane, workflowId, limit) {
      // From the leader, like the writes around it: a follower that lags would hand out signals
      // already delivered, or none of those just owed.
      const rows = await graph.write<StoredEntry>(OWED, { lane, workflowId, limit });
      return rows.map(entryOf);
    },

    async completeMany(inputs) {
      if (inputs.length === 0) return [];
      const items = inputs
        .map((input, i) => ({
          i,
          lane: input.lane,
          workflowId: input.workflowId,
          lease: input.lease,
          seqs: input.seqs,
          leaseMs: input.leaseMs,
          next: input.next ?? 0,
        }))
        // Locked in workflow-id order, as the intake and claims lock them: no deadlock.
        .sort((a, b) =>
          a.lane === b.lane ? compare(a.workflowId, b.workflowId) : compare(a.lane, b.lane),
        );
      const rows = await graph.write<{
        i: number;
        held: boolean;
        more: boolean;
        owed: StoredEntry[] | null;
      }>(COMPLETE_MANY, { items, next: Math.max(0, ...items.map((item) => item.next)) });
      const results: CompleteResult[] = inputs.map(() => ({ held: false, more: false }));
      for (const row of rows) {
        results[row.i] = {
          held: row.held,
          more: row.more,
          ...(row.owed ? { owed: row.owed.slice(0, inputs[row.i]?.next ?? 0).map(entryOf) } : {}),
        };
      }
      return results;
    },

    async complete({ lane, workflowId, lease, seqs, leaseMs }) {
      const [row] = await graph.write<{ held: boolean; more: boolean }>(COMPLETE, {
        lane,
        workflowId,
        lease,
        seqs,
        leaseMs,
      });
      return { held: row?.held ?? false, more: row?.more ?? false };
    },

    async release({ lane, workflowId, lease, retryInMs, error }) {
      const [row] = await graph.write<{ released: number }>(RELEASE, {
        lane,
        workflowId,
        lease,
        retryInMs,
        error: error === undefined ? null : error.slice(0, 1000),
      });
      return (row?.released ?? 0) > 0;
    },

    async signalBacklog(lane) {
      const [row] = await graph.read<{ owed: number; oldestMs: number | null }>(
        lane === undefined ? BACKLOG : BACKLOG_OF_LANE,
        lane === undefined ? {} : { lane },
      );
      const oldestMs = row?.oldestMs ?? null;
      return {
        owed: row?.owed ?? 0,
        oldestOwedAt: oldestMs === null ? null : new Date(oldestMs).toISOString(),
      };
    },
  };
}
