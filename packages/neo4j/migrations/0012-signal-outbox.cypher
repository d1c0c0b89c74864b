// The signal outbox (packages/outbox). A (:SignalQueue) per lane (task queue) and workflow holds
// the workflow's next sequence number and its lease; an (:OwedSignal) per owed event holds its
// position in that queue. Owing MERGEs the queue on its key, so that key must be unique.
CREATE CONSTRAINT signal_queue_key IF NOT EXISTS
  FOR (q:SignalQueue) REQUIRE (q.lane, q.workflowId) IS UNIQUE;
// Relays claim the queues of their lane that are due (owed to, lease expired, back-off over),
// oldest due first: one index range.
CREATE INDEX signal_queue_due IF NOT EXISTS FOR (q:SignalQueue) ON (q.lane, q.dueAt);
// A queue's signals are read and deleted by position, in order; two signals at one position
// would be a broken sequence, so the position is unique.
CREATE CONSTRAINT owed_signal_position IF NOT EXISTS
  FOR (s:OwedSignal) REQUIRE (s.lane, s.workflowId, s.seq) IS UNIQUE;
// The backlog of a lane: how many signals are owed and since when.
CREATE INDEX owed_signal_lane IF NOT EXISTS FOR (s:OwedSignal) ON (s.lane, s.owedAt);
