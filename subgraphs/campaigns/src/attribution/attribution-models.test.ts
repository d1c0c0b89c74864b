import fc from 'fast-check';
import { ATTRIBUTION_MODELS, attribute, type Touch } from './attribution-models';

const DAY = 86_400_000;
const placedAt = Date.parse('2026-06-30T00:00:00Z');
const options = { halfLifeDays: 7, lookbackDays: 90 };
const touch = (id: string, daysBefore: number, campaignId: string | null = id): Touch => ({
  id,
  at: placedAt - daysBefore * DAY,
  campaignId,
  referrerId: campaignId === null ? `ref-${id}` : null,
});

// A referral 14 days before, an impression 7 days before, a click at the purchase.
const touches = [touch('click', 0), touch('referral', 14, null), touch('impression', 7)];
const shares = (model: (typeof ATTRIBUTION_MODELS)[number], ts = touches) =>
  Object.fromEntries(attribute(model, ts, placedAt, options).map((c) => [c.touch.id, c.share]));

describe('attribute', () => {
  it('gives everything to the oldest touch under FIRST_TOUCH', () => {
    expect(shares('FIRST_TOUCH')).toEqual({ referral: 1 });
  });

  it('gives everything to the newest touch under LAST_TOUCH', () => {
    expect(shares('LAST_TOUCH')).toEqual({ click: 1 });
  });

  it('shares equally under LINEAR', () => {
    const s = shares('LINEAR');
    expect(s['referral']).toBeCloseTo(1 / 3, 12);
    expect(s['impression']).toBeCloseTo(1 / 3, 12);
    expect(s['click']).toBeCloseTo(1 / 3, 12);
  });

  it('halves the weight per half-life under TIME_DECAY', () => {
    // Weights 1 (0 days), 1/2 (7 days), 1/4 (14 days): total 7/4.
    const s = shares('TIME_DECAY');
    expect(s['click']).toBeCloseTo(4 / 7, 12);
    expect(s['impression']).toBeCloseTo(2 / 7, 12);
    expect(s['referral']).toBeCloseTo(1 / 7, 12);
  });

  it('ignores touches after the purchase and outside the lookback window', () => {
    const ts = [touch('late', -1), touch('old', 91), touch('edge', 90), touch('ok', 3)];
    expect(shares('LINEAR', ts)).toEqual({ edge: 0.5, ok: 0.5 });
  });

  it('counts the referral that brought the buyer however long ago it was', () => {
    const ts = [touch('old-referral', 400, null), touch('old-ad', 400), touch('ad', 3)];
    expect(shares('FIRST_TOUCH', ts)).toEqual({ 'old-referral': 1 });
    expect(shares('LINEAR', ts)).toEqual({ 'old-referral': 0.5, ad: 0.5 });
  });

  it('leaves a purchase with no eligible touch unattributed', () => {
    for (const model of ATTRIBUTION_MODELS) {
      expect(attribute(model, [], placedAt, options)).toEqual([]);
      expect(attribute(model, [touch('late', -2)], placedAt, options)).toEqual([]);
    }
  });

  it('keeps a referral whose referrer was erased as old as any referral', () => {
    // Erased referrers leave no one to credit: the referral still shares in the purchase.
    const anonymous = { ...touch('referral', 120, null), referrerId: null };
    expect(shares('FIRST_TOUCH', [touch('click', 0), anonymous])).toEqual({ referral: 1 });
  });

  it('breaks ties in time by id, so the result does not depend on input order', () => {
    const a = touch('a', 5);
    const b = touch('b', 5);
    expect(attribute('FIRST_TOUCH', [b, a], placedAt, options)[0]?.touch.id).toBe('a');
    expect(attribute('LAST_TOUCH', [a, b], placedAt, options)[0]?.touch.id).toBe('b');
  });

  const arbitraryTouches = fc.array(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 6 }),
      at: fc.integer({ min: placedAt - 200 * DAY, max: placedAt + 10 * DAY }),
      // Campaign touches always name their campaign; a touch without one is a referral.
      campaignId: fc.constantFrom('c1', 'c2', 'c3'),
      referrerId: fc.constant(null),
    }),
    { maxLength: 30 },
  );
  const arbitraryOptions = fc.record({
    halfLifeDays: fc.double({ min: 0.01, max: 365, noNaN: true }),
    lookbackDays: fc.integer({ min: 1, max: 365 }),
  });

  it('shares of an attributed purchase are non-negative and sum to 1 (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ATTRIBUTION_MODELS),
        arbitraryTouches,
        arbitraryOptions,
        (model, ts, opts) => {
          const credits = attribute(model, ts, placedAt, opts);
          const eligible = ts.filter(
            (t) => t.at <= placedAt && t.at >= placedAt - opts.lookbackDays * DAY,
          );
          // (The arbitrary touches are campaign touches only: referrals are tested above.)
          if (eligible.length === 0) return credits.length === 0;
          const sum = credits.reduce((s, c) => s + c.share, 0);
          return (
            Math.abs(sum - 1) < 1e-9 &&
            credits.every((c) => c.share >= 0 && Number.isFinite(c.share)) &&
            credits.every((c) => eligible.includes(c.touch))
          );
        },
      ),
    );
  });

  it('first and last touch put everything on one touch, the oldest or newest (property)', () => {
    fc.assert(
      fc.property(arbitraryTouches, arbitraryOptions, (ts, opts) => {
        const first = attribute('FIRST_TOUCH', ts, placedAt, opts);
        const last = attribute('LAST_TOUCH', ts, placedAt, opts);
        if (first.length === 0) return last.length === 0;
        const times = ts
          .filter((t) => t.at <= placedAt && t.at >= placedAt - opts.lookbackDays * DAY)
          .map((t) => t.at);
        return (
          first.length === 1 &&
          last.length === 1 &&
          first[0]?.share === 1 &&
          last[0]?.share === 1 &&
          first[0].touch.at === Math.min(...times) &&
          last[0].touch.at === Math.max(...times)
        );
      }),
    );
  });

  it('time decay never gives an older touch more than a newer one (property)', () => {
    fc.assert(
      fc.property(arbitraryTouches, arbitraryOptions, (ts, opts) => {
        const credits = attribute('TIME_DECAY', ts, placedAt, opts);
        return credits.every((c, i) => i === 0 || (credits[i - 1]?.share ?? 0) <= c.share + 1e-12);
      }),
    );
  });
});
