import fc from 'fast-check';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { erasureIdOf } from '@experience-graph/erasure-keys';
import { ERASURE_STEPS } from '@experience-graph/workflows';
import {
  createErasureActivities,
  type ErasureLifecycles,
  type PersonLifecycles,
} from '@experience-graph/workflows/worker';
import { createValueRepository } from '../value/value-repository';
import { createErasureRepository } from './erasure-repository';

/**
 * Erasure on random small graphs, on the real Neo4j: customers with referrals forming a forest,
 * orders of devices attributed to campaigns, touchpoints with personal fields, consents,
 * identifiers (some shared), coupons. Some people are erased, first interrupted after k steps
 * and then in full; a twin graph is erased without interruption. Every run uses its own keys.
 */
const NUM_RUNS = 12;

const config = loadConfig(process.env);
const driver = createDriver(config.neo4j);
const graph = createGraph(driver, config.neo4j.database);
const salt = uniqueKey('erasure-test-salt');
const stopped: PersonLifecycles[] = [];
const lifecycles: ErasureLifecycles = {
  stop: async (person) => {
    stopped.push(person);
    return { journeys: person.skus.length, devices: person.serials.length };
  },
};
const steps = createErasureActivities({ graph, salt, lifecycles });
const erasures = createErasureRepository(graph);
const values = createValueRepository(graph, {
  referralDiscount: 0.5,
  referralMaxHops: 10,
  helpfulVoteValue: 2,
  superUserMinHelpfulVotes: 5,
});

interface World {
  referrers: Array<number | null>;
  orders: Array<{ buyer: number; amount: number; campaign: number | null; model: number }>;
  touches: Array<{ customer: number; campaign: number; type: string; personal: boolean }>;
  consents: boolean[];
  identifiers: number[];
  sharedBy: [number, number] | null;
  coupons: boolean[];
  preferences: boolean[];
  journeys: Array<{ customer: number; model: number }>;
  erased: number[];
  interruptAfter: number;
}

const world: fc.Arbitrary<World> = fc.integer({ min: 2, max: 7 }).chain((n) => {
  const who = fc.integer({ min: 0, max: n - 1 });
  return fc.record({
    // Each person's referrer comes before them: a forest, as the intake guarantees.
    referrers: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: i - 1 })),
      ),
    ),
    orders: fc.array(
      fc.record({
        buyer: who,
        amount: fc.integer({ min: 1, max: 900 }),
        campaign: fc.option(fc.integer({ min: 0, max: 1 })),
        model: fc.integer({ min: 0, max: 1 }),
      }),
      { maxLength: 8 },
    ),
    touches: fc.array(
      fc.record({
        customer: who,
        campaign: fc.integer({ min: 0, max: 1 }),
        type: fc.constantFrom('AD_IMPRESSION', 'AD_CLICK', 'FEEDBACK', 'REFERRAL'),
        personal: fc.boolean(),
      }),
      { maxLength: 12 },
    ),
    consents: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    identifiers: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
    sharedBy: fc.option(fc.tuple(who, who).filter(([a, b]) => a !== b)),
    coupons: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    preferences: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    journeys: fc.array(fc.record({ customer: who, model: fc.integer({ min: 0, max: 1 }) }), {
      maxLength: 4,
    }),
    erased: fc.uniqueArray(who, { minLength: 1, maxLength: Math.max(1, n - 1) }),
    interruptAfter: fc.integer({ min: 0, max: ERASURE_STEPS.length - 1 }),
  }) as fc.Arbitrary<World>;
});

const customerId = (p: string, i: number) => `${p}c${i}`;
const label = (p: string) => `Run_${p.replace(/[^A-Za-z0-9]/g, '_')}`;

