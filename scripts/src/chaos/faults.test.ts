import type { Observation } from './client';
import { schedule, servedAgainAt } from './faults';
import { DEFAULT_OPTIONS } from './options';

const seen = (
  kind: Observation['kind'],
  sentAt: number,
  latencyMs: number,
  ok: boolean,
): Observation => ({
  kind,
  sentAt,
  latencyMs,
  status: 200,
  codes: [ok ? 'OK' : 'UNAVAILABLE'],
  ok,
  retryAfter: null,
  leak: null,
});

describe('the fault schedule', () => {
  it('kills each process as often as asked, with its own downtime, in the order given', () => {
    expect(
      schedule({ ...DEFAULT_OPTIONS, faults: ['neo4j', 'worker'], workerKills: 2, neo4jDownS: 45 }),
    ).toEqual([
      { fault: 'neo4j', round: 1, downS: 45 },
      { fault: 'worker', round: 1, downS: DEFAULT_OPTIONS.workerDownS },
      { fault: 'worker', round: 2, downS: DEFAULT_OPTIONS.workerDownS },
    ]);
  });
});

describe('served again', () => {
  it('is when both a write and a read sent after the restart were answered in full', () => {
    const observations = [
      seen('events', 900, 50, true), // before the restart: does not count
      seen('events', 1_000, 300, false),
      seen('read', 1_100, 200, true),
      seen('events', 1_200, 400, true),
    ];
    expect(servedAgainAt(observations, 1_000)).toBe(1_600);
    expect(servedAgainAt(observations.slice(0, 3), 1_000)).toBeNull();
  });
});
