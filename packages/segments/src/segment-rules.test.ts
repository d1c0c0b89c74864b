import fc from 'fast-check';
import {
  FEATURE_PARTS,
  isMember,
  membershipChanges,
  NUMERIC_FIELDS,
  partsFor,
  segmentDefinition,
  type CustomerFeatures,
  type SegmentCondition,
} from './segment-rules';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const features = (extra: Partial<CustomerFeatures> = {}): CustomerFeatures => ({
  id: 'ana',
  orders: { historical: 200, orderCount: 1 },
  referrals: { referral: 20, peopleReferred: 1 },
  helpfulVotes: { count: 0, worth: 0 },
  predictions: { probabilityAlive: null, expectedValue: null },
  sentiment: { mean: 0.4 },
  touchpoints: { byType: { PURCHASE: 1, AD_CLICK: 2 } },
  lastTouch: { at: '2026-05-29T00:00:00Z' },
  deviceStages: ['SUPPORT'],
  consentsGranted: ['MARKETING_CONTACT'],
  identifierNamespaces: ['EMAIL'],
  ...extra,
});
/** Features whose total value is `total`: all of it spent, none through referrals or votes. */
const worth = (total: number) =>
  features({
    orders: { historical: total, orderCount: 1 },
    referrals: { referral: 0, peopleReferred: 0 },
    helpfulVotes: { count: 0, worth: 0 },
  });
const condition = (c: Partial<SegmentCondition> & Pick<SegmentCondition, 'field'>) => ({
  atLeast: null,
  atMost: null,
  value: null,
  ...c,
});
const segment = (match: 'ALL' | 'ANY', conditions: SegmentCondition[]) => ({
  id: 's',
  name: 's',
  description: null,
  match,
  conditions,
});

describe('segment membership', () => {
  const valuable = condition({ field: 'TOTAL_VALUE', atLeast: 100 });
  const inSupport = condition({ field: 'OWNS_DEVICE_IN_STAGE', value: 'SUPPORT' });
  const silent = condition({ field: 'DAYS_SINCE_LAST_TOUCH', atLeast: 30 });

  it('needs every condition under ALL and one under ANY', () => {
    expect(isMember(segment('ALL', [valuable, inSupport]), features(), NOW)).toBe(true);
    expect(isMember(segment('ALL', [valuable, silent]), features(), NOW)).toBe(false);
    expect(isMember(segment('ANY', [valuable, silent]), features(), NOW)).toBe(true);
    expect(isMember(segment('ANY', [silent]), features(), NOW)).toBe(false);
  });

  it('bounds numbers inclusively on both sides', () => {
    const band = condition({ field: 'TOTAL_VALUE', atLeast: 220, atMost: 220 });
    expect(isMember(segment('ALL', [band]), features(), NOW)).toBe(true);
    expect(isMember(segment('ALL', [band]), worth(220.01), NOW)).toBe(false);
  });

  it('never counts a missing number (no prediction yet) as passing', () => {
    const likely = condition({ field: 'PROBABILITY_ALIVE', atMost: 1 });
    expect(isMember(segment('ALL', [likely]), features(), NOW)).toBe(false);
    expect(
      isMember(
        segment('ALL', [likely]),
        features({ predictions: { probabilityAlive: 0.3, expectedValue: null } }),
        NOW,
      ),
    ).toBe(true);
  });

  it('counts touchpoints of one type, or of all', () => {
    const clicks = condition({ field: 'TOUCHPOINTS', atLeast: 2, value: 'AD_CLICK' });
    const all = condition({ field: 'TOUCHPOINTS', atLeast: 3 });
    const purchases = condition({ field: 'TOUCHPOINTS', atLeast: 2, value: 'PURCHASE' });
    expect(isMember(segment('ALL', [clicks, all]), features(), NOW)).toBe(true);
    expect(isMember(segment('ALL', [purchases]), features(), NOW)).toBe(false);
  });

  it('measures days since the last touch against the time of evaluation', () => {
    const recent = condition({ field: 'DAYS_SINCE_LAST_TOUCH', atMost: 3 });
    expect(isMember(segment('ALL', [recent]), features(), NOW)).toBe(true);
    expect(isMember(segment('ALL', [recent]), features(), NOW + 2 * 86_400_000)).toBe(false);
  });

  it('is monotone in a lower bound: raising it never adds members', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (total, bound) => {
          const low = isMember(
            segment('ALL', [condition({ field: 'TOTAL_VALUE', atLeast: bound })]),
            worth(total),
            NOW,
          );
          const high = isMember(
            segment('ALL', [condition({ field: 'TOTAL_VALUE', atLeast: bound + 1 })]),
            worth(total),
            NOW,
          );
          expect(high && !low).toBe(false);
        },
      ),
    );
  });
});

