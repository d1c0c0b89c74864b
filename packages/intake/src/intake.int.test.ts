import pino from 'pino';
import type { Principal } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { createIdentityService } from '@experience-graph/identity';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { createEventIntake, type IntakePorts } from './intake';

/**
 * The intake on a real Neo4j, without Temporal: what it writes, what it owes the lifecycles
 * (the outbox of its own lane), how it answers a resend after a lost answer or a crash in the
 * middle of its write, and how many round trips a batch costs.
 */
describe('the event intake on a real Neo4j', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph: Graph = createGraph(driver, config.neo4j.database);
  const run = uniqueKey('intake-int');
  const lane = `${run}-lane`;
  const service: Principal = { kind: 'service', id: 'local' };
  const id = (name: string) => `${run}-${name}`;
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  let n = 0;
  const eventId = (name: string) => id(`${name}-${(n += 1)}`);

  /** A graph that counts its round trips. */
  const calls = { read: 0, write: 0, transaction: 0 };
  const counted: Graph = {
    driver: graph.driver,
    database: graph.database,
    read: (cypher, params) => ((calls.read += 1), graph.read(cypher, params)),
    write: (cypher, params) => ((calls.write += 1), graph.write(cypher, params)),
    transaction: (work) => ((calls.transaction += 1), graph.transaction(work)),
  };
  const roundTrips = () => calls.read + calls.write + calls.transaction;

  const intakeWith = (overrides: Partial<IntakePorts> = {}) =>
    createEventIntake({
      graph: counted,
      identity: createIdentityService(counted, config.identity),
      identityOptions: config.identity,
      lifecycles: { lane },
      logger: pino({ level: 'silent' }),
      erasureSalt: config.erasure.salt,
      ...overrides,
    });
  const intake = intakeWith();

  const owed = async () =>
    graph.read<{ workflowId: string; eventId: string; type: string }>(
      `MATCH (s:OwedSignal {lane: $lane})
       RETURN s.workflowId AS workflowId, s.eventId AS eventId, s.event AS type
       ORDER BY s.workflowId, s.seq`,
      { lane },
    );

  beforeAll(async () => {
    await graph.write(
      `MERGE (m:ProductModel {sku: $sku}) SET m.name = 'Model', m.testRun = $run
       MERGE (c:Campaign {id: $campaign}) SET c.productSku = $sku, c.channel = 'EMAIL', c.testRun = $run
       MERGE (c)-[:PROMOTES]->(m)
       WITH m
       UNWIND $customers AS customer
       MERGE (x:Customer {id: customer}) SET x.displayName = customer, x.testRun = $run`,
      {
        run,
        sku: id('sku'),
        campaign: id('camp'),
        customers: [id('ana'), id('ben')],
      },
    );
  });

  afterAll(async () => {
    await graph.write(
      `MATCH (n) WHERE n.testRun = $run OR n.lane = $lane
          OR any(k IN ['id', 'sku', 'serial', 'eventId', 'key'] WHERE n[k] IS :: STRING AND n[k] CONTAINS $run)
       DETACH DELETE n`,
      { run, lane },
    );
    await driver.close();
  });

  async function device(name: string) {
    const serial = id(name);
    await graph.write(
      `MATCH (m:ProductModel {sku: $sku})
       MERGE (d:Device {serial: $serial}) SET d.sku = $sku, d.testRun = $run
       MERGE (d)-[:INSTANCE_OF]->(m)`,
      { serial, sku: id('sku'), run },
    );
    return serial;
  }

  const purchase = (serial: string, orderId: string, customerId = id('ana')) => ({
    eventId: eventId('purchase'),
    occurredAt: at(30),
    purchase: {
      customerId,
      serial,
      orderId,
      amount: 99,
      currency: 'USD',
      promisedDeliveryAt: at(-60 * 24),
    },
  });

  it('answers a resend after a lost answer as a duplicate, with the outcome it had, and owes nothing twice', async () => {
    const serial = await device('resent');
    const sale = purchase(serial, id('order-resent'));
    const first = await intake.record([sale], service);
    expect(first.results.map((r) => [r.status, r.outcome])).toEqual([['ACCEPTED', 'SIGNALLED']]);
    const before = await owed();
    const again = await intake.record([sale], service);
    expect(again.results.map((r) => [r.status, r.outcome])).toEqual([['DUPLICATE', 'SIGNALLED']]);
    expect(await owed()).toEqual(before);
    const [orders] = await graph.read<{ n: number }>(
      'MATCH (o:Order {id: $id}) RETURN count(o) AS n',
      { id: id('order-resent') },
    );
    expect(orders?.n).toBe(1);
  });

  it('links a purchase sent twice at once to its buyer once: one touchpoint, one HAD, one PLACED', async () => {
    const serial = await device('twice');
    const sale = purchase(serial, id('order-twice'));
    const answers = await Promise.all([
      intake.record([sale], service),
      intake.record([sale], service),
    ]);
    const statuses = answers.map((a) => a.results[0]?.status).sort();
    expect(['ACCEPTED', 'DUPLICATE']).toContain(statuses[0]);
    expect(['ACCEPTED', 'DUPLICATE']).toContain(statuses[1]);
    const [links] = await graph.read<{ touchpoints: number; had: number; placed: number }>(
      `MATCH (c:Customer {id: $customerId})
       RETURN COUNT { MATCH (t:Touchpoint) WHERE t.eventId = $eventId } AS touchpoints,
              COUNT { MATCH (c)-[:HAD]->(t:Touchpoint) WHERE t.eventId = $eventId } AS had,
              COUNT { MATCH (c)-[:PLACED]->(:Order {id: $orderId}) } AS placed`,
      { customerId: id('ana'), eventId: sale.eventId, orderId: id('order-twice') },
    );
    expect(links).toEqual({ touchpoints: 1, had: 1, placed: 1 });
  });

  it("writes batches sent at once that name one campaign and resend each other's events with one link of each kind per touchpoint and one attribution per order", async () => {
    const serials = await Promise.all([0, 1, 2, 3].map((k) => device(`at-once-${k}`)));
    const touch = (kind: 'adImpression' | 'adClick', customer: string, minutesAgo: number) => ({
      eventId: eventId(`at-once-${kind}`),
      occurredAt: at(minutesAgo),
      [kind]: { customerId: id(customer), campaignId: id('camp') },
    });
    const batches = serials.map((serial, k) => {
      const customer = k % 2 === 0 ? 'ana' : 'ben';
      return [
        touch('adImpression', customer, 50),
        touch('adClick', customer, 45),
        purchase(serial, id(`order-at-once-${k}`), id(customer)),
      ];
    });
    // Each batch also carries the next one's events: the same events, written at once.
    const sent = batches.map((batch, k) => [
      ...batch,
      ...(batches[(k + 1) % batches.length] ?? []),
    ]);
    const answers = await Promise.all(sent.map((batch) => intake.record(batch, service)));
    for (const answer of answers) {
      for (const r of answer.results) expect(['ACCEPTED', 'DUPLICATE']).toContain(r.status);
    }
    const eventIds = batches.flat().map((e) => e.eventId);
    const links = await graph.read<{ eventId: string; had: number; about: number; via: number }>(
      `MATCH (t:Touchpoint) WHERE t.eventId IN $eventIds
       RETURN t.eventId AS eventId, COUNT { (t)<-[:HAD]-() } AS had,
              COUNT { (t)-[:ABOUT]->() } AS about, COUNT { (t)-[:VIA]->() } AS via`,
      { eventIds },
    );
    expect(links).toHaveLength(eventIds.length);
    for (const l of links) {
      const ad = !l.eventId.includes('purchase');
      expect([l.eventId, l.had, l.about, l.via]).toEqual([l.eventId, 1, 1, ad ? 1 : 0]);
    }
    const orders = await graph.read<{ id: string; placed: number; attributed: number }>(
      `MATCH (o:Order) WHERE o.id IN $orderIds
       RETURN o.id AS id, COUNT { (o)<-[:PLACED]-() } AS placed,
              COUNT { (o)-[:ATTRIBUTED_TO]->(:Campaign {id: $campaign}) } AS attributed`,
      { orderIds: serials.map((_, k) => id(`order-at-once-${k}`)), campaign: id('camp') },
    );
    expect(orders.map((o) => [o.placed, o.attributed])).toEqual(serials.map(() => [1, 1]));
  });

  it('writes nothing when its transaction fails half-way, and takes the resend whole', async () => {
    const serial = await device('crash');
    const sale = purchase(serial, id('order-crash'));
    const crashing = intakeWith({
      lifecycles: {
        lane,
        // The events of the batch are sent by now; the transaction never commits.
        owe: async () => {
          throw new Error('the process died here');
        },
      },
    });
    const lost = await crashing.record([sale], service);
    expect(lost.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['REJECTED', 'UNAVAILABLE'],
    ]);
    const [left] = await graph.read<{ touchpoints: number; orders: number }>(
      `RETURN COUNT { MATCH (t:Touchpoint) WHERE t.eventId = $eventId } AS touchpoints,
              COUNT { MATCH (o:Order {id: $orderId}) } AS orders`,
      { eventId: sale.eventId, orderId: id('order-crash') },
    );
    expect(left).toEqual({ touchpoints: 0, orders: 0 });
    const resent = await intake.record([sale], service);
    expect(resent.results.map((r) => r.status)).toEqual(['ACCEPTED']);
  });

  it('re-owes the signals of a touchpoint an earlier intake left pending, judged as before its own write', async () => {
    const serial = await device('pending');
    const sale = purchase(serial, id('order-pending'));
    await intake.record([sale], service);
    // As an earlier version left it: written, its signal not yet handed over.
    await graph.write(
      `MATCH (t:Touchpoint) WHERE t.eventId = $eventId SET t.delivery = 'pending'
       WITH t MATCH (s:OwedSignal {lane: $lane}) WHERE s.eventId STARTS WITH t.key DETACH DELETE s`,
      { eventId: sale.eventId, lane },
    );
    const resent = await intake.record([sale], service);
    expect(resent.results.map((r) => [r.status, r.outcome])).toEqual([['ACCEPTED', 'SIGNALLED']]);
    expect((await owed()).filter((s) => s.workflowId === `device:${serial}`)).toHaveLength(1);
  });

  it('never signals a device whose lifecycle ended, and says so', async () => {
    const serial = await device('ended');
    await intake.record([purchase(serial, id('order-ended'))], service);
    await graph.write(`MATCH (d:Device {serial: $serial}) SET d.stage = 'OPTED_OUT'`, { serial });
    const before = (await owed()).length;
    const late = await intake.record(
      [
        {
          eventId: eventId('delivery'),
          occurredAt: at(10),
          delivery: { orderId: id('order-ended'), inFull: true },
        },
      ],
      service,
    );
    expect(late.results.map((r) => [r.status, r.outcome])).toEqual([
      ['ACCEPTED', 'LIFECYCLE_ENDED'],
    ]);
    expect((await owed()).length).toBe(before);
  });

  it('records only what cannot change a lifecycle: feedback, a repeated impression', async () => {
    const serial = await device('quiet');
    const impression = () => ({
      eventId: eventId('impression'),
      occurredAt: at(40),
      adImpression: { customerId: id('ben'), campaignId: id('camp') },
    });
    const batch = await intake.record(
      [
        impression(),
        impression(),
        purchase(serial, id('order-quiet'), id('ben')),
        {
          eventId: eventId('feedback'),
          occurredAt: at(5),
          feedback: { serial, rating: 4, comment: 'fine' },
        },
      ],
      service,
    );
    expect(batch.results.map((r) => [r.status, r.outcome])).toEqual([
      ['ACCEPTED', 'SIGNALLED'],
      ['ACCEPTED', 'RECORDED_ONLY'],
      ['ACCEPTED', 'SIGNALLED'],
      ['ACCEPTED', 'RECORDED_ONLY'],
    ]);
  });

  it('labels a store visit StoreProximity, and no other touchpoint, so the funnel finds visits by label', async () => {
    const near = eventId('near');
    const seen = eventId('seen');
    const batch = await intake.record(
      [
        {
          eventId: near,
          occurredAt: at(20),
          storeProximity: { customerId: id('ana'), sku: id('sku'), latitude: 1, longitude: 1 },
        },
        {
          eventId: seen,
          occurredAt: at(21),
          adImpression: { customerId: id('ana'), campaignId: id('camp') },
        },
      ],
      service,
    );
    expect(batch.results.map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED']);
    const labels = await graph.read<{ eventId: string; type: string; visit: boolean }>(
      `MATCH (:Customer {id: $ana})-[:HAD]->(t:Touchpoint) WHERE t.eventId IN $ids
       RETURN t.eventId AS eventId, t.type AS type, t:StoreProximity AS visit ORDER BY t.type`,
      { ana: id('ana'), ids: [near, seen] },
    );
    expect(labels).toEqual([
      { eventId: seen, type: 'AD_IMPRESSION', visit: false },
      { eventId: near, type: 'STORE_PROXIMITY', visit: true },
    ]);
  });

  it('costs the same few round trips for 10 events as for 500 about one person, in batch order', async () => {
    const batchOf = (size: number) =>
      Array.from({ length: size }, (_, i) =>
        i % 2 === 0
          ? {
              eventId: eventId('many'),
              occurredAt: at(100 - i / 10),
              adImpression: { customerId: id('ana'), campaignId: id('camp') },
            }
          : {
              eventId: eventId('many'),
              occurredAt: at(100 - i / 10),
              adClick: { customerId: id('ana'), campaignId: id('camp') },
            },
      );
    const costOf = async (size: number) => {
      const start = roundTrips();
      const batch = await intake.record(batchOf(size), service);
      expect(batch.accepted).toBe(size);
      expect(batch.results.map((r) => r.index)).toEqual(Array.from({ length: size }, (_, i) => i));
      return roundTrips() - start;
    };
    const small = await costOf(10);
    const large = await costOf(500);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(6);
  });

  it('keeps the owed signals of one workflow in batch order', async () => {
    const serial = await device('ordered');
    const orderId = id('order-ordered');
    const batch = await intake.record(
      [
        purchase(serial, orderId),
        {
          eventId: eventId('shipped'),
          occurredAt: at(20),
          shipmentUpdate: { orderId, carrier: 'Carrier', status: 'In transit' },
        },
        { eventId: eventId('delivered'), occurredAt: at(10), delivery: { orderId, inFull: true } },
        { eventId: eventId('installed'), occurredAt: at(5), installation: { serial } },
      ],
      service,
    );
    expect(batch.accepted).toBe(4);
    const types = (await owed())
      .filter((s) => s.workflowId === `device:${serial}`)
      .map((s) => (JSON.parse(s.type) as { type: string }).type);
    expect(types).toEqual(['PURCHASED', 'SHIPMENT_UPDATE', 'DELIVERED', 'INSTALLED']);
  });

  it("credits a purchase to the buyer's last touch with its model before it, also one in its own batch", async () => {
    // Campaigns of this model and of another; Ben's touches must never count for Ana.
    await graph.write(
      `MATCH (m:ProductModel {sku: $sku})
       MERGE (other:ProductModel {sku: $otherSku}) SET other.testRun = $run
       MERGE (early:Campaign {id: $early}) SET early.productSku = $sku, early.channel = 'EMAIL', early.testRun = $run
       MERGE (late:Campaign {id: $late}) SET late.productSku = $sku, late.channel = 'SOCIAL', late.testRun = $run
       MERGE (elsewhere:Campaign {id: $elsewhere}) SET elsewhere.productSku = $otherSku, elsewhere.channel = 'SEARCH', elsewhere.testRun = $run
       MERGE (early)-[:PROMOTES]->(m) MERGE (late)-[:PROMOTES]->(m) MERGE (elsewhere)-[:PROMOTES]->(other)
       MERGE (cy:Customer {id: $cy}) SET cy.displayName = 'Cy', cy.testRun = $run`,
      {
        run,
        cy: id('cy'),
        sku: id('sku'),
        otherSku: id('other-sku'),
        early: id('camp-early'),
        late: id('camp-late'),
        elsewhere: id('camp-elsewhere'),
      },
    );
    const touch = (
      kind: 'adImpression' | 'adClick',
      campaign: string,
      minutesAgo: number,
      customerId = id('ana'),
    ) => ({
      eventId: eventId(kind),
      occurredAt: at(minutesAgo),
      [kind]: { customerId, campaignId: id(campaign) },
    });
    const credited = async (orderId: string) =>
      (
        await graph.read<{ campaign: string }>(
          `MATCH (:Order {id: $orderId})-[a:ATTRIBUTED_TO {model: 'last_touch'}]->(c:Campaign)
           RETURN c.id AS campaign`,
          { orderId },
        )
      ).map((r) => r.campaign);

    const first = await intake.record([touch('adImpression', 'camp-early', 50)], service);
    expect(first.accepted).toBe(1);
    // In one batch: a later touch of the model, a later touch of another model, a touch after
    // the purchase, and Ben's touch, later still but before it.
    const sold = await intake.record(
      [
        touch('adClick', 'camp-late', 40),
        touch('adClick', 'camp-elsewhere', 35),
        touch('adImpression', 'camp-early', 10),
        touch('adClick', 'camp', 32, id('ben')),
        purchase(await device('attributed'), id('order-attributed')),
      ],
      service,
    );
    expect(sold.results.map((r) => r.status)).toEqual(Array(5).fill('ACCEPTED'));
    expect(await credited(id('order-attributed'))).toEqual([id('camp-late')]);

    // Cy's only touch of the model comes after her purchase: nothing is credited.
    const unattributed = await intake.record(
      [
        purchase(await device('unattributed'), id('order-unattributed'), id('cy')),
        touch('adClick', 'camp-late', 5, id('cy')),
      ],
      service,
    );
    expect(unattributed.accepted).toBe(2);
    expect(await credited(id('order-unattributed'))).toEqual([]);
  });
});