/** Builds a world under prefix `p`; every node it makes carries the run label. */
async function build(p: string, w: World): Promise<void> {
  const n = w.referrers.length;
  const at = (minutes: number) => `2026-01-01T00:${String(minutes % 60).padStart(2, '0')}:00Z`;
  await graph.write(
    `UNWIND [0, 1] AS k
     CREATE (m:ProductModel {sku: $p + 'm' + k, name: 'Model ' + k})
     CREATE (camp:Campaign {id: $p + 'camp' + k, name: 'Campaign ' + k, channel: 'SOCIAL', productSku: m.sku})
     CREATE (camp)-[:PROMOTES]->(m)
     WITH m, camp SET m:$($label), camp:$($label)`,
    { p, label: label(p) },
  );
  await graph.write(
    `UNWIND range(0, $n - 1) AS i
     CREATE (c:Customer {id: $p + 'c' + i, displayName: 'Name of ' + $p + 'c' + i,
                         createdAt: datetime($at0), optedOutSkus: []})
     SET c:$($label)`,
    { p, n, label: label(p), at0: at(0) },
  );
  // Indices travel as strings: JavaScript numbers reach Cypher as floats ('c' + 1.0 is 'c1.0').
  const str = <T extends object>(o: T) =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [
        k,
        typeof v === 'number' && k !== 'amount' ? String(v) : v,
      ]),
    );
  const params = {
    p,
    label: label(p),
    referrals: w.referrers.flatMap((r, i) => (r === null ? [] : [str({ r, i, at: at(i) })])),
    orders: w.orders.map((o, k) => str({ ...o, k, at: at(k) })),
    touches: w.touches.map((t, k) => str({ ...t, k, at: at(k + 1) })),
    consents: w.consents.flatMap((g, i) => (g ? [String(i)] : [])),
    identifiers: w.identifiers.flatMap((count, i) =>
      Array.from({ length: count }, (_, k) => str({ i, k })),
    ),
    coupons: w.coupons.flatMap((g, i) => (g ? [String(i)] : [])),
    preferences: w.preferences.flatMap((g, i) => (g ? [String(i)] : [])),
    journeys: w.journeys.map(str),
    shared: (w.sharedBy ?? []).map(String),
  };
  const statements = [
    `UNWIND $referrals AS x
       MATCH (r:Customer {id: $p + 'c' + x.r}), (c:Customer {id: $p + 'c' + x.i})
       CREATE (r)-[:REFERRED {at: datetime(x.at), sku: $p + 'm0', code: $p + 'c' + x.r + '-ref',
                               eventId: $p + 'c' + x.r + '-referral-' + x.i}]->(c)`,
    `UNWIND $orders AS x
       MATCH (c:Customer {id: $p + 'c' + x.buyer}), (m:ProductModel {sku: $p + 'm' + x.model})
       CREATE (o:Order {id: $p + 'o' + x.k, amount: toFloat(x.amount), currency: 'USD',
                        placedAt: datetime(x.at)})
       CREATE (d:Device {serial: $p + 'd' + x.k, sku: m.sku})
       CREATE (c)-[:PLACED]->(o)-[:CONTAINS]->(d)-[:INSTANCE_OF]->(m)
       CREATE (c)-[:OWNS {since: datetime(x.at)}]->(d)
       SET o:$($label), d:$($label)
       WITH o, x WHERE x.campaign IS NOT NULL
       MATCH (camp:Campaign {id: $p + 'camp' + x.campaign})
       CREATE (o)-[:ATTRIBUTED_TO {model: 'last_touch'}]->(camp)`,
    `UNWIND $touches AS x
       MATCH (c:Customer {id: $p + 'c' + x.customer}), (camp:Campaign {id: $p + 'camp' + x.campaign})
       MATCH (camp)-[:PROMOTES]->(m)
       CREATE (t:Touchpoint {eventId: c.id + '-t' + x.k, type: x.type, occurredAt: datetime(x.at),
                             channel: camp.channel, delivery: 'delivered', payloadHash: 'h' + c.id,
                             rating: CASE WHEN x.type = 'FEEDBACK' THEN 4 END})
       SET t.comment = CASE WHEN x.personal THEN c.displayName + ' says hi' END,
           t.topic = CASE WHEN x.personal THEN 'call ' + c.id END,
           t.code = CASE WHEN x.type = 'REFERRAL' THEN c.id + '-code' END,
           t:$($label)
       CREATE (c)-[:HAD]->(t)-[:VIA]->(camp)
       CREATE (t)-[:ABOUT]->(m)`,
    `UNWIND $consents AS i
       MATCH (c:Customer {id: $p + 'c' + i})
       CREATE (c)-[:GAVE]->(k:Consent {customerId: c.id, purpose: 'MARKETING_CONTACT', granted: true,
                                       channels: ['EMAIL'], updatedAt: datetime($p0)})
       SET k:$($label)`,
    `UNWIND $identifiers AS x
       MATCH (c:Customer {id: $p + 'c' + x.i})
       CREATE (c)-[:IDENTIFIED_BY {since: datetime($p0), eventId: c.id + '-id' + x.k}]->
              (i:Identifier {namespace: 'email', value: c.id + '.' + x.k + '@mail.example',
                             key: 'email:' + c.id + '.' + x.k + '@mail.example', shared: false})
       SET i:$($label)`,
    `UNWIND $preferences AS i
       MATCH (c:Customer {id: $p + 'c' + i})
       CREATE (c)-[:VOLUNTEERED {at: datetime($p0), source: 'survey'}]->
              (x:Preference {topic: 'ink', note: c.displayName + ' prefers XL cartridges'})
       SET x:$($label)`,
    `UNWIND $coupons AS i
       MATCH (c:Customer {id: $p + 'c' + i})
       CREATE (cp:Coupon {code: c.id + '-cpn', issuedAt: datetime($p0)})-[:ISSUED_TO]->(c)
       SET cp:$($label)`,
    `UNWIND $journeys AS x
       MATCH (c:Customer {id: $p + 'c' + x.customer}), (m:ProductModel {sku: $p + 'm' + x.model})
       MERGE (c)-[j:JOURNEY]->(m)
         ON CREATE SET j.workflowId = 'journey:' + c.id + ':' + m.sku, j.stage = 'ENGAGED'`,
    `       MATCH (a:Customer {id: $p + 'c' + $shared[0]}), (b:Customer {id: $p + 'c' + $shared[1]})
       CREATE (i:Identifier {namespace: 'device', value: $p + 'kiosk', key: 'device:' + $p + 'kiosk',
                             shared: true})
       CREATE (a)-[:IDENTIFIED_BY {since: datetime($p0)}]->(i)<-[:IDENTIFIED_BY {since: datetime($p0)}]-(b)
       SET i:$($label)`,
  ];
  for (const statement of statements) await graph.write(statement, { ...params, p0: at(0) });
}

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };
const plain = (v: unknown): Plain => {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const ctor = (v as object).constructor?.name;
    if (ctor && ctor !== 'Object') return String(v);
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, plain(x)]),
    );
  }
  return v as Plain;
};

