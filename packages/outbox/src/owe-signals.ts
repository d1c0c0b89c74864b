import type { GraphTransaction } from '@experience-graph/neo4j';
import { currentTraceparent } from '@experience-graph/tracing';
import { OWED_WORKFLOW_TYPES, type OwedSignal } from './owed-signal';

/**
 * One statement for the whole list. Per workflow, the queue node is MERGEd and write-locked
 * before its sequence number is read (the lock-then-read pattern of Neo4j's read-committed
 * isolation): a second transaction owing to the same workflow waits on that lock until this one
 * commits, then reads the number this one left. Positions are therefore handed out in commit
 * order, and within the list in list order. `dueAt` is set only when the queue has none: a queue
 * under a relay's lease or back-off keeps its time, and its relay sees the new signals when it
 * completes (it re-reads the queue under the same lock).
 */
const OWE = `
UNWIND $queues AS queue
MERGE (q:SignalQueue {lane: $lane, workflowId: queue.workflowId})
  ON CREATE SET q.workflowType = queue.workflowType, q.nextSeq = 0
SET q.owing = true
WITH q, queue, q.nextSeq AS first
SET q.nextSeq = first + size(queue.signals), q.dueAt = coalesce(q.dueAt, timestamp())
REMOVE q.owing
WITH q, first, queue.signals AS signals
UNWIND range(0, size(signals) - 1) AS i
CREATE (:OwedSignal {
  lane: $lane,
  workflowId: q.workflowId,
  seq: first + i,
  eventId: signals[i].eventId,
  event: signals[i].event,
  traceparent: $traceparent,
  owedAt: datetime()
})`;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Owes signals inside the caller's write transaction, so they commit or roll back with the
 * events that owe them; the statement is sent without waiting (`GraphTransaction.send`) and the
 * transaction waits for it before its commit. Each signal keeps the W3C traceparent of the trace
 * it was owed in. `lane` is the task queue the workflows run on: a relay delivers the signals of
 * its own lane only. Signals to one workflow are delivered in the order owed: within one call in
 * the order of `signals`, across transactions in commit order.
 *
 * Owing takes a write lock on each named workflow's queue until the transaction ends, so
 * transactions owing to the same workflow run one after the other (what their order needs) and
 * others do not wait for each other. Queues are locked in workflow-id order, so two transactions
 * owing to the same workflows never deadlock on them.
 */
export async function oweSignals(
  tx: GraphTransaction,
  lane: string,
  signals: readonly OwedSignal[],
): Promise<void> {
  if (signals.length === 0) return;
  if (lane.length === 0) throw new Error('oweSignals: the lane (task queue) must not be empty');
  const queues = new Map<
    string,
    { workflowId: string; workflowType: string; signals: Array<{ eventId: string; event: string }> }
  >();
  for (const [i, signal] of signals.entries()) {
    if (!OWED_WORKFLOW_TYPES.includes(signal.workflowType)) {
      throw new Error(`oweSignals: signals[${i}] has unknown workflow type ${signal.workflowType}`);
    }
    if (signal.workflowId.length === 0 || signal.eventId.length === 0) {
      throw new Error(`oweSignals: signals[${i}] needs a workflow id and an event id`);
    }
    let queue = queues.get(signal.workflowId);
    if (!queue) {
      queue = { workflowId: signal.workflowId, workflowType: signal.workflowType, signals: [] };
      queues.set(signal.workflowId, queue);
    } else if (queue.workflowType !== signal.workflowType) {
      throw new Error(
        `oweSignals: signals[${i}] names workflow ${signal.workflowId} as ${signal.workflowType}, an earlier one as ${queue.workflowType}`,
      );
    }
    queue.signals.push({ eventId: signal.eventId, event: JSON.stringify(signal.event) });
  }
  const ordered = [...queues.values()].sort((a, b) => compare(a.workflowId, b.workflowId));
  // The trace of the request owing them (none with tracing off): the relay continues it.
  tx.send(OWE, { lane, queues: ordered, traceparent: currentTraceparent() });
}
