import { buildFunnel } from './funnel';

const person = (
  customerId: string,
  clicked: boolean,
  visitedStore: boolean,
  orders: Array<{ id: string; amount: number }> = [],
) => ({ customerId, clicked, visitedStore, orders });

describe('buildFunnel', () => {
  it('counts the people at each stage, with conversions', () => {
    const funnel = buildFunnel([
      person('a', false, false),
      person('b', false, false),
      person('c', true, false),
      person('d', false, true),
      person('e', true, false, [{ id: 'o1', amount: 100 }]),
    ]);
    expect(funnel.stages).toEqual([
      { stage: 'SAW', people: 5, conversionFromPrevious: null, conversionFromFirst: 1 },
      // c and e clicked; d came near a store, which engages too.
      { stage: 'CLICKED', people: 2, conversionFromPrevious: 2 / 5, conversionFromFirst: 2 / 5 },
      { stage: 'ENGAGED', people: 3, conversionFromPrevious: 3 / 2, conversionFromFirst: 3 / 5 },
      { stage: 'PURCHASED', people: 1, conversionFromPrevious: 1 / 3, conversionFromFirst: 1 / 5 },
    ]);
    expect(funnel.purchases).toBe(1);
    expect(funnel.revenueInfluenced).toBe(100);
  });

  it('counts a purchase after only seeing an ad', () => {
    const funnel = buildFunnel([person('a', false, false, [{ id: 'o1', amount: 1 }])]);
    expect(funnel.stages.map((s) => s.people)).toEqual([1, 0, 0, 1]);
    expect(funnel.stages[3]?.conversionFromPrevious).toBeNull();
  });

  it('sums every influenced order, several per person', () => {
    const funnel = buildFunnel([
      person('a', false, false, [
        { id: 'o1', amount: 10 },
        { id: 'o2', amount: 5.5 },
      ]),
    ]);
    expect(funnel.purchases).toBe(2);
    expect(funnel.revenueInfluenced).toBe(15.5);
    expect(funnel.orderIds).toEqual(['o1', 'o2']);
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