interface Snapshot {
  nodes: Array<{ id: string; labels: string[]; props: Plain }>;
  rels: Array<{ start: string; end: string; type: string; props: Plain }>;
}

/** Every node of the run (by its label, and anonymous placeholders in its chains) and its relationships. */
async function snapshot(p: string): Promise<Snapshot> {
  const nodes = await graph.read<{ id: string; labels: string[]; props: unknown }>(
    `MATCH (s:$($label))
     CALL (s) {
       OPTIONAL MATCH (s)-[:REFERRED*1..20]->(x:ErasedPerson) RETURN collect(x) AS down
     }
     // Placeholders pointing at the run's people or orders, even cut off from any referrer.
     CALL (s) { OPTIONAL MATCH (s)<-[:REFERRED|PLACED]-(y:ErasedPerson) RETURN collect(y) AS up }
     WITH s, down + up AS xs
     UNWIND [s] + xs AS n
     WITH DISTINCT n
     RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props`,
    { label: label(p) },
  );
  const ids = nodes.map((n) => n.id);
  const rels = await graph.read<{ start: string; end: string; type: string; props: unknown }>(
    `MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids OR elementId(b) IN $ids
     RETURN elementId(a) AS start, elementId(b) AS end, type(r) AS type, properties(r) AS props`,
    { ids },
  );
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      labels: n.labels.filter((l) => l !== label(p)).sort(),
      props: plain(n.props),
    })),
    rels: rels.map((r) => ({ ...r, props: plain(r.props) })),
  };
}

/** The snapshot with the prefix and the anonymous ids made neutral: comparable across twins. */
function canonical(p: string, s: Snapshot): { nodes: string[]; rels: string[] } {
  const neutral = (x: string) =>
    x
      .split(p)
      .join('#')
      .replace(/erased:[0-9a-f]{32}/g, 'erased:*');
  const nodeText = new Map(
    s.nodes.map((n) => [n.id, neutral(JSON.stringify([n.labels, n.props]))]),
  );
  const text = (id: string) => nodeText.get(id) ?? 'outside the run';
  return {
    nodes: [...nodeText.values()].sort(),
    rels: s.rels
      .map(
        (r) => `${text(r.start)} -${r.type} ${neutral(JSON.stringify(r.props))}-> ${text(r.end)}`,
      )
      .sort(),
  };
}

