import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { createOutboxRepository, oweSignals, type OwedSignal } from './index';

describe('the outbox on a real Neo4j', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph: Graph = createGraph(driver, config.neo4j.database);
  const outbox = createOutboxRepository(graph);
  const lanes: string[] = [];

  const newLane = () => {
    const lane = uniqueKey('outbox-int');
    lanes.push(lane);
    return lane;
  };
  const signal = (workflowId: string, eventId: string): OwedSignal => ({
    workflowType: 'deviceLifecycle',
    workflowId,
    eventId,
    event: { eventId, serial: workflowId.slice('device:'.length), type: 'FEEDBACK' },
  });
  /** Owes `owed` on `lane` in one transaction. */
  const owe = (lane: string, ...owed: OwedSignal[]) =>
    graph.transaction((tx) => oweSignals(tx, lane, owed));
  /** A new lane whose queues owe `owed`, in one transaction. */
  const laneOwing = async (...owed: OwedSignal[]) => {
    const lane = newLane();
    await owe(lane, ...owed);
    return lane;
  };
  const positions = (lane: string, workflowId: string) =>
    graph.read<{ seq: number; eventId: string }>(
      `MATCH (s:OwedSignal {lane: $lane, workflowId: $workflowId})
       RETURN s.seq AS seq, s.eventId AS eventId ORDER BY s.seq`,
      { lane, workflowId },
    );

  afterAll(async () => {
    await graph.write(
      `MATCH (n) WHERE (n:SignalQueue OR n:OwedSignal) AND n.lane IN $lanes DETACH DELETE n`,
      { lanes },
    );
    await driver.close();
  });

  it('owes in list order within a transaction, and nothing when the transaction rolls back', async () => {
    const lane = await laneOwing(
      signal('device:a', 'a1'),
      signal('device:b', 'b1'),
      signal('device:a', 'a2'),
      signal('device:a', 'a3'),
    );
    await expect(
      graph.transaction(async (tx) => {
        await oweSignals(tx, lane, [signal('device:a', 'lost')]);
        throw new Error('the events failed to record');
      }),
    ).rejects.toThrow('the events failed to record');
    await owe(lane, signal('device:a', 'a4'));
    expect(await positions(lane, 'device:a')).toEqual([
      { seq: 0, eventId: 'a1' },
      { seq: 1, eventId: 'a2' },
      { seq: 2, eventId: 'a3' },
      { seq: 3, eventId: 'a4' },
    ]);
    expect(await positions(lane, 'device:b')).toEqual([{ seq: 0, eventId: 'b1' }]);
    const backlog = await outbox.signalBacklog(lane);
    expect(backlog.owed).toBe(5);
    expect(Date.parse(backlog.oldestOwedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(await outbox.signalBacklog(newLane())).toEqual({ owed: 0, oldestOwedAt: null });
  });

  it('hands out positions in commit order when many transactions owe to one workflow at once', async () => {
    const lane = newLane();
    const writers = 8;
    const perWriter = 25;
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        owe(
          lane,
          ...Array.from({ length: perWriter }, (_, i) => signal('device:hot', `w${w}-${i}`)),
        ),
      ),
    );
    const owed = await positions(lane, 'device:hot');
    expect(owed.map((o) => o.seq)).toEqual(
      Array.from({ length: writers * perWriter }, (_, i) => i),
    );
    // Each transaction's signals are one unbroken run, in its own order.
    for (let w = 0; w < writers; w++) {
      const run = owed.filter((o) => o.eventId.startsWith(`w${w}-`));
      expect(run.map((o) => o.eventId)).toEqual(
        Array.from({ length: perWriter }, (_, i) => `w${w}-${i}`),
      );
      expect((run.at(-1)?.seq ?? 0) - (run[0]?.seq ?? 0)).toBe(perWriter - 1);
    }
  });

  it('lets only one of many concurrent claims win a queue, until its lease runs out', async () => {
    const lane = await laneOwing(signal('device:c', 'c1'));
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        outbox.claim({ lane, max: 5, leaseMs: 1_500, owner: `relay-${i}` }),
      ),
    );
    const winners = claims.flatMap((c) => c.claimed);
    expect(winners).toHaveLength(1);
    const [first] = winners;
    if (!first) throw new Error('no claim won');
    expect(first).toMatchObject({ workflowId: 'device:c', workflowType: 'deviceLifecycle' });

    // The holder was killed: once the lease runs out another relay takes the queue over.
    const deadline = Date.now() + 30_000;
    let second = await outbox.claim({ lane, max: 5, leaseMs: 60_000, owner: 'relay-next' });
    while (second.claimed.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      second = await outbox.claim({ lane, max: 5, leaseMs: 60_000, owner: 'relay-next' });
    }
    const [takeover] = second.claimed;
    expect(takeover?.workflowId).toBe('device:c');
    if (!takeover) return;

    // The old holder's late completion deletes what it delivered but leaves the queue alone.
    const [entry] = await outbox.owed(lane, 'device:c', 10);
    expect(entry).toMatchObject({ seq: 0, eventId: 'c1', event: { eventId: 'c1' } });
    expect(
      await outbox.complete({
        lane,
        workflowId: 'device:c',
        lease: first.lease,
        seqs: [0],
        leaseMs: 1_000,
      }),
    ).toEqual({ held: false, more: false });
    expect(await outbox.owed(lane, 'device:c', 10)).toEqual([]);
    expect(
      await outbox.complete({
        lane,
        workflowId: 'device:c',
        lease: takeover.lease,
        seqs: [],
        leaseMs: 1_000,
      }),
    ).toEqual({ held: true, more: false });
    expect((await outbox.claim({ lane, max: 5, leaseMs: 1_000, owner: 'x' })).claimed).toEqual([]);
  });

  it('keeps the lease while more is owed, and backs a failed queue off', async () => {
    const lane = await laneOwing(signal('device:d', 'd1'), signal('device:d', 'd2'));
    const [claimed] = (await outbox.claim({ lane, max: 1, leaseMs: 60_000, owner: 'r' })).claimed;
    if (!claimed) throw new Error('nothing claimed');
    // Owed while the queue is leased: the holder sees it when it completes.
    await owe(lane, signal('device:d', 'd3'));
    const batch = await outbox.owed(lane, 'device:d', 1);
    expect(batch.map((e) => e.eventId)).toEqual(['d1']);
    expect(
      await outbox.complete({
        lane,
        workflowId: 'device:d',
        lease: claimed.lease,
        seqs: [0],
        leaseMs: 60_000,
      }),
    ).toEqual({ held: true, more: true });
    expect((await outbox.claim({ lane, max: 1, leaseMs: 1_000, owner: 'other' })).claimed).toEqual(
      [],
    );

    expect(
      await outbox.release({
        lane,
        workflowId: 'device:d',
        lease: claimed.lease,
        retryInMs: 60_000,
        error: 'Temporal is unavailable',
      }),
    ).toBe(true);
    // Backing off: not due, though owed.
    expect((await outbox.claim({ lane, max: 1, leaseMs: 1_000, owner: 'other' })).claimed).toEqual(
      [],
    );
    expect((await outbox.signalBacklog(lane)).owed).toBe(2);
    const [queue] = await graph.read<{ failures: number; lastError: string; lease: string | null }>(
      `MATCH (q:SignalQueue {lane: $lane, workflowId: 'device:d'})
       RETURN q.failures AS failures, q.lastError AS lastError, q.lease AS lease`,
      { lane },
    );
    expect(queue).toEqual({ failures: 1, lastError: 'Temporal is unavailable', lease: null });
    // A lease that is not held any more cannot be released again.
    expect(
      await outbox.release({ lane, workflowId: 'device:d', lease: claimed.lease, retryInMs: 0 }),
    ).toBe(false);
  });

  it('hands out owed signals with the claim and with each completion of several queues at once', async () => {
    const lane = await laneOwing(
      signal('device:f', 'f1'),
      signal('device:g', 'g1'),
      signal('device:f', 'f2'),
      signal('device:f', 'f3'),
    );
    const { claimed } = await outbox.claim({
      lane,
      max: 5,
      leaseMs: 60_000,
      owner: 'r',
      entries: 2,
    });
    const byId = new Map(claimed.map((q) => [q.workflowId, q]));
    const f = byId.get('device:f');
    const g = byId.get('device:g');
    if (!f || !g) throw new Error('both queues should be claimed');
    expect(f.owed?.map((e) => [e.seq, e.eventId])).toEqual([
      [0, 'f1'],
      [1, 'f2'],
    ]);
    expect(f.owed?.[0]?.event).toEqual(signal('device:f', 'f1').event);
    expect(g.owed?.map((e) => e.eventId)).toEqual(['g1']);

    // Results in the order asked, whatever order the queues are locked in; a lost lease
    // deletes what was delivered but hands out nothing.
    const results = await outbox.completeMany([
      { lane, workflowId: 'device:g', lease: g.lease, seqs: [0], leaseMs: 60_000, next: 2 },
      { lane, workflowId: 'device:f', lease: f.lease, seqs: [0, 1], leaseMs: 60_000, next: 2 },
      { lane, workflowId: 'device:f', lease: 'not-the-lease', seqs: [], leaseMs: 60_000 },
    ]);
    expect(results[0]).toEqual({ held: true, more: false });
    expect(results[1]?.held).toBe(true);
    expect(results[1]?.more).toBe(true);
    expect(results[1]?.owed?.map((e) => [e.seq, e.eventId])).toEqual([[2, 'f3']]);
    expect(results[2]).toEqual({ held: false, more: false });
    expect((await positions(lane, 'device:f')).map((p) => p.eventId)).toEqual(['f3']);
    expect(await positions(lane, 'device:g')).toEqual([]);

    expect(
      await outbox.completeMany([
        { lane, workflowId: 'device:f', lease: f.lease, seqs: [2], leaseMs: 60_000, next: 2 },
      ]),
    ).toEqual([{ held: true, more: false }]);
    expect(await outbox.completeMany([])).toEqual([]);
    // Without `entries`, a claim reads nothing owed.
    await owe(lane, signal('device:h', 'h1'));
    const [h] = (await outbox.claim({ lane, max: 5, leaseMs: 60_000, owner: 'r' })).claimed;
    expect(h?.workflowId).toBe('device:h');
    expect(h?.owed).toBeUndefined();
  });

  it('refuses signals it could not deliver', async () => {
    const lane = newLane();
    await expect(
      owe(lane, signal('device:e', 'e1'), {
        ...signal('device:e', 'e2'),
        workflowType: 'customerJourney',
      }),
    ).rejects.toThrow(/signals\[1\] names workflow device:e as customerJourney/);
    await expect(owe(lane, signal('device:e', ''))).rejects.toThrow(
      /signals\[0\] needs a workflow id and an event id/,
    );
    expect((await outbox.signalBacklog(lane)).owed).toBe(0);
  });
});
