import { sentimentOf } from './sentiment';

describe('sentimentOf', () => {
  it('scores praise positive and complaints negative, within −1..1', () => {
    const praise = sentimentOf('I love this printer, it is great');
    const complaint = sentimentOf('Terrible. The printer jams all the time and I hate it');
    expect(praise).toBeGreaterThan(0);
    expect(complaint).toBeLessThan(0);
    for (const s of [praise, complaint]) {
      expect(s).toBeGreaterThanOrEqual(-1);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('divides the AFINN word average by 5', () => {
    // "excellent" scores 3 in AFINN-165: one word, 3 / 5.
    expect(sentimentOf('Excellent!')).toBeCloseTo(0.6, 12);
    // "terrible" −3 and "printer" 0 over 2 words: −3 / 2 / 5.
    expect(sentimentOf('Terrible printer')).toBeCloseTo(-0.3, 12);
  });

  it('turns a negated word around', () => {
    expect(sentimentOf('good')).toBeGreaterThan(0);
    expect(sentimentOf('not good')).toBeLessThan(0);
  });

  it('has no score for a text without words', () => {
    expect(sentimentOf('')).toBeNull();
    expect(sentimentOf('  !!! ')).toBeNull();
    expect(sentimentOf(null)).toBeNull();
  });

  it('is neutral for a text without opinion words', () => {
    expect(sentimentOf('It prints.')).toBe(0);
  });
});