/** What must not change for the people who stay: their node, and relationships not with the erased. */
function othersView(s: Snapshot, erasedIds: Set<string>) {
  const customers = s.nodes.filter((n) => n.labels.includes('Customer'));
  // The erased people, and the anonymous placeholders that stand for them in referral chains.
  const placeholders = s.nodes.filter((n) => n.labels.includes('ErasedPerson')).map((n) => n.id);
  const erasedNodes = new Set(
    customers
      .filter((n) => erasedIds.has((n.props as { id: string }).id))
      .map((n) => n.id)
      .concat(placeholders),
  );
  const others = new Set(customers.filter((n) => !erasedNodes.has(n.id)).map((n) => n.id));
  const text = new Map(s.nodes.map((n) => [n.id, JSON.stringify([n.labels, n.props])]));
  return {
    customers: customers
      .filter((n) => others.has(n.id))
      .map((n) => text.get(n.id))
      .sort(),
    rels: s.rels
      .filter((r) => others.has(r.start) || others.has(r.end))
      .filter((r) => !erasedNodes.has(r.start) && !erasedNodes.has(r.end))
      .map((r) => `${text.get(r.start)} -${r.type} ${JSON.stringify(r.props)}-> ${text.get(r.end)}`)
      .sort(),
  };
}

/** Anonymous aggregates: touchpoints per campaign and type, revenue per campaign and per model. */
async function aggregates(p: string) {
  const [row] = await graph.read<Record<string, unknown>>(
    `RETURN
       COLLECT { MATCH (t:Touchpoint)-[:VIA]->(c:Campaign) WHERE c.id STARTS WITH $p
                 WITH c.id + '/' + t.type AS k, count(t) AS n RETURN k + '=' + n AS x ORDER BY x } AS touches,
       COLLECT { MATCH (o:Order)-[:ATTRIBUTED_TO]->(c:Campaign) WHERE c.id STARTS WITH $p
                 WITH c.id AS k, sum(o.amount) AS v RETURN k + '=' + v AS x ORDER BY x } AS revenueByCampaign,
       COLLECT { MATCH (o:Order)-[:CONTAINS]->(:Device)-[:INSTANCE_OF]->(m:ProductModel) WHERE m.sku STARTS WITH $p
                 WITH m.sku AS k, sum(o.amount) AS v RETURN k + '=' + v AS x ORDER BY x } AS revenueByModel,
       COLLECT { MATCH (t:Touchpoint)-[:ABOUT]->(m:ProductModel) WHERE m.sku STARTS WITH $p
                 WITH m.sku AS k, count(t) AS n, avg(t.rating) AS r RETURN k + '=' + n + '/' + r AS x ORDER BY x } AS touchesByModel`,
    { p },
  );
  return row;
}

async function runSteps(erasureIds: string[], only: number = ERASURE_STEPS.length) {
  for (const erasureId of erasureIds) {
    for (const step of ERASURE_STEPS.slice(0, only)) await steps[step]({ erasureId });
  }
}

async function cleanUp(p: string, erasureIds: string[]) {
  await graph.write(
    `MATCH (s:$($label))
     OPTIONAL MATCH (s)-[:REFERRED*1..20]-(x:ErasedPerson)
     OPTIONAL MATCH (s)<-[:PLACED]-(y:ErasedPerson)
     DETACH DELETE s, x, y`,
    { label: label(p) },
  );
  await graph.write(
    `MATCH (e:Erasure) WHERE e.id IN $ids
     OPTIONAL MATCH (e)-[:ERASED]->(k:ErasedKey)
     DETACH DELETE e, k`,
    { ids: erasureIds },
  );
}

afterAll(() => driver.close());

