import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive } from './bg-nbd';
import { customerValue, customerValues } from './customer-value';
import { gammaGammaExpectedAverageValue } from './gamma-gamma';
import { type CustomerRfm } from './rfm';

const models = {
  bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};
const customer: CustomerRfm = {
  customerId: '1',
  firstPurchase: '1997-01-01',
  x: 2,
  tx: 30.43,
  T: 38.86,
  monetaryValue: 22.35,
};

describe('customerValue', () => {
  it('multiplies expected purchases by expected average value when not discounting', () => {
    const value = customerValue(customer, models, { horizonWeeks: 52 });
    const purchases = bgNbdConditionalExpectedPurchases(models.bgNbd, customer, 52);
    const average = gammaGammaExpectedAverageValue(models.gammaGamma, customer);
    expect(value).toEqual({
      customerId: '1',
      probabilityAlive: bgNbdProbabilityAlive(models.bgNbd, customer),
      expectedPurchases: purchases,
      expectedAverageValue: average,
      expectedValue: purchases * average,
    });
  });

  it('discounts each week at (1 + d)^-week', () => {
    const d = 0.002;
    const value = customerValue(customer, models, { horizonWeeks: 3, discountRatePerWeek: d });
    const e = (t: number) => bgNbdConditionalExpectedPurchases(models.bgNbd, customer, t);
    const byHand = e(1) / (1 + d) + (e(2) - e(1)) / (1 + d) ** 2 + (e(3) - e(2)) / (1 + d) ** 3;
    expect(value.expectedValue).toBeCloseTo(byHand * value.expectedAverageValue, 12);
    expect(value.expectedPurchases).toBeCloseTo(e(3), 12);
  });

  it('is worth less the higher the discount rate, and nothing over no time', () => {
    const values = [0, 1e-9, 0.001, 0.01].map(
      (d) =>
        customerValue(customer, models, { horizonWeeks: 52.5, discountRatePerWeek: d })
          .expectedValue,
    );
    expect(values[1]).toBeCloseTo(values[0] ?? NaN, 4);
    expect(values[2]).toBeLessThan(values[1] ?? NaN);
    expect(values[3]).toBeLessThan(values[2] ?? NaN);
    expect(customerValue(customer, models, { horizonWeeks: 0 })).toMatchObject({
      expectedPurchases: 0,
      expectedValue: 0,
    });
  });

  it('values every customer, in order, and rejects bad options', () => {
    const other = { ...customer, customerId: '2', x: 0, tx: 0, monetaryValue: 0 };
    expect(
      customerValues([customer, other], models, { horizonWeeks: 10 }).map((v) => v.customerId),
    ).toEqual(['1', '2']);
    expect(() => customerValue(customer, models, { horizonWeeks: -1 })).toThrow(RangeError);
    expect(() =>
      customerValue(customer, models, { horizonWeeks: 1, discountRatePerWeek: -0.1 }),
    ).toThrow(RangeError);
  });
});
