/**
 * `order` events: purchases not tied to a tracked device (media, ink, accessories), through
 * the gateway, with their rules, and counted in the customer's historical value.
 */
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

interface Results {
  recordEvents: {
    results: Array<{
      status: string;
      error: { code: string; path: string; message: string } | null;
    }>;
  };
}

describe('order events through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('order');
  const id = (name: string) => `${run}-${name}`;
  const at = (minutes: number) => new Date(Date.now() - (100 - minutes) * 60_000).toISOString();
  const record = async (events: Array<Record<string, unknown>>) =>
    (
      await system.data<Results>(
        `mutation ($events: [LifecycleEventInput!]!) { recordEvents(events: $events) { results { status error { code path message } } } }`,
        { events },
      )
    ).recordEvents.results;
  const order = (event: string, minute: number, payload: Record<string, unknown>) => ({
    eventId: id(event),
    occurredAt: at(minute),
    order: { customerId: id('ana'), currency: 'USD', amount: 12.5, ...payload },
  });

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!) { registerProductModel(input: $m) { sku } }`,
      { m: { sku: id('INK'), name: 'Ink' } },
    );
    await system.data(
      `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
      { c: { id: id('ana'), displayName: 'Ana' } },
    );
  });

  afterAll(async () => {
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'eventId'] WHERE n[key] IS :: STRING AND n[key] STARTS WITH $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  it('records orders, refuses the bad ones precisely, and counts them in historical value', async () => {
    const second = order('o2', 2, { orderId: id('o2') });
    const results = await record([
      order('o1', 1, { orderId: id('o1'), quantity: 3, sku: id('INK') }),
      second,
      order('o1-again', 3, { orderId: id('o1') }),
      order('nobody', 4, { orderId: id('o3'), customerId: id('nobody') }),
      order('no-sku', 5, { orderId: id('o4'), sku: id('NOPE') }),
      order('bad', 6, { orderId: id('o5'), quantity: 0 }),
      {
        eventId: id('opt-out'),
        occurredAt: at(7),
        optOut: { customerId: id('ana'), sku: id('INK') },
      },
      order('after-opt-out', 8, { orderId: id('o6'), sku: id('INK') }),
    ]);
    expect(results.map((r) => [r.status, r.error?.code ?? null, r.error?.path ?? null])).toEqual([
      ['ACCEPTED', null, null],
      ['ACCEPTED', null, null],
      ['REJECTED', 'CONFLICT', 'events[2].order.orderId'],
      ['REJECTED', 'UNKNOWN_REFERENCE', 'events[3].order.customerId'],
      ['REJECTED', 'UNKNOWN_REFERENCE', 'events[4].order.sku'],
      ['REJECTED', 'INVALID', 'events[5].order.quantity'],
      ['ACCEPTED', null, null],
      ['REJECTED', 'OPTED_OUT', 'events[7].order.sku'],
    ]);
    // A resend is a duplicate; nothing is counted twice.
    const again = await record([second]);
    expect(again.map((r) => r.status)).toEqual(['DUPLICATE']);

    const { customer } = await system.data<{
      customer: { value: { historical: number; predicted: unknown } };
    }>(`query ($id: ID!) { customer(id: $id) { value { historical predicted { fitId } } } }`, {
      id: id('ana'),
    });
    expect(customer.value.historical).toBe(25);
    expect(customer.value.predicted).toBeNull();
    const [stored] = await system.graph.read<{ quantity: number; sku: string; type: string }>(
      `MATCH (:Customer {id: $customer})-[:PLACED]->(o:Order {id: $order})<-[:FOR]-(t:Touchpoint)
       RETURN o.quantity AS quantity, o.sku AS sku, t.type AS type`,
      { customer: id('ana'), order: id('o1') },
    );
    expect(stored).toEqual({ quantity: 3, sku: id('INK'), type: 'ORDER' });
  });

  it('refuses implausible money and dates, each with its path, and writes none of them', async () => {
    const results = await record([
      order('tiny', 10, { orderId: id('tiny'), amount: 5e-324 }),
      order('fraction', 11, { orderId: id('fraction'), amount: 19.999 }),
      order('yen', 12, { orderId: id('yen'), amount: 10.5, currency: 'JPY' }),
      order('negative', 13, { orderId: id('negative'), amount: -5 }),
      order('no-currency', 14, { orderId: id('no-currency'), currency: 'ABC' }),
      { ...order('old', 15, { orderId: id('old') }), occurredAt: '1900-01-01T00:00:00Z' },
      {
        ...order('zero-date', 16, { orderId: id('zero-date') }),
        occurredAt: '0001-01-01T00:00:00Z',
      },
      {
        eventId: id('free-device'),
        occurredAt: at(17),
        purchase: {
          customerId: id('ana'),
          serial: id('nope'),
          orderId: id('free-device'),
          amount: 0,
          currency: 'USD',
          promisedDeliveryAt: at(18),
        },
      },
      {
        eventId: id('promise-9999'),
        occurredAt: at(19),
        purchase: {
          customerId: id('ana'),
          serial: id('nope'),
          orderId: id('promise-9999'),
          amount: 99,
          currency: 'USD',
          promisedDeliveryAt: '9999-12-31T00:00:00Z',
        },
      },
      order('free', 20, { orderId: id('free'), amount: 0 }),
    ]);
    expect(results.map((r) => [r.status, r.error?.code ?? null, r.error?.path ?? null])).toEqual([
      ['REJECTED', 'INVALID', 'events[0].order.amount'],
      ['REJECTED', 'INVALID', 'events[1].order.amount'],
      ['REJECTED', 'INVALID', 'events[2].order.amount'],
      ['REJECTED', 'INVALID', 'events[3].order.amount'],
      ['REJECTED', 'INVALID', 'events[4].order.currency'],
      ['REJECTED', 'INVALID', 'events[5].occurredAt'],
      ['REJECTED', 'INVALID', 'events[6].occurredAt'],
      ['REJECTED', 'INVALID', 'events[7].purchase.amount'],
      ['REJECTED', 'INVALID', 'events[8].purchase.promisedDeliveryAt'],
      // A free order (a promotion) is an order.
      ['ACCEPTED', null, null],
    ]);
    expect(results[1]?.error?.message).toMatch(/whole multiple of 0\.01 USD/);
    expect(results[5]?.error?.message).toMatch(/must not be before 1990-01-01/);
    const written = await system.graph.read<{ id: string }>(
      `MATCH (o:Order) WHERE o.id STARTS WITH $run RETURN o.id AS id`,
      { run },
    );
    const refused = ['tiny', 'fraction', 'yen', 'negative', 'no-currency', 'old', 'zero-date'];
    for (const name of [...refused, 'free-device', 'promise-9999']) {
      expect(written.map((w) => w.id)).not.toContain(id(name));
    }
    expect(written.map((w) => w.id)).toContain(id('free'));
  });
});
