import { buildFunnel } from './funnel';

/** `people` people who answer alike; they purchased when the group has orders. */
const group = (
  people: number,
  clicked: boolean,
  visitedStore: boolean,
  orders: Array<{ id: string; amount: number }> = [],
) => ({ people, clicked, visitedStore, purchased: orders.length > 0, orders });

describe('buildFunnel', () => {
  it('counts the people at each stage, with conversions', () => {
    const funnel = buildFunnel([
      group(2, false, false),
      group(1, true, false),
      group(1, false, true),
      group(1, true, false, [{ id: 'o1', amount: 100 }]),
    ]);
    expect(funnel.stages).toEqual([
      { stage: 'SAW', people: 5, conversionFromPrevious: null, conversionFromFirst: 1 },
      // Two clicked; one came near a store, which engages too.
      { stage: 'CLICKED', people: 2, conversionFromPrevious: 2 / 5, conversionFromFirst: 2 / 5 },
      { stage: 'ENGAGED', people: 3, conversionFromPrevious: 3 / 2, conversionFromFirst: 3 / 5 },
      { stage: 'PURCHASED', people: 1, conversionFromPrevious: 1 / 3, conversionFromFirst: 1 / 5 },
    ]);
    expect(funnel.purchases).toBe(1);
    expect(funnel.revenueInfluenced).toBe(100);
  });

  it('counts a purchase after only seeing an ad', () => {
    const funnel = buildFunnel([group(1, false, false, [{ id: 'o1', amount: 1 }])]);
    expect(funnel.stages.map((s) => s.people)).toEqual([1, 0, 0, 1]);
    expect(funnel.stages[3]?.conversionFromPrevious).toBeNull();
  });

  it('sums every influenced order, several per person', () => {
    const funnel = buildFunnel([
      group(1, false, false, [
        { id: 'o1', amount: 10 },
        { id: 'o2', amount: 5.5 },
      ]),
    ]);
    expect(funnel.purchases).toBe(2);
    expect(funnel.revenueInfluenced).toBe(15.5);
    expect(funnel.orderIds).toEqual(['o1', 'o2']);
  });

  it('counts every person of a group at each stage the group reaches', () => {
    const funnel = buildFunnel([
      group(7000, false, false),
      group(3000, true, true, [{ id: 'o1', amount: 2 }]),
    ]);
    expect(funnel.stages.map((s) => s.people)).toEqual([10000, 3000, 3000, 3000]);
    expect(funnel.purchases).toBe(1);
  });

  it('has no conversion rates for an untouched campaign', () => {
    const funnel = buildFunnel([]);
    expect(funnel.stages.map((s) => [s.people, s.conversionFromFirst])).toEqual([
      [0, null],
      [0, null],
      [0, null],
      [0, null],
    ]);
    expect(funnel.revenueInfluenced).toBe(0);
  });
});