describe('feature parts', () => {
  const only = (f: CustomerFeatures, parts: readonly string[]): CustomerFeatures =>
    Object.fromEntries(
      Object.entries(f).filter(([key]) => key === 'id' || parts.includes(key)),
    ) as CustomerFeatures;
  const on = (...conditions: SegmentCondition[]) => segment('ALL', conditions);

  it('reads orders for spend, the referral chain for referrals, both and votes for the total, touchpoints for counts and recency', () => {
    expect(partsFor([on(condition({ field: 'HISTORICAL_VALUE', atLeast: 1 }))])).toEqual([
      'orders',
    ]);
    expect(partsFor([on(condition({ field: 'PEOPLE_REFERRED', atLeast: 1 }))])).toEqual([
      'referrals',
    ]);
    expect(partsFor([on(condition({ field: 'TOTAL_VALUE', atLeast: 1 }))])).toEqual([
      'orders',
      'referrals',
      'helpfulVotes',
    ]);
    expect(
      partsFor([on(condition({ field: 'TOUCHPOINTS', atLeast: 1, value: 'AD_CLICK' }))]),
    ).toEqual(['touchpoints']);
    expect(
      partsFor([
        on(
          condition({ field: 'DAYS_SINCE_LAST_TOUCH', atMost: 3 }),
          condition({ field: 'TOUCHPOINTS', atLeast: 1 }),
        ),
      ]),
    ).toEqual(['touchpoints', 'lastTouch']);
  });

  it('gathers the parts of several segments once each, in the order reads fetch them', () => {
    const parts = partsFor([
      on(condition({ field: 'HAS_IDENTIFIER', value: 'EMAIL' })),
      on(
        condition({ field: 'SENTIMENT', atLeast: 0 }),
        condition({ field: 'ORDER_COUNT', atLeast: 1 }),
      ),
      on(condition({ field: 'HISTORICAL_VALUE', atLeast: 1 })),
    ]);
    expect(parts).toEqual(['orders', 'sentiment', 'identifierNamespaces']);
    expect(partsFor([])).toEqual([]);
  });

  it('decides every field on the parts it names alone, as it would on all of them', () => {
    const fields = [
      ...NUMERIC_FIELDS.map((field) => condition({ field, atLeast: 0.2 })),
      condition({ field: 'OWNS_DEVICE_IN_STAGE', value: 'SUPPORT' }),
      condition({ field: 'CONSENT_GRANTED', value: 'MARKETING_CONTACT' }),
      condition({ field: 'HAS_IDENTIFIER', value: 'PHONE' }),
    ];
    const all = features({ predictions: { probabilityAlive: 0.5, expectedValue: 0.1 } });
    for (const c of fields) {
      const s = on(c);
      const parts = partsFor([s]);
      expect(parts.length).toBeGreaterThan(0);
      expect(parts.every((p) => FEATURE_PARTS.includes(p))).toBe(true);
      expect(isMember(s, only(all, parts), NOW)).toBe(isMember(s, all, NOW));
    }
  });

  it('refuses to decide on a part that was not read', () => {
    const valuable = on(condition({ field: 'TOTAL_VALUE', atLeast: 100 }));
    expect(() => isMember(valuable, only(features(), ['orders', 'referrals']), NOW)).toThrow(
      'Segment rules need the feature part helpfulVotes of ana, which was not read',
    );
    const inSupport = on(condition({ field: 'OWNS_DEVICE_IN_STAGE', value: 'SUPPORT' }));
    expect(() => isMember(inSupport, only(features(), ['consentsGranted']), NOW)).toThrow(
      /deviceStages/,
    );
  });

  it('adds what was spent, what referrals brought and what helpful votes are worth', () => {
    const exactly = (total: number) =>
      on(condition({ field: 'TOTAL_VALUE', atLeast: total, atMost: total }));
    const f = features({ helpfulVotes: { count: 3, worth: 6 } });
    expect(isMember(exactly(226), f, NOW)).toBe(true);
    expect(isMember(exactly(220), f, NOW)).toBe(false);
  });
});