describe('erasure on random graphs', () => {
  it(`removes the person and nothing else, repeatably and through interruptions (${NUM_RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const p1 = `${uniqueKey('er')}-`;
        const p2 = `${uniqueKey('er')}-`;
        const erasedIds = (p: string) => w.erased.map((i) => customerId(p, i));
        const ids1 = erasedIds(p1).map((id) => erasureIdOf(salt, id));
        const ids2 = erasedIds(p2).map((id) => erasureIdOf(salt, id));
        try {
          await build(p1, w);
          await build(p2, w);
          const stay = w.referrers
            .map((_, i) => customerId(p1, i))
            .filter((id) => !erasedIds(p1).includes(id));
          const before = await snapshot(p1);
          const count = (l: string) => before.nodes.filter((n) => n.labels.includes(l)).length;
          expect([count('Touchpoint'), count('Order')]).toEqual([
            w.touches.length,
            w.orders.length,
          ]);
          const aggregatesBefore = await aggregates(p1);
          const valuesBefore = await values.valuesById(stay);
          const personal = await graph.read<{ needle: string }>(
            `MATCH (c:Customer) WHERE c.id IN $ids
             UNWIND [c.id, c.displayName] + [(c)-[:IDENTIFIED_BY]->(i:Identifier) WHERE NOT i.shared | i.value]
                    + [(c)-[:IDENTIFIED_BY]->(i:Identifier) WHERE NOT i.shared | i.key] AS needle
             RETURN needle`,
            { ids: erasedIds(p1) },
          );

          for (const [k, id] of erasedIds(p1).entries()) {
            await erasures.request({
              customerId: id,
              erasureId: ids1[k] as string,
              reason: 'CUSTOMER_REQUEST',
            });
          }
          for (const [k, id] of erasedIds(p2).entries()) {
            await erasures.request({
              customerId: id,
              erasureId: ids2[k] as string,
              reason: 'CUSTOMER_REQUEST',
            });
          }
          // Interrupted after k steps, then run whole; the twin runs whole once.
          await runSteps(ids1, w.interruptAfter);
          await runSteps(ids1);
          await runSteps(ids2);

          const after = await snapshot(p1);
          // Nothing anywhere in the run holds the erased people's ids, names or identifiers.
          const text = JSON.stringify(after);
          for (const { needle } of personal) expect(text).not.toContain(needle);
          const [left] = await graph.read<{ n: number }>(
            `RETURN COUNT { MATCH (c:Customer) WHERE c.id IN $ids } +
                    COUNT { MATCH (k:Consent) WHERE k.customerId IN $ids } +
                    COUNT { MATCH (i:Identifier) WHERE i.value IN $needles } AS n`,
            { ids: erasedIds(p1), needles: personal.map((x) => x.needle) },
          );
          expect(left?.n).toBe(0);
          // Everyone else, their relationships with anyone not erased, aggregates, values.
          const erasedSet = new Set(erasedIds(p1));
          expect(othersView(after, erasedSet)).toEqual(othersView(before, erasedSet));
          expect(await aggregates(p1)).toEqual(aggregatesBefore);
          expect(await values.valuesById(stay)).toEqual(valuesBefore);
          // Interrupted or not, the same end.
          expect(canonical(p1, after)).toEqual(canonical(p2, await snapshot(p2)));
          // Their lifecycles were stopped by the devices they bought and the models they touched.
          for (const i of w.erased) {
            const calls = stopped.filter((x) => x.customerId === customerId(p1, i));
            expect(calls.length).toBeGreaterThan(0);
            const serials = w.orders.flatMap((o, k) => (o.buyer === i ? [`${p1}d${k}`] : []));
            const skus = [
              ...w.journeys.filter((j) => j.customer === i).map((j) => `${p1}m${j.model}`),
              ...w.touches.filter((t) => t.customer === i).map((t) => `${p1}m${t.campaign}`),
            ];
            const first = calls[0] as PersonLifecycles;
            expect([...first.serials].sort()).toEqual([...new Set(serials)].sort());
            expect([...first.skus].sort()).toEqual([...new Set(skus)].sort());
            expect(first.erasureId).toBe(ids1[w.erased.indexOf(i)]);
          }
          // Repeating changes nothing, and every erasure is complete.
          await runSteps(ids1);
          expect(canonical(p1, await snapshot(p1))).toEqual(canonical(p1, after));
          const done = await erasures.erasuresById(ids1);
          expect([...done.values()].every((e) => e.completedAt !== null)).toBe(true);
          expect(done.size).toBe(ids1.length);
        } finally {
          await cleanUp(p1, ids1);
          await cleanUp(p2, ids2);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  }, 300_000);
});
