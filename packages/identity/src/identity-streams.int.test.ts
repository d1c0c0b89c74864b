/**
 * The identity rules on a real Neo4j, through the service the intake uses (resolve, then apply):
 * random streams of identify and order events, in two orders, end with the same people, nobody
 * holds two loyalty ids, and a merge of any two of the people then its undo restores their
 * identities exactly.
 */
import fc from 'fast-check';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { parseIdentifier, type Identifier } from './identifiers';
import { IdentityError } from './identity-repository';
import { createIdentityService } from './identity-service';

jest.setTimeout(600_000);

interface StreamEvent {
  id: string;
  kind: 'identify' | 'order';
  /** Namespace and value, the value before its run's prefix. */
  identifiers: Array<[string, string]>;
}

describe('identity streams on a real Neo4j', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph: Graph = createGraph(driver, config.neo4j.database);
  const service = createIdentityService(graph, {
    sharedThreshold: 3,
    secret: 'identity-streams-secret',
    uniqueNamespaces: ['LOYALTY_ID'],
  });
  const run = uniqueKey('idstream').toLowerCase();
  const people = new Set<string>();
  let plays = 0;

  afterAll(async () => {
    await graph.write(
      `MATCH (m:Merge) WHERE m.survivorId IN $ids OR m.absorbedId IN $ids
       OPTIONAL MATCH (m)-[:KEPT]->(b) DETACH DELETE m, b`,
      { ids: [...people] },
    );
    await graph.write(
      `MATCH (c) WHERE (c:Customer OR c:MergedCustomer) AND c.id IN $ids DETACH DELETE c`,
      { ids: [...people] },
    );
    await graph.write(`MATCH (i:Identifier) WHERE i.key CONTAINS $run DETACH DELETE i`, { run });
    await driver.close();
  });

  const ident = (prefix: string, [namespace, value]: [string, string]): Identifier => {
    const v = namespace === 'EMAIL' ? `${prefix}.${value}` : `${prefix}-${value}`;
    const parsed = parseIdentifier({ namespace, value: v });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    return parsed.identifier;
  };

  /** Plays a stream with its identifiers under a fresh prefix; returns the prefix. */
  async function play(stream: readonly StreamEvent[]): Promise<string> {
    const prefix = `${run}-${(plays += 1)}`;
    for (const e of stream) {
      const identifiers = e.identifiers.map((i) => ident(prefix, i));
      const decision = await service.resolve({
        field: e.kind,
        mayCreate: e.kind === 'identify',
        customerId: null,
        identifiers,
        displayName: null,
      });
      if ('code' in decision) throw new Error(`${e.id} rejected: ${decision.message}`);
      if (decision.create) people.add(decision.create.id);
      const refused = await service.apply(decision, {
        eventId: `${prefix}-${e.id}`,
        occurredAt: new Date().toISOString(),
        reason: `stream event ${e.id}`,
        recordedBy: 'test:identity-streams',
      });
      if (refused) throw new Error(`${e.id} refused: ${refused.refused}`);
    }
    return prefix;
  }

  /** The people of a play: each one's unshared identifiers, the prefix taken off. */
  async function partition(prefix: string) {
    const rows = await graph.read<{ id: string; keys: string[] }>(
      `MATCH (c:Customer)-[:IDENTIFIED_BY]->(i:Identifier)
       WHERE i.key CONTAINS $prefix + '-' OR i.key CONTAINS $prefix + '.'
       WITH c, i ORDER BY i.key
       RETURN c.id AS id, collect(CASE WHEN i.shared THEN '*' + i.key ELSE i.key END) AS keys`,
      { prefix },
    );
    const strip = (key: string) => key.replace(`${prefix}-`, '').replace(`${prefix}.`, '');
    return {
      prefix,
      ids: rows.map((r) => r.id),
      groups: rows
        .map((r) =>
          r.keys
            .filter((k) => !k.startsWith('*'))
            .map(strip)
            .sort()
            .join(' '),
        )
        .sort(),
      loyaltyPerPerson: rows.map((r) => r.keys.filter((k) => k.includes('LOYALTY_ID:')).length),
    };
  }

  /** Every identity link of some people, as comparable strings. */
  async function identities(ids: string[]) {
    const rows = await graph.read<{ row: string }>(
      `MATCH (c)-[r:IDENTIFIED_BY]->(i:Identifier) WHERE c.id IN $ids
       RETURN c.id + ' ' + reduce(s = '', l IN labels(c) | s + l) + ' ' + i.key + ' ' +
         toString(r.since) + ' ' + r.eventId + ' ' + reduce(s = '', m IN coalesce(r.movedByMerges, []) | s + m + ';') AS row`,
      { ids },
    );
    return rows.map((r) => r.row).sort();
  }

  const connected = (stream: readonly StreamEvent[]) => {
    const parent = new Map<string, string>();
    const find = (k: string): string => {
      const p = parent.get(k) ?? k;
      return p === k ? k : find(p);
    };
    for (const e of stream) {
      const keys = e.identifiers.map(([n, v]) => `${n}:${v}`);
      for (const k of keys) if (!parent.has(k)) parent.set(k, k);
      for (const k of keys.slice(1)) parent.set(find(k), find(keys[0] as string));
    }
    const groups = new Map<string, string[]>();
    for (const k of parent.keys()) groups.set(find(k), [...(groups.get(find(k)) ?? []), k]);
    return [...groups.values()].map((g) => g.sort().join(' ')).sort();
  };

  /** Orders wait for an identify of one of their identifiers. */
  const identifiesFirst = (stream: readonly StreamEvent[]) => {
    const out: StreamEvent[] = [];
    const seen = new Set<string>();
    let waiting: StreamEvent[] = [];
    for (const e of stream) {
      if (e.kind === 'order') waiting.push(e);
      else {
        out.push(e);
        for (const [n, v] of e.identifiers) seen.add(`${n}:${v}`);
      }
      const ready = waiting.filter((w) => w.identifiers.some(([n, v]) => seen.has(`${n}:${v}`)));
      waiting = waiting.filter((w) => !ready.includes(w));
      out.push(...ready);
    }
    return out;
  };

  const own = (p: number): Array<[string, string]> => [
    ['LOYALTY_ID', `ly${p}`],
    ['EMAIL', `p${p}@example.com`],
    ['SOCIAL_HANDLE', `h${p}`],
    ['APP_INSTALL', `app${p}`],
  ];
  const stream = fc
    .record({
      people: fc.integer({ min: 1, max: 3 }),
      picks: fc.array(
        fc.record({
          person: fc.nat(2),
          kind: fc.constantFrom('identify' as const, 'order' as const),
          ids: fc.uniqueArray(fc.nat(3), { minLength: 1, maxLength: 3 }),
        }),
        { minLength: 2, maxLength: 7 },
      ),
    })
    .map(({ people: n, picks }) => {
      const events: StreamEvent[] = picks.map((pick, i) => ({
        id: `e${i}`,
        kind: pick.kind,
        identifiers: pick.ids.map((x) => own(pick.person % n)[x] as [string, string]),
      }));
      const identified = new Set(
        events
          .filter((e) => e.kind === 'identify')
          .flatMap((e) => e.identifiers.map(([ns, v]) => `${ns}:${v}`)),
      );
      return events.map((e) =>
        e.kind === 'order' && !e.identifiers.some(([ns, v]) => identified.has(`${ns}:${v}`))
          ? { ...e, kind: 'identify' as const }
          : e,
      );
    });
  const shuffled = (s: StreamEvent[]) =>
    fc
      .array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: s.length,
        maxLength: s.length,
      })
      .map((w) =>
        s
          .map((e, i) => ({ e, w: w[i] as number }))
          .sort((a, b) => a.w - b.w)
          .map((x) => x.e),
      );

  it('consistent streams end with the same people in two orders, and a merge undoes exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        stream.chain((s) => fc.record({ s: fc.constant(s), order: shuffled(s) })),
        fc.nat(),
        async ({ s, order }, pick) => {
          const expected = connected(s);
          const first = await partition(await play(identifiesFirst(s)));
          const second = await partition(await play(identifiesFirst(order)));
          expect(first.groups).toEqual(expected);
          expect(second.groups).toEqual(expected);
          expect(first.loyaltyPerPerson.every((n) => n <= 1)).toBe(true);

          // A merge by hand of two of the people, then its undo.
          if (first.ids.length < 2) return;
          const survivorId = first.ids[pick % first.ids.length] as string;
          const absorbedId = first.ids.find((id) => id !== survivorId) as string;
          const before = await identities([survivorId, absorbedId]);
          const both = await graph.read<{ n: number }>(
            `MATCH (c:Customer)-[:IDENTIFIED_BY]->(i:Identifier {namespace: 'LOYALTY_ID'})
             WHERE c.id IN $ids RETURN count(DISTINCT c) AS n`,
            { ids: [survivorId, absorbedId] },
          );
          const merging = service.repository.mergeCustomers({
            survivorId,
            absorbedId,
            reason: 'property test',
          });
          if (both[0]?.n === 2) {
            await expect(merging).rejects.toThrow(IdentityError);
            await expect(merging).rejects.toThrow(/each holds a LOYALTY_ID of their own/);
            expect(await identities([survivorId, absorbedId])).toEqual(before);
            return;
          }
          const merge = await merging;
          expect((await partition(first.prefix)).loyaltyPerPerson.every((n) => n <= 1)).toBe(true);
          await service.repository.undoMerge({ mergeId: merge.id, reason: 'property test' });
          expect(await identities([survivorId, absorbedId])).toEqual(before);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('kiosk streams keep every member apart and share what three of them used, in two orders', async () => {
    const kiosk = fc
      .array(
        fc.record({
          person: fc.nat(3),
          kind: fc.constantFrom('identify' as const, 'order' as const),
          own: fc.subarray([0, 1]),
          noise: fc.subarray([0, 1]),
        }),
        { minLength: 3, maxLength: 8 },
      )
      .map((picks) =>
        picks.map((pick, i): StreamEvent & { person: number } => ({
          id: `e${i}`,
          person: pick.person,
          kind: pick.kind,
          identifiers: [
            ['LOYALTY_ID', `kly${pick.person}`],
            ...pick.own.map(
              (x) =>
                (x === 0
                  ? ['EMAIL', `k${pick.person}@example.com`]
                  : ['APP_INSTALL', `kapp${pick.person}`]) as [string, string],
            ),
            ...pick.noise.map(
              (x) =>
                (x === 0 ? ['COOKIE', 'kiosk-tablet'] : ['SOCIAL_HANDLE', 'store-kiosk']) as [
                  string,
                  string,
                ],
            ),
          ],
        })),
      );
    // An order waits for an identify of its card.
    const cardsFirst = (events: ReadonlyArray<StreamEvent & { person: number }>) => {
      const out: StreamEvent[] = [];
      const seen = new Set<number>();
      let waiting: Array<StreamEvent & { person: number }> = [];
      for (const e of events) {
        if (e.kind === 'identify') {
          out.push(e);
          seen.add(e.person);
        } else waiting.push(e);
        out.push(...waiting.filter((w) => seen.has(w.person)));
        waiting = waiting.filter((w) => !seen.has(w.person));
      }
      return out;
    };
    await fc.assert(
      fc.asyncProperty(
        kiosk.chain((s) => fc.record({ s: fc.constant(s), order: shuffled(s) })),
        async ({ s, order }) => {
          const played = cardsFirst(s);
          const truth = new Map<number, Set<string>>();
          const users = new Map<string, Set<number>>();
          for (const e of played as Array<StreamEvent & { person: number }>) {
            for (const [n, v] of e.identifiers) {
              const key = `${n}:${v}`;
              if (v === 'kiosk-tablet' || v === 'store-kiosk') {
                users.set(key, (users.get(key) ?? new Set()).add(e.person));
              } else truth.set(e.person, (truth.get(e.person) ?? new Set()).add(key));
            }
          }
          const expected = [...truth.values()].map((keys) => [...keys].sort().join(' ')).sort();
          for (const events of [played, cardsFirst(order as typeof s)]) {
            const prefix = await play(events);
            const rows = await graph.read<{ id: string; keys: string[]; merges: number }>(
              `MATCH (c:Customer)-[:IDENTIFIED_BY]->(i:Identifier)
               WHERE i.key CONTAINS $prefix + '-' OR i.key CONTAINS $prefix + '.'
               WITH c, i ORDER BY i.key
               RETURN c.id AS id, collect(i.key) AS keys,
                 COUNT { (m:Merge) WHERE m.survivorId = c.id } AS merges`,
              { prefix },
            );
            const strip = (key: string) => key.replace(`${prefix}-`, '').replace(`${prefix}.`, '');
            const noise = (key: string) => /kiosk-tablet|store-kiosk/.test(key);
            expect(rows.every((r) => r.merges === 0)).toBe(true);
            expect(
              rows
                .map((r) =>
                  r.keys
                    .filter((k) => !noise(k))
                    .map(strip)
                    .sort()
                    .join(' '),
                )
                .sort(),
            ).toEqual(expected);
            const shared = await graph.read<{ key: string; shared: boolean }>(
              `MATCH (i:Identifier) WHERE i.key CONTAINS $prefix + '-'
                 AND (i.key ENDS WITH 'kiosk-tablet' OR i.key ENDS WITH 'store-kiosk')
               RETURN i.key AS key, i.shared AS shared`,
              { prefix },
            );
            for (const { key, shared: isShared } of shared) {
              expect([strip(key), isShared]).toEqual([
                strip(key),
                (users.get(strip(key))?.size ?? 0) >= 3,
              ]);
            }
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('links one of two cards decided at the same time for one person, and refuses the other', async () => {
    const prefix = `${run}-race`;
    const [first, second] = [
      ident(prefix, ['LOYALTY_ID', 'one']),
      ident(prefix, ['LOYALTY_ID', 'two']),
    ];
    const email = ident(prefix, ['EMAIL', 'racer@example.com']);
    const created = await service.resolve({
      field: 'identify',
      mayCreate: true,
      customerId: null,
      identifiers: [email],
      displayName: null,
    });
    if ('code' in created || !created.create) throw new Error('the person was not created');
    people.add(created.create.id);
    const event = (id: string) => ({
      eventId: `${prefix}-${id}`,
      occurredAt: new Date().toISOString(),
      reason: 'race',
      recordedBy: 'test:identity-streams',
    });
    expect(await service.apply(created, event('signup'))).toBeNull();
    // Both decided on the same graph, before either is applied: each would link its card.
    const decisions = await Promise.all(
      [first, second].map((card) =>
        service.resolve({
          field: 'identify',
          mayCreate: true,
          customerId: null,
          identifiers: [email, card],
          displayName: null,
        }),
      ),
    );
    for (const d of decisions) {
      if ('code' in d) throw new Error(d.message);
      expect(d.links).toHaveLength(1);
    }
    const applied = await Promise.all(
      decisions.map((d, i) =>
        service.apply(d as Exclude<typeof d, { code: string }>, event(`card-${i}`)),
      ),
    );
    expect(applied.filter((a) => a === null)).toHaveLength(1);
    expect(applied.find((a) => a !== null)?.refused).toMatch(
      /was not linked: the person meanwhile holds another LOYALTY_ID; send the event again/,
    );
    const cards = await graph.read<{ key: string }>(
      `MATCH (:Customer {id: $id})-[:IDENTIFIED_BY]->(i:Identifier {namespace: 'LOYALTY_ID'})
       RETURN i.key AS key`,
      { id: created.create.id },
    );
    expect(cards).toHaveLength(1);
  });
});