describe('membership changes', () => {
  const valuable = {
    ...segment('ALL', [condition({ field: 'HISTORICAL_VALUE', atLeast: 100 })]),
    id: 'valuable',
  };
  const active = {
    ...segment('ALL', [condition({ field: 'ORDER_COUNT', atLeast: 2 })]),
    id: 'active',
  };
  const spent = (id: string, historical: number, orderCount: number): CustomerFeatures => ({
    id,
    orders: { historical, orderCount },
  });

  it('names who joins and who leaves, and leaves out those whose membership stands', () => {
    const changes = membershipChanges(
      [valuable, active],
      [
        { features: spent('new', 150, 1), memberOf: [] },
        { features: spent('kept', 150, 1), memberOf: ['valuable'] },
        { features: spent('gone', 50, 3), memberOf: ['valuable', 'active'] },
        { features: spent('never', 50, 1), memberOf: [] },
      ],
      NOW,
    );
    expect(changes).toEqual([{ segmentId: 'valuable', joining: ['new'], leaving: ['gone'] }]);
  });

  it('leaves out every segment when nothing changes', () => {
    expect(
      membershipChanges(
        [valuable],
        [{ features: spent('kept', 150, 1), memberOf: ['valuable'] }],
        NOW,
      ),
    ).toEqual([]);
  });
});

describe('segment definitions', () => {
  const parse = (conditions: unknown[]) =>
    segmentDefinition.safeParse({ id: 'vip', name: 'VIP', conditions });
  const problem = (conditions: unknown[]) => {
    const result = parse(conditions);
    if (result.success) return null;
    const issue = result.error.issues[0];
    return { path: issue?.path.join('.'), message: issue?.message };
  };

  it('accepts numeric bounds and membership values, defaulting to ALL', () => {
    const result = parse([
      { field: 'TOTAL_VALUE', atLeast: 100 },
      { field: 'CONSENT_GRANTED', value: 'MARKETING_CONTACT' },
    ]);
    expect(result.success && result.data.match).toBe('ALL');
  });

  it('names the bad part of a condition', () => {
    expect(problem([{ field: 'TOTAL_VALUE' }])).toEqual({
      path: 'conditions.0.atLeast',
      message: 'TOTAL_VALUE needs atLeast, atMost or both',
    });
    expect(
      problem([
        { field: 'TOTAL_VALUE', atLeast: 1 },
        { field: 'OWNS_DEVICE_IN_STAGE', value: 'FLYING' },
      ]),
    ).toEqual({
      path: 'conditions.1.value',
      message: expect.stringContaining('OWNS_DEVICE_IN_STAGE needs a value, one of PURCHASED'),
    });
    expect(problem([{ field: 'ORDER_COUNT', atLeast: 5, atMost: 2 }])).toMatchObject({
      path: 'conditions.0.atMost',
    });
    expect(problem([{ field: 'SENTIMENT', atLeast: 0, value: 'x' }])).toMatchObject({
      path: 'conditions.0.value',
    });
    expect(problem([])).toMatchObject({
      path: 'conditions',
      message: 'must hold at least one condition',
    });
  });
});
