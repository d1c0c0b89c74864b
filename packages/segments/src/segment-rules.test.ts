import fc from 'fast-check';
import {
  isMember,
  segmentDefinition,
  type CustomerFeatures,
  type SegmentCondition,
} from './segment-rules';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const features = (extra: Partial<CustomerFeatures> = {}): CustomerFeatures => ({
  id: 'ana',
  historical: 200,
  referral: 20,
  total: 220,
  peopleReferred: 1,
  orderCount: 1,
  helpfulVotes: 0,
  probabilityAlive: null,
  expectedValue: null,
  sentiment: 0.4,
  touchpointTypes: { PURCHASE: 1, AD_CLICK: 2 },
  lastTouchAt: '2026-05-29T00:00:00Z',
  deviceStages: ['SUPPORT'],
  consentsGranted: ['MARKETING_CONTACT'],
  identifierNamespaces: ['EMAIL'],
  ...extra,
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
    expect(isMember(segment('ALL', [band]), features({ total: 220.01 }), NOW)).toBe(false);
  });

  it('never counts a missing number (no prediction yet) as passing', () => {
    const likely = condition({ field: 'PROBABILITY_ALIVE', atMost: 1 });
    expect(isMember(segment('ALL', [likely]), features(), NOW)).toBe(false);
    expect(isMember(segment('ALL', [likely]), features({ probabilityAlive: 0.3 }), NOW)).toBe(true);
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
            features({ total }),
            NOW,
          );
          const high = isMember(
            segment('ALL', [condition({ field: 'TOTAL_VALUE', atLeast: bound + 1 })]),
            features({ total }),
            NOW,
          );
          expect(high && !low).toBe(false);
        },
      ),
    );
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
