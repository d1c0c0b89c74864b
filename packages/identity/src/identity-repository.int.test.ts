import fc from 'fast-check';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { parseIdentifier, type Identifier } from './identifiers';
import { createIdentityRepository, IdentityError } from './identity-repository';
import type { IdentityChanges } from './identity-rules';
import { createIdentityService } from './identity-service';

/**
 * Merges and undos on the real Neo4j: every relationship of both people, with its type,
 * direction, other end and properties, must be exactly as before once a merge is undone.
 */
// The labels a person of these tests has, before a merge and after: matching by them keeps
// every lookup off a scan of the whole shared graph.
const PERSON = 'Customer|MergedCustomer';

describe('merging and undoing on a real Neo4j', () => {
  const config = loadConfig(process.env).neo4j;
  const driver = createDriver(config);
  const graph: Graph = createGraph(driver, config.database);
  const repo = createIdentityRepository(graph);
  const run = uniqueKey('identity-int');
  const made: string[] = [];
  const person = (name: string) => {
    const id = `${run}-${name}-${made.length}`;
    made.push(id);
    return id;
  };

  afterAll(async () => {
    await graph.write(
      `MATCH (m:Merge) WHERE m.survivorId IN $ids OR m.absorbedId IN $ids
       OPTIONAL MATCH (m)-[:KEPT]->(b) DETACH DELETE m, b`,
      { ids: made },
    );
    await graph.write(`MATCH (n) WHERE n.testRun = $run DETACH DELETE n`, { run });
    await driver.close();
  });

  /** Every relationship touching the people, as comparable plain values, sorted. */
  async function snapshot(ids: string[]) {
    const rows = await graph.read<{ row: unknown }>(
      `UNWIND $ids AS id
       MATCH (p:${PERSON} {id: id}) WHERE p.testRun = $run
       MATCH (p)-[r]-(x)
       RETURN {person: id, labels: labels(p), type: type(r), outgoing: startNode(r) = p,
               other: coalesce(x.id, x.key, elementId(x)), props: properties(r)} AS row`,
      { ids, run },
    );
    const consents = await graph.read<{ row: unknown }>(
      `UNWIND $ids AS id MATCH (p:${PERSON} {id: id})-[:GAVE]->(k:Consent)
       RETURN {person: id, purpose: k.purpose, granted: k.granted, at: toString(k.updatedAt)} AS row`,
      { ids },
    );
    const people = await graph.read<{ row: unknown }>(
      `UNWIND $ids AS id MATCH (p:${PERSON} {id: id}) WHERE p.testRun = $run
       RETURN {id: id, labels: labels(p), optedOut: p.optedOutSkus} AS row`,
      { ids, run },
    );
    return {
      relationships: rows.map((r) => plain(r.row)).sort(),
      consents: consents.map((r) => plain(r.row)).sort(),
      people: people.map((r) => plain(r.row)).sort(),
    };
  }

  /** JSON with map keys sorted (Neo4j maps have no order) and temporal values as strings. */
  function plain(value: unknown): string {
    const canonical = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(canonical);
      if (v === null || typeof v !== 'object') return v;
      if (v.constructor !== Object) return String(v);
      const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
        a < b ? -1 : 1,
      );
      return Object.fromEntries(entries.map(([k, x]) => [k, canonical(x)]));
    };
    return JSON.stringify(canonical(value));
  }

  async function createPeople(ids: string[]) {
    await graph.write(
      `UNWIND range(0, size($ids) - 1) AS i
       CREATE (:Customer {id: $ids[i], displayName: $ids[i], testRun: $run,
                          createdAt: datetime('2026-01-01T00:00:00Z') + duration({days: i})})`,
      { ids, run },
    );
  }

  it('moves every relationship to the survivor and the undo restores both people exactly', async () => {
    const [ana, ben] = [person('ana'), person('ben')];
    await createPeople([ana, ben]);
    await graph.write(
      `MATCH (a:Customer {id: $ana}), (b:Customer {id: $ben})
       SET b.optedOutSkus = ['SKU-X']
       CREATE (a)-[:HAD {note: 'a'}]->(:Touchpoint {id: $run + '-t1', testRun: $run})
       CREATE (b)-[:HAD {weights: [1, 2]}]->(:Touchpoint:StoreProximity {id: $run + '-t2', type: 'STORE_PROXIMITY', testRun: $run})
       CREATE (b)-[:OWNS {since: datetime('2026-03-01T00:00:00Z')}]->(:Device {id: $run + '-d', testRun: $run})
       CREATE (:Coupon {id: $run + '-cp', testRun: $run})-[:ISSUED_TO]->(b)
       CREATE (b)-[:IDENTIFIED_BY {eventId: 'e1'}]->(:Identifier {key: $run + ':EMAIL', testRun: $run})
       CREATE (b)-[:FOLLOWS]->(a)
       CREATE (b)-[:GAVE]->(:Consent {customerId: $ben, purpose: 'MARKETING_CONTACT', granted: false,
                                      updatedAt: datetime('2026-05-01T00:00:00Z'), testRun: $run})
       CREATE (a)-[:GAVE]->(:Consent {customerId: $ana, purpose: 'MARKETING_CONTACT', granted: true,
                                      updatedAt: datetime('2026-04-01T00:00:00Z'), testRun: $run})
       CREATE (b)-[:GAVE]->(:Consent {customerId: $ben, purpose: 'TELEMETRY_USE', granted: true,
                                      updatedAt: datetime('2026-04-01T00:00:00Z'), testRun: $run})`,
      { ana, ben, run },
    );
    const before = await snapshot([ana, ben]);

    const merge = await repo.mergeCustomers({
      survivorId: ana,
      absorbedId: ben,
      reason: 'same person',
    });
    expect(merge).toMatchObject({ survivorId: ana, absorbedId: ben, undoneAt: null });
    const merged = await snapshot([ana, ben]);
    // Ben keeps only his node (and his own consents, kept for the undo) and the merge link.
    expect(
      merged.relationships.filter((r) => r.includes(`"person":"${ben}"`) && !r.includes('"GAVE"')),
    ).toEqual([expect.stringContaining('"type":"MERGED_INTO"')]);
    expect(merged.people).toContain(
      plain({ id: ben, labels: ['MergedCustomer'], optedOut: ['SKU-X'] }),
    );
    expect(merged.people).toContain(plain({ id: ana, labels: ['Customer'], optedOut: ['SKU-X'] }));
    // Ben's more recent marketing decision applies to Ana; his telemetry consent is copied.
    expect(merged.consents).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`"granted":false,"person":"${ana}","purpose":"MARKETING_CONTACT"`),
        ),
        expect.stringMatching(
          new RegExp(`"granted":true,"person":"${ana}","purpose":"TELEMETRY_USE"`),
        ),
      ]),
    );
    expect((await repo.canonicalPeople([ben])).get(ben)?.id).toBe(ana);
    expect((await repo.mergesByCustomer([ana])).get(ana)?.map((m) => m.id)).toEqual([merge.id]);
    // Ben's store visit is Ana's now, still labelled a store visit (the funnel finds it so).
    const visitsOf = (id: string) =>
      graph.read<{ id: string }>(
        'MATCH (:Customer {id: $id})-[:HAD]->(t:StoreProximity) RETURN t.id AS id',
        { id },
      );
    expect(await visitsOf(ana)).toEqual([{ id: `${run}-t2` }]);

    const undone = await repo.undoMerge({ mergeId: merge.id, reason: 'not the same' });
    // Printed as the API prints every instant: UTC with three fraction digits, zeros kept.
    expect(undone.undoneAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(undone.at).toMatch(/\.\d{3}Z$/);
    expect(await snapshot([ana, ben])).toEqual(before);
    expect(await visitsOf(ben)).toEqual([{ id: `${run}-t2` }]);
    expect(await visitsOf(ana)).toEqual([]);

    await expect(repo.undoMerge({ mergeId: merge.id, reason: 'again' })).rejects.toThrow(
      `Merge ${merge.id} was already undone at ${undone.undoneAt}`,
    );
    await expect(repo.undoMerge({ mergeId: `${run}-nope`, reason: 'x' })).rejects.toThrow(
      `No merge has id ${run}-nope`,
    );
  });

  it('refuses merges that break referrals, and undos that a later merge depends on', async () => {
    const [zoe, ana, ben, cat, dan] = [
      person('zoe'),
      person('ana'),
      person('ben'),
      person('cat'),
      person('dan'),
    ];
    await createPeople([zoe, ana, ben, cat, dan]);
    // zoe -> ana -> cat: merging zoe and cat would close a cycle; ana and cat refer each other.
    await graph.write(
      `MATCH (z:Customer {id: $zoe}), (a:Customer {id: $ana}), (c:Customer {id: $cat})
       CREATE (z)-[:REFERRED {sku: 'S'}]->(a)-[:REFERRED {sku: 'S'}]->(c)`,
      { zoe, ana, cat },
    );
    const before = await snapshot([zoe, ana, ben, cat, dan]);
    const refused = async (survivorId: string, absorbedId: string, message: RegExp) => {
      const error: unknown = await repo
        .mergeCustomers({ survivorId, absorbedId, reason: 'test' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentityError);
      expect((error as IdentityError).code).toBe('CONFLICT');
      expect((error as Error).message).toMatch(message);
    };
    await refused(zoe, cat, /merges that would form a cycle/);
    await refused(ana, cat, /referred themselves/);
    expect(await snapshot([zoe, ana, ben, cat, dan])).toEqual(before);

    const first = await repo.mergeCustomers({ survivorId: ana, absorbedId: ben, reason: 'one' });
    await refused(ben, ana, new RegExp(`${ben} was merged into ${ana}`));
    const second = await repo.mergeCustomers({ survivorId: dan, absorbedId: ana, reason: 'two' });
    await expect(repo.undoMerge({ mergeId: first.id, reason: 'x' })).rejects.toThrow(
      `Merge ${first.id} cannot be undone while merge ${second.id} (${ana} into ${dan}) depends on it: undo ${second.id} first`,
    );
    await repo.undoMerge({ mergeId: second.id, reason: 'x' });
    await repo.undoMerge({ mergeId: first.id, reason: 'x' });
    expect(await snapshot([zoe, ana, ben, cat, dan])).toEqual(before);
  });

  it('applies an event twice (a resend after a crash) without merging or linking twice', async () => {
    const service = createIdentityService(graph, {
      sharedThreshold: 3,
      secret: 'test-identity-secret',
      uniqueNamespaces: ['LOYALTY_ID'],
    });
    const key = (namespace: string, value: string): Identifier => {
      const parsed = parseIdentifier({ namespace, value });
      if (!parsed.ok) throw new Error(parsed.problem.message);
      return parsed.identifier;
    };
    const [ana, ben] = [person('ana'), person('ben')];
    await createPeople([ana, ben]);
    const emailAna = key('EMAIL', `${ana}@example.com`);
    const loyaltyBen = key('LOYALTY_ID', `${ben}-card`);
    const event = {
      eventId: `${run}-e1`,
      occurredAt: '2026-06-01T00:00:00Z',
      reason: 'test',
      recordedBy: 'service:test',
    };
    const named = (customerId: string, identifier: Identifier) => ({
      field: 'identify',
      mayCreate: true,
      customerId,
      identifiers: [identifier],
      displayName: null,
    });
    for (const [who, identifier] of [
      [ana, emailAna],
      [ben, loyaltyBen],
    ] as const) {
      expect(
        await service.apply(
          (await service.resolve(named(who, identifier))) as IdentityChanges,
          event,
        ),
      ).toBeNull();
    }
    const tie = {
      field: 'identify',
      mayCreate: true,
      customerId: null,
      identifiers: [emailAna, loyaltyBen],
      displayName: null,
    };
    const first = (await service.resolve(tie)) as IdentityChanges;
    expect(first.merges).toEqual([
      { survivorId: ben, absorbedId: ana, identifierKey: emailAna.key },
    ]);
    expect(await service.apply(first, event)).toBeNull();
    // The answer was lost; the sender resends: same person, nothing more to merge or link.
    const again = (await service.resolve(tie)) as IdentityChanges;
    expect(again).toMatchObject({ customerId: ben, merges: [], links: [], create: null });
    expect(await service.apply(again, event)).toBeNull();
    const merges = await repo.mergesByCustomer([ben]);
    expect(merges.get(ben)).toHaveLength(1);
    const links = await graph.read<{ n: number }>(
      `MATCH (:Customer {id: $ben})-[r:IDENTIFIED_BY]->(i:Identifier) WHERE i.key IN $keys RETURN count(r) AS n`,
      { ben, keys: [emailAna.key, loyaltyBen.key] },
    );
    expect(links[0]?.n).toBe(2);
    // Provenance: who linked each identifier and who made the merge.
    const provenance = await graph.read<{ linkedBy: string[]; recordedBy: string }>(
      `MATCH (:Customer {id: $ben})-[r:IDENTIFIED_BY]->(i:Identifier) WHERE i.key IN $keys
       WITH collect(DISTINCT r.linkedBy) AS linkedBy
       MATCH (m:Merge {survivorId: $ben}) RETURN linkedBy, m.recordedBy AS recordedBy`,
      { ben, keys: [emailAna.key, loyaltyBen.key] },
    );
    expect(provenance).toEqual([{ linkedBy: ['service:test'], recordedBy: 'service:test' }]);
    const undone = await repo.undoMerge({
      mergeId: merges.get(ben)?.[0]?.id as string,
      reason: 'test',
    });
    expect(undone.undoneAt).not.toBeNull();
    await graph.write(`MATCH (i:Identifier) WHERE i.key IN $keys DETACH DELETE i`, {
      keys: [emailAna.key, loyaltyBen.key],
    });
  });

  it('undoes any merge exactly, on small random graphs', async () => {
    const types = ['HAD', 'OWNS', 'IDENTIFIED_BY', 'KNOWS'] as const;
    const edge = fc.record({
      from: fc.nat(5),
      to: fc.nat(5),
      type: fc.constantFrom(...types),
      props: fc.dictionary(
        fc.constantFrom('a', 'b', 'eventId'),
        fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(edge, { maxLength: 12 }),
        fc.constantFrom([0, 1], [1, 0], [0, 2], [2, 1]),
        async (edges, [survivor, absorbed]) => {
          // Nodes 0-2 are people, 3-5 other things; no self-loops.
          const ids = [person('p'), person('p'), person('p')];
          await createPeople(ids);
          const things = [0, 1, 2].map((i) => `${ids[0]}-thing-${i}`);
          await graph.write(`UNWIND $things AS id CREATE (:Thing {id: id, testRun: $run})`, {
            things,
            run,
          });
          const nodes = [...ids, ...things];
          const rels = edges
            .filter((e) => e.from !== e.to && (e.from < 3 || e.to < 3))
            .map((e) => ({ from: nodes[e.from], to: nodes[e.to], type: e.type, props: e.props }));
          await graph.write(
            `UNWIND $rels AS r
             MATCH (a:${PERSON}|Thing {id: r.from}) WHERE a.testRun = $run
             MATCH (b:${PERSON}|Thing {id: r.to}) WHERE b.testRun = $run
             CREATE (a)-[n:$(r.type)]->(b) SET n = r.props`,
            { rels, run },
          );
          const before = await snapshot(ids);
          const merge = await repo.mergeCustomers({
            survivorId: ids[survivor] as string,
            absorbedId: ids[absorbed] as string,
            reason: 'property',
          });
          const during = await snapshot(ids);
          const absorbedRels = during.relationships.filter(
            (r) => r.includes(`"person":"${ids[absorbed]}"`) && !r.includes('MERGED_INTO'),
          );
          expect(absorbedRels).toEqual([]);
          await repo.undoMerge({ mergeId: merge.id, reason: 'property' });
          expect(await snapshot(ids)).toEqual(before);
        },
      ),
      { numRuns: 25 },
    );
  });
});
