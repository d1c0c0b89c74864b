/**
 * Issue 10, items 1 and 2: an erasure leaves no residue and does not harm anyone else. A kiosk
 * phone that strangers typed is not tombstoned as the erased person's; and signals still owed in
 * the outbox when the person is erased (the relay not delivering) carry nothing of theirs into a
 * workflow history once they are delivered, while another person's owed signals still arrive.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { anonymousEventId } from '@experience-graph/erasure-keys';
import { deviceLifecycleWorkflowId, journeyWorkflowId } from '@experience-graph/workflows';
import { registerErasureFixtures } from '../support/erasure-fixtures';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';
import { findPersonInTemporal } from '../support/temporal-payloads';

type Result = {
  status: string;
  error: { code: string; path: string; message: string } | null;
  unlinked: Array<{ path: string; message: string }>;
};

const ERASE = `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { id } }`;
const ERASURE = `query ($id: ID!) { erasure(id: $id) { status } }`;
/** Temporal deletes executions in the background; on a loaded two-core machine that is slow. */
const TEMPORAL_BACKGROUND_MS = 90_000;

describe('erasure without residue', () => {
  let system: TestSystem;
  const run = uniqueKey('residue');
  const id = (name: string) => `${run}-${name}`;
  const kiosk = `+44${String((Date.now() + 11) % 1e10).padStart(10, '0')}`;
  const at = () => new Date(Date.now() - 60_000).toISOString();
  const people = new Set<string>();
  const erasures = new Set<string>();
  let eventNo = 0;
  /** The ids of every event sent, for removing their touchpoints once anonymised. */
  const sent = new Set<string>();

  async function send(...events: Array<Record<string, unknown>>): Promise<Result[]> {
    const data = await system.data<{ recordEvents: { results: Result[] } }>(
      `mutation ($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) {
          results { status error { code path message } unlinked { path message } }
        }
      }`,
      {
        events: events.map((e) => {
          const eventId = id(`e${(eventNo += 1)}`);
          sent.add(eventId);
          return { eventId, occurredAt: at(), ...e };
        }),
      },
    );
    return data.recordEvents.results;
  }
  const ids = (list: Array<[string, string]>) =>
    list.map(([namespace, value]) => ({ namespace, value }));
  async function byIdentifier(namespace: string, value: string) {
    const data = await system.data<{ customerByIdentifier: { id: string } | null }>(
      `query ($n: IdentifierNamespace!, $v: String!) { customerByIdentifier(namespace: $n, value: $v) { id } }`,
      { n: namespace, v: value },
    );
    if (data.customerByIdentifier) people.add(data.customerByIdentifier.id);
    return data.customerByIdentifier?.id ?? null;
  }
  async function erase(customerId: string) {
    const { eraseCustomer } = await system.data<{ eraseCustomer: { id: string } }>(ERASE, {
      input: { customerId, reason: 'CUSTOMER_REQUEST' },
    });
    erasures.add(eraseCustomer.id);
    await eventually(
      () => system.data<{ erasure: { status: string } | null }>(ERASURE, { id: eraseCustomer.id }),
      (r) => r.erasure?.status === 'COMPLETED',
      180_000,
    );
    return eraseCustomer.id;
  }

  beforeAll(async () => {
    system = await startSystem();
  });

  afterAll(async () => {
    await system.relay.stop();
    for (const workflowId of [
      deviceLifecycleWorkflowId(id('serial')),
      `intervention:${id('serial')}:1`,
    ]) {
      await system.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await system.client.workflow
      .getHandle(journeyWorkflowId(id('ana'), id('sku')))
      .terminate('test over')
      .catch(() => undefined);
    await system.graph.write(
      `MATCH (e:Erasure) WHERE e.id IN $erasures
       OPTIONAL MATCH (e)-[:ERASED]->(k:ErasedKey)
       OPTIONAL MATCH (p:ErasedPerson {erasureId: e.id})
       DETACH DELETE e, k, p`,
      { erasures: [...erasures] },
    );
    // The erased people's anonymised touchpoints and the placeholders holding them and their
    // orders: all of this run's.
    await system.graph.write(
      `CALL () {
         MATCH (t:Touchpoint) WHERE t.eventId IN $anonymous
         OPTIONAL MATCH (p:ErasedPerson)-[:HAD]->(t)
         DETACH DELETE t, p
       }
       MATCH (p:ErasedPerson)-[:PLACED]->(o:Order) WHERE o.id STARTS WITH $run
       DETACH DELETE p`,
      {
        run,
        anonymous: [...sent].map((e) => anonymousEventId(system.config.erasure.salt, e)),
      },
    );
    await system.graph.write(
      `MATCH (n)
       WHERE (n:Identifier AND (n.key CONTAINS $run OR n.key = 'PHONE:' + $kiosk))
          OR (n:Customer AND (n.id IN $people OR n.id STARTS WITH $run))
          OR (n:Touchpoint AND (n.key CONTAINS $run OR EXISTS { (n)--(m) WHERE m.sku STARTS WITH $run OR m.serial STARTS WITH $run OR m.id STARTS WITH $run }))
          OR (n:ProductModel AND n.sku STARTS WITH $run) OR (n:Device AND n.serial STARTS WITH $run)
          OR (n:Order AND n.id STARTS WITH $run) OR (n:Campaign AND n.id STARTS WITH $run)
          OR (n:OwedSignal AND n.lane = $lane) OR (n:SignalQueue AND n.lane = $lane)
       DETACH DELETE n`,
      { run, kiosk, people: [...people], lane: system.taskQueue },
    );
    await system.stop();
  });

  it('keeps a kiosk phone that a stranger typed, and still refuses the erased person’s own identifiers', async () => {
    const cards = [id('LY-1'), id('LY-2')];
    const email = `first.${run}@example.com`;
    // Two strangers, each a loyalty member with her own card; the first has an e-mail too.
    expect(
      await send({
        identifiers: ids([
          ['LOYALTY_ID', cards[0] as string],
          ['EMAIL', email],
        ]),
        identify: {},
      }),
    ).toEqual([expect.objectContaining({ status: 'ACCEPTED', unlinked: [] })]);
    expect(
      await send({ identifiers: ids([['LOYALTY_ID', cards[1] as string]]), identify: {} }),
    ).toEqual([expect.objectContaining({ status: 'ACCEPTED' })]);
    const first = (await byIdentifier('LOYALTY_ID', cards[0] as string)) as string;
    const second = (await byIdentifier('LOYALTY_ID', cards[1] as string)) as string;
    expect(first).not.toBe(second);
    const atKiosk = (card: string, order: string) => ({
      identifiers: ids([
        ['LOYALTY_ID', card],
        ['PHONE', kiosk],
      ]),
      order: { orderId: id(order), amount: 20, currency: 'USD' },
    });
    // The first types the kiosk phone: it is linked to her alone. The second types it too: the
    // phone is not linked to her (it would give one person two cards), only seen with her.
    expect(await send(atKiosk(cards[0] as string, 'o1'))).toEqual([
      expect.objectContaining({ status: 'ACCEPTED', unlinked: [] }),
    ]);
    const [refused] = await send(atKiosk(cards[1] as string, 'o2'));
    expect(refused?.status).toBe('ACCEPTED');
    expect(refused?.unlinked).toEqual([
      expect.objectContaining({ path: 'events[0].identifiers[1]' }),
    ]);
    expect(await byIdentifier('PHONE', kiosk)).toBe(first);

    await erase(first);

    // The second stranger's next purchase at the kiosk is hers, not refused as the erased one's.
    const [later] = await send(atKiosk(cards[1] as string, 'o3'));
    expect(later).toMatchObject({ status: 'ACCEPTED', error: null });
    const [mine] = await system.graph.read<{ n: number }>(
      `RETURN COUNT { (:Customer {id: $id})-[:HAD]->(:Touchpoint)--(:Order {id: $order}) } AS n`,
      { id: second, order: id('o3') },
    );
    expect(mine?.n).toBe(1);
    // The erased person's own identifiers are still refused, each on its path.
    for (const [namespace, value] of [
      ['LOYALTY_ID', cards[0] as string],
      ['EMAIL', email],
    ] as const) {
      const [answer] = await send({
        identifiers: ids([[namespace, value]]),
        order: { orderId: id(`late-${namespace}`), amount: 20, currency: 'USD' },
      });
      expect(answer).toMatchObject({
        status: 'REJECTED',
        error: { code: 'ERASED', path: 'events[0].identifiers[0]' },
      });
    }
  }, 400_000);

  it('leaves no owed signal naming the person: delivered after the erasure, nothing of them reaches Temporal', async () => {
    const ben = id('ben');
    const ana = id('ana');
    const sku = id('sku');
    const serial = id('serial');
    const campaign = id('camp');
    const order = id('order');
    await registerErasureFixtures(system, {
      kept: { id: ana, displayName: 'Ana Residue' },
      erased: { id: ben, displayName: 'Ben Residue' },
      sku,
      serial,
      campaign,
    });
    for (const name of ['click', 'purchase', 'expert']) sent.add(`${ben}-${name}`);
    sent.add(id('ana-click'));
    // The relay is not delivering: whatever these events owe stays in the outbox.
    await system.relay.stop();
    // Ben's event ids name him, as a sender's ids may.
    const results = await system.data<{ recordEvents: { results: Result[] } }>(
      `mutation ($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { results { status error { code path message } unlinked { path message } } }
      }`,
      {
        events: [
          {
            eventId: `${ben}-click`,
            occurredAt: at(),
            adClick: { customerId: ben, campaignId: campaign },
          },
          {
            eventId: `${ben}-purchase`,
            occurredAt: at(),
            purchase: {
              customerId: ben,
              serial,
              orderId: order,
              amount: 120,
              currency: 'USD',
              promisedDeliveryAt: at(),
            },
          },
          {
            eventId: `${ben}-expert`,
            occurredAt: at(),
            expertRequest: { serial, topic: 'paper jam' },
          },
          {
            eventId: id('ana-click'),
            occurredAt: at(),
            adClick: { customerId: ana, campaignId: campaign },
          },
        ],
      },
    );
    expect(results.recordEvents.results.map((r) => r.status)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'ACCEPTED',
      'ACCEPTED',
    ]);
    const owedNamingBen = () =>
      system.graph.read<{ n: number }>(
        `RETURN COUNT { (s:OwedSignal) WHERE s.lane = $lane AND (s.workflowId CONTAINS $ben OR s.eventId CONTAINS $ben OR s.event CONTAINS $ben OR s.event CONTAINS $order) } AS n`,
        { lane: system.taskQueue, ben, order },
      );
    // Ben's signals are owed: the journey's, the device's purchase and expert request.
    expect((await owedNamingBen())[0]?.n).toBeGreaterThanOrEqual(3);

    await erase(ben);

    // No owed signal names Ben any more; the device's expert request is still owed, renamed.
    expect((await owedNamingBen())[0]?.n).toBe(0);
    const [renamed] = await system.graph.read<{ ids: string[] }>(
      `MATCH (s:OwedSignal) WHERE s.lane = $lane AND s.workflowId = $workflowId RETURN collect(s.eventId) AS ids`,
      { lane: system.taskQueue, workflowId: deviceLifecycleWorkflowId(serial) },
    );
    expect(renamed?.ids).toEqual([expect.stringMatching(/^erased:/)]);

    // Now the relay delivers what is owed.
    system.relay.start();
    await eventually(
      () =>
        system.graph.read<{ n: number }>(
          'RETURN COUNT { (s:OwedSignal) WHERE s.lane = $lane } AS n',
          { lane: system.taskQueue },
        ),
      (rows) => rows[0]?.n === 0,
      60_000,
    );
    // Ana's signal was not lost: her journey has her click.
    await eventually(
      () =>
        system.client.workflow
          .getHandle(journeyWorkflowId(ana, sku))
          .describe()
          .then(
            (d) => d.status.name,
            (error: unknown) => (error instanceof WorkflowNotFoundError ? 'none' : String(error)),
          ),
      (status) => status === 'RUNNING',
      60_000,
    );
    // Nothing of Ben in any run of the workflows his signals were owed to, nor in any execution
    // visibility finds by his id or the device.
    const left = await eventually(
      () =>
        findPersonInTemporal(
          system.client,
          { customerId: ben, name: 'Ben Residue', other: [order, 'paper jam'] },
          {
            workflowIds: [deviceLifecycleWorkflowId(serial), journeyWorkflowId(ben, sku)],
            queries: [`CustomerId = '${ben}'`, `Serial = '${serial}'`],
          },
        ),
      (sightings) => sightings.length === 0,
      TEMPORAL_BACKGROUND_MS,
    );
    expect(left).toEqual([]);
    // The expert request did reach the device's lifecycle, under its anonymous id.
    const anonymous = renamed?.ids[0] as string;
    const delivered = await findPersonInTemporal(
      system.client,
      { other: [anonymous] },
      { workflowIds: [deviceLifecycleWorkflowId(serial)], follow: false },
    );
    expect(delivered.length).toBeGreaterThan(0);
  }, 400_000);
});
