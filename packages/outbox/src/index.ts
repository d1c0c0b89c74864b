/**
 * The outbox between the graph and the lifecycle workflows. The intake owes signals in the same
 * transaction that records their events; relays deliver them to Temporal.
 *
 * Storage: a `(:SignalQueue {lane, workflowId})` per lane (task queue) and workflow, with the
 * next position to hand out and the relay lease (`dueAt`, `lease`), and an
 * `(:OwedSignal {lane, workflowId, seq})` per owed signal, deleted once delivered. See
 * `packages/neo4j/migrations/0012-signal-outbox.cypher` for the constraints and indexes.
 */
export {
  OWED_WORKFLOW_TYPES,
  type OwedSignal,
  type OwedWorkflowType,
  type SignalBacklog,
} from './owed-signal';
export { oweSignals } from './owe-signals';
export {
  createOutboxRepository,
  type ClaimedQueue,
  type ClaimResult,
  type CompleteInput,
  type CompleteResult,
  type OutboxRepository,
  type OwedEntry,
} from './outbox-repository';
