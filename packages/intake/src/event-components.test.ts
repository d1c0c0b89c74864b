import fc from 'fast-check';
import { eventComponents, forEachConcurrently } from './event-components';
import { createEventParser } from './parse';
import { conflictKeysOf } from './rules';

describe('grouping a batch into independent components', () => {
  it('keeps events that share a key together, in batch order', () => {
    expect(
      eventComponents([
        ['customer:ana', 'serial:P1', 'order:o1'],
        ['customer:ben'],
        ['order:o1'],
        [],
        ['customer:ben', 'customer:cy'],
        ['serial:P1'],
      ]),
    ).toEqual([[0, 2, 5], [1, 4], [3]]);
  });

  it('connects through chains of keys', () => {
    expect(eventComponents([['a'], ['b'], ['c'], ['b', 'c'], ['a', 'c']])).toEqual([
      [0, 1, 2, 3, 4],
    ]);
  });

  // The oracle: two events are in one component exactly when a path of shared keys joins them.
  it('partitions every batch into exactly the connected components', () => {
    const keys = fc.array(
      fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 3 }),
      {
        maxLength: 40,
      },
    );
    fc.assert(
      fc.property(keys, (batch) => {
        const components = eventComponents(batch);
        // A partition of the positions, each component sorted, components by first position.
        const flat = components.flat();
        expect([...flat].sort((x, y) => x - y)).toEqual(batch.map((_, i) => i));
        for (const c of components) expect([...c].sort((x, y) => x - y)).toEqual(c);
        expect(components.map((c) => c[0])).toEqual(
          [...components.map((c) => c[0] as number)].sort((x, y) => x - y),
        );
        // Same component iff reachable by shared keys (breadth-first search as the oracle).
        const componentOf = new Map<number, number>();
        components.forEach((c, n) => c.forEach((i) => componentOf.set(i, n)));
        batch.forEach((_, start) => {
          const reached = new Set([start]);
          const queue = [start];
          while (queue.length > 0) {
            const i = queue.shift() as number;
            batch.forEach((other, j) => {
              if (!reached.has(j) && other.some((k) => batch[i]?.includes(k))) {
                reached.add(j);
                queue.push(j);
              }
            });
          }
          batch.forEach((_, j) => {
            expect(componentOf.get(j) === componentOf.get(start)).toBe(reached.has(j));
          });
        });
      }),
    );
  });
});

describe('bounded concurrency', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (n, limit) => {
          let running = 0;
          let peak = 0;
          const done: number[] = [];
          await forEachConcurrently(
            Array.from({ length: n }, (_, i) => i),
            limit,
            async (i) => {
              running++;
              peak = Math.max(peak, running);
              await new Promise((resolve) => setTimeout(resolve, i % 3));
              done.push(i);
              running--;
            },
          );
          expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          expect(peak).toBeLessThanOrEqual(limit);
          if (n >= limit) expect(peak).toBe(limit);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('the keys that tie events of a batch together', () => {
  const parse = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'));
  const keys = (raw: Record<string, unknown>, serialOfOrder = new Map<string, string>()) => {
    const event = { eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z', ...raw };
    return conflictKeysOf(event, parse(event), serialOfOrder);
  };

  it('names people, devices, orders and coupons, never models or campaigns', () => {
    expect(
      keys({
        purchase: {
          customerId: 'ana',
          serial: 'P1',
          orderId: 'o1',
          couponCode: 'C1',
          amount: 1,
          currency: 'USD',
          promisedDeliveryAt: '2026-05-04T00:00:00Z',
        },
      }),
    ).toEqual(['event:e1', 'customer:ana', 'serial:P1', 'coupon:C1', 'order:o1']);
    expect(keys({ adClick: { customerId: 'ana', campaignId: 'camp' } })).toEqual([
      'event:e1',
      'customer:ana',
    ]);
  });

  it("ties a delivery to its order's device, so it stays in order with that device's events", () => {
    expect(keys({ delivery: { orderId: 'o1', inFull: true } }, new Map([['o1', 'P1']]))).toEqual([
      'event:e1',
      'order:o1',
      'serial:P1',
    ]);
  });

  it('keeps every referral of a batch in one group, and an invalid event by its id only', () => {
    expect(keys({ referral: { referrerId: 'ana', referredId: 'ben', sku: 'LJ' } })).toEqual([
      'event:e1',
      'customer:ana',
      'customer:ben',
      'referrals',
    ]);
    expect(keys({ order: { customerId: 'ana' } })).toEqual(['event:e1']);
  });
});
