import type { Observation } from './client';
import type { FaultRecord } from './faults';
import { faultInvariants, summarizeFaults, summarizeMemory } from './report';

const obs = (
  sentAt: number,
  latencyMs: number,
  codes: string[],
  status: number | null = 200,
): Observation => ({
  kind: 'events',
  sentAt,
  latencyMs,
  status,
  codes,
  ok: codes.every((c) => c === 'ACCEPTED'),
  retryAfter: status === 503 ? '1' : null,
  leak: null,
});

const fault: FaultRecord = {
  fault: 'neo4j',
  round: 1,
  process: 'neo4j',
  pid: 42,
  killedAt: 10_000,
  restoredAt: 40_000,
  recoveredAt: 43_000,
  lost: [],
  error: null,
};

describe('the chaos report', () => {
  it('counts what clients got from the kill until they were served again', () => {
    const [summary] = summarizeFaults(
      [fault],
      [
        obs(5_000, 100, ['ACCEPTED']),
        obs(12_000, 2_000, ['UNAVAILABLE']),
        obs(20_000, 300, ['UNAVAILABLE'], 503),
        obs(41_000, 900, ['ACCEPTED']),
        obs(50_000, 100, ['ACCEPTED']),
      ],
      15_000,
    );
    expect(summary).toMatchObject({
      downS: 30,
      recoverS: 3,
      recoverFromKillS: 33,
      requests: 3,
      maxLatencyDownMs: 2_000,
      maxUnavailableMs: 2_000,
      overBound: 0,
      unavailable503: 1,
      withRetryAfter: 1,
      outcomes: { UNAVAILABLE: 2, ACCEPTED: 1 },
    });
    expect(summary?.slowest).toEqual([
      { kind: 'events', sentAfterKillS: 2, latencyMs: 2_000, codes: ['UNAVAILABLE'] },
      { kind: 'events', sentAfterKillS: 31, latencyMs: 900, codes: ['ACCEPTED'] },
      { kind: 'events', sentAfterKillS: 10, latencyMs: 300, codes: ['UNAVAILABLE'] },
    ]);
  });

  it('fails the bound for an answer too late or none at all, and a process that had to be restarted', () => {
    const summaries = summarizeFaults(
      [{ ...fault, lost: ['worker'] }],
      [obs(12_000, 16_000, ['UNAVAILABLE']), obs(13_000, 60_000, ['NO_ANSWER'], null)],
      15_000,
    );
    const [leaks, bound, recovery] = faultInvariants(summaries, 15_000, [
      { ...obs(12_000, 100, ['UNAVAILABLE']), leak: 'connect ECONNREFUSED 127.0.0.1:4001' },
    ]);
    expect(leaks).toMatchObject({ ok: false });
    expect(leaks?.detail).toContain('127.0.0.1:4001');
    expect(bound).toMatchObject({ ok: false });
    expect(bound?.detail).toContain('2 answers over the bound');
    expect(recovery).toMatchObject({ ok: false });
    expect(recovery?.detail).toContain('worker died');
  });

  it('measures how far memory moves from its first warm sample', () => {
    const [worker] = summarizeMemory(
      [
        { atS: 0, rssMb: { worker: 50 } },
        { atS: 300, rssMb: { worker: 100 } },
        { atS: 600, rssMb: { worker: 108 } },
        { atS: 900, rssMb: { worker: 95 } },
      ],
      300,
    );
    expect(worker).toMatchObject({
      firstWarmMb: 100,
      lastMb: 95,
      maxWarmMb: 108,
      maxDeviationPct: 8,
    });
  });
});
