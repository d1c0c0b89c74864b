import { rfmSummary, type Purchase } from './rfm';

const calibrationEnd = '1997-09-30';

describe('rfmSummary', () => {
  it('counts purchase days, sums their values and leaves the first purchase out of m_x', () => {
    const purchases: Purchase[] = [
      { customerId: 'c1', at: '1997-01-01', amount: 30 },
      { customerId: 'c1', at: '1997-01-15', amount: 10 },
      { customerId: 'c1', at: '1997-01-15', amount: 5 }, // same day: one transaction of 15
      { customerId: 'c1', at: '1997-02-12', amount: 25 },
    ];
    const [c1] = rfmSummary(purchases, { calibrationEnd });
    expect(c1).toEqual({
      customerId: 'c1',
      firstPurchase: '1997-01-01',
      x: 2,
      tx: 6, // 42 days
      T: 272 / 7,
      monetaryValue: 20, // (15 + 25) / 2
    });
  });

  it('measures T to the calibration end day, which belongs to the calibration period', () => {
    const purchases: Purchase[] = [
      { customerId: 'c', at: '1997-09-02', amount: 1 },
      { customerId: 'c', at: '1997-09-30', amount: 3 },
      { customerId: 'c', at: '1997-10-01', amount: 100 }, // hold-out: ignored
    ];
    const [c] = rfmSummary(purchases, { calibrationEnd });
    expect(c).toMatchObject({ x: 1, tx: 4, T: 4, monetaryValue: 3 });
  });

  it('gives x = 0, t_x = 0 and m_x = 0 to a one-time buyer', () => {
    const [c] = rfmSummary([{ customerId: 'c', at: '1997-03-01', amount: 9 }], { calibrationEnd });
    expect(c).toMatchObject({ x: 0, tx: 0, monetaryValue: 0 });
  });

  it('leaves out customers acquired after the calibration end', () => {
    const summaries = rfmSummary(
      [
        { customerId: 'late', at: '1997-10-05', amount: 1 },
        { customerId: 'early', at: '1997-05-05', amount: 1 },
      ],
      { calibrationEnd },
    );
    expect(summaries.map((s) => s.customerId)).toEqual(['early']);
  });

  it('does not depend on the order of the input and accepts Dates and offsets', () => {
    const summaries = rfmSummary(
      [
        { customerId: 'c', at: new Date(Date.UTC(1997, 2, 8, 12)), amount: 7 },
        { customerId: 'c', at: '1997-03-01T23:30:00-01:00', amount: 2 }, // 1997-03-02 UTC
      ],
      { calibrationEnd: new Date(Date.UTC(1997, 2, 15)) },
    );
    expect(summaries).toEqual([
      {
        customerId: 'c',
        firstPurchase: '1997-03-02',
        x: 1,
        tx: 6 / 7,
        T: 13 / 7,
        monetaryValue: 7,
      },
    ]);
  });

  it('reads milliseconds since the epoch as the instant they name', () => {
    const purchases = [
      { customerId: 'c', at: '1997-03-01T23:30:00-01:00', amount: 2 },
      { customerId: 'c', at: '1997-03-08T12:00:00Z', amount: 7 },
    ];
    const inMillis = purchases.map((p) => ({ ...p, at: Date.parse(p.at) }));
    expect(rfmSummary(inMillis, { calibrationEnd })).toEqual(
      rfmSummary(purchases, { calibrationEnd }),
    );
    expect(() =>
      rfmSummary([{ customerId: 'c', at: Number.NaN, amount: 1 }], { calibrationEnd }),
    ).toThrow(RangeError);
  });

  it('rejects bad dates and amounts', () => {
    expect(() =>
      rfmSummary([{ customerId: 'c', at: 'soon', amount: 1 }], { calibrationEnd }),
    ).toThrow(RangeError);
    expect(() =>
      rfmSummary([{ customerId: 'c', at: '1997-01-01', amount: NaN }], { calibrationEnd }),
    ).toThrow(RangeError);
    expect(() => rfmSummary([], { calibrationEnd: 'never' })).toThrow(RangeError);
  });
});
