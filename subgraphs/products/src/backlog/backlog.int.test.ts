import pino from 'pino';
import type { Principal } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { oweSignals } from '@experience-graph/outbox';
import { serveSigned, type SignedSubgraph } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';
import type { LifecycleGateway } from '@experience-graph/workflows';
import { createProductsSubgraph } from '../server';

/** The signal backlog, read from the products subgraph as the gateway calls it (signed). */
const config = loadConfig(process.env);
const driver = createDriver(config.neo4j);
const graph = createGraph(driver, config.neo4j.database);
const lane = uniqueKey('backlog-int');
const service: Principal = { kind: 'service', id: 'local' };
const admin: Principal = { kind: 'employee', id: `${lane}-admin`, roles: ['admin'] };
const support: Principal = { kind: 'employee', id: `${lane}-support`, roles: ['support'] };
const BACKLOG = '{ signalBacklog { owed oldestOwedAt oldestAgeSeconds } }';

let subgraph: SignedSubgraph;

beforeAll(async () => {
  const built = await createProductsSubgraph({
    graph,
    lifecycle: {} as LifecycleGateway,
    identity: config.identity,
    erasureSalt: config.erasure.salt,
    signing: config.signing,
    logger: pino({ level: 'silent' }),
    lane,
  });
  subgraph = await serveSigned(built, config.signing.secret);
});

afterAll(async () => {
  await subgraph?.stop();
  await graph.write(
    'MATCH (n) WHERE (n:SignalQueue OR n:OwedSignal) AND n.lane = $lane DETACH DELETE n',
    { lane },
  );
  await driver.close();
});

describe('Query.signalBacklog', () => {
  it('is empty on a lane nothing is owed on', async () => {
    const answer = await subgraph.call(service, BACKLOG);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      signalBacklog: { owed: 0, oldestOwedAt: null, oldestAgeSeconds: null },
    });
  });

  it('counts what its lane owes and how old the oldest is, for services and admins', async () => {
    const before = Date.now();
    await graph.transaction((tx) =>
      oweSignals(
        tx,
        lane,
        ['e1', 'e2', 'e3'].map((eventId) => ({
          workflowType: 'deviceLifecycle' as const,
          workflowId: `device:${lane}`,
          eventId,
          event: { eventId, serial: lane, type: 'FEEDBACK' },
        })),
      ),
    );
    // Another lane's signals are not this system's.
    await graph.transaction((tx) =>
      oweSignals(tx, `${lane}-other`, [
        { workflowType: 'deviceLifecycle', workflowId: `device:${lane}`, eventId: 'x', event: {} },
      ]),
    );
    for (const principal of [service, admin]) {
      const answer = await subgraph.call<{
        signalBacklog: { owed: number; oldestOwedAt: string; oldestAgeSeconds: number };
      }>(principal, BACKLOG);
      expect(answer.errors).toBeUndefined();
      const backlog = answer.data?.signalBacklog;
      expect(backlog?.owed).toBe(3);
      expect(Date.parse(backlog?.oldestOwedAt ?? '')).toBeGreaterThanOrEqual(before - 5_000);
      expect(backlog?.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
      expect(backlog?.oldestAgeSeconds).toBeLessThan(120);
    }
    await graph.write(
      'MATCH (n) WHERE (n:SignalQueue OR n:OwedSignal) AND n.lane = $lane DETACH DELETE n',
      {
        lane: `${lane}-other`,
      },
    );
  });

  it('is refused to other employees', async () => {
    const answer = await subgraph.call(support, BACKLOG);
    expect(answer.data?.signalBacklog).toBeUndefined();
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
