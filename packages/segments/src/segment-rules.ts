import { IDENTIFIER_NAMESPACES } from '@experience-graph/identity';
import { z } from 'zod';

/** What a segment condition looks at. */
export const NUMERIC_FIELDS = [
  'HISTORICAL_VALUE',
  'REFERRAL_VALUE',
  'TOTAL_VALUE',
  'PEOPLE_REFERRED',
  'ORDER_COUNT',
  'HELPFUL_VOTES',
  'PROBABILITY_ALIVE',
  'EXPECTED_VALUE',
  'SENTIMENT',
  'TOUCHPOINTS',
  'DAYS_SINCE_LAST_TOUCH',
] as const;
export const MEMBERSHIP_FIELDS = [
  'OWNS_DEVICE_IN_STAGE',
  'CONSENT_GRANTED',
  'HAS_IDENTIFIER',
] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];
export type MembershipField = (typeof MEMBERSHIP_FIELDS)[number];
export type SegmentField = NumericField | MembershipField;

/** The values a membership condition may name. */
export const KNOWN_VALUES: Record<MembershipField, readonly string[]> = {
  OWNS_DEVICE_IN_STAGE: [
    'PURCHASED',
    'DELIVERING',
    'INSTALLING',
    'SUPPORT',
    'OPTED_OUT',
    'RETIRED',
  ],
  CONSENT_GRANTED: ['MARKETING_CONTACT', 'LOCATION_OFFERS', 'TELEMETRY_USE'],
  HAS_IDENTIFIER: IDENTIFIER_NAMESPACES,
};

/**
 * One rule. A numeric field is compared with `atLeast` and/or `atMost` (inclusive); TOUCHPOINTS
 * counts touchpoints of the type in `value`, or of every type. A membership field holds when the
 * customer has `value`: a device in that stage, consent granted for that purpose, an identifier
 * in that namespace.
 */
export interface SegmentCondition {
  field: SegmentField;
  atLeast: number | null;
  atMost: number | null;
  value: string | null;
}

export interface SegmentDefinition {
  id: string;
  name: string;
  description: string | null;
  match: 'ALL' | 'ANY';
  conditions: SegmentCondition[];
}

/**
 * What the conditions look at, for one customer, in parts: each part is read from the graph by a
 * pattern of its own (see features.ts), so a read fetches only the parts the conditions it
 * evaluates need (`partsFor`).
 */
export interface FeatureParts {
  /** What they spent, in how many orders. */
  orders: { historical: number; orderCount: number };
  /** What the people down their referral chain spent, discounted per hop, and how many they are. */
  referrals: { referral: number; peopleReferred: number };
  /** Helpful votes others gave their community answers, and what those add to their value. */
  helpfulVotes: { count: number; worth: number };
  /** The value model's predictions, null before a fit. */
  predictions: { probabilityAlive: number | null; expectedValue: number | null };
  /** How many touchpoints of each type they had. */
  touchpoints: { byType: Record<string, number> };
  /** When their latest touchpoint occurred; null when they had none. */
  lastTouch: { at: string | null };
  /** The mean sentiment of the touchpoints that have one; null when none has. */
  sentiment: { mean: number | null };
  deviceStages: string[];
  consentsGranted: string[];
  identifierNamespaces: string[];
}
export type FeaturePart = keyof FeatureParts;

/** Every part, in the order reads fetch them. */
export const FEATURE_PARTS: readonly FeaturePart[] = [
  'orders',
  'referrals',
  'helpfulVotes',
  'predictions',
  'touchpoints',
  'lastTouch',
  'sentiment',
  'deviceStages',
  'consentsGranted',
  'identifierNamespaces',
];

/** A customer's features: the parts that were read, and only those. */
export type CustomerFeatures = { id: string } & Partial<FeatureParts>;

/** The parts a condition on each field looks at. */
export const PARTS_OF_FIELD: Record<SegmentField, readonly FeaturePart[]> = {
  HISTORICAL_VALUE: ['orders'],
  ORDER_COUNT: ['orders'],
  REFERRAL_VALUE: ['referrals'],
  PEOPLE_REFERRED: ['referrals'],
  TOTAL_VALUE: ['orders', 'referrals', 'helpfulVotes'],
  HELPFUL_VOTES: ['helpfulVotes'],
  PROBABILITY_ALIVE: ['predictions'],
  EXPECTED_VALUE: ['predictions'],
  SENTIMENT: ['sentiment'],
  TOUCHPOINTS: ['touchpoints'],
  DAYS_SINCE_LAST_TOUCH: ['lastTouch'],
  OWNS_DEVICE_IN_STAGE: ['deviceStages'],
  CONSENT_GRANTED: ['consentsGranted'],
  HAS_IDENTIFIER: ['identifierNamespaces'],
};

/** The parts the conditions of these segments look at, in FEATURE_PARTS order. */
export function partsFor(segments: readonly SegmentDefinition[]): FeaturePart[] {
  const needed = new Set(
    segments.flatMap((s) => s.conditions.flatMap((c) => PARTS_OF_FIELD[c.field])),
  );
  return FEATURE_PARTS.filter((p) => needed.has(p));
}

/** A part of the features; one that was not read is a mistake of the caller, not a non-match. */
function part<P extends FeaturePart>(f: CustomerFeatures, name: P): FeatureParts[P] {
  const value = f[name];
  if (value === undefined) {
    throw new Error(`Segment rules need the feature part ${name} of ${f.id}, which was not read`);
  }
  return value as FeatureParts[P];
}

const NUMERIC: Record<
  Exclude<NumericField, 'TOUCHPOINTS' | 'DAYS_SINCE_LAST_TOUCH'>,
  (f: CustomerFeatures) => number | null
> = {
  HISTORICAL_VALUE: (f) => part(f, 'orders').historical,
  REFERRAL_VALUE: (f) => part(f, 'referrals').referral,
  TOTAL_VALUE: (f) =>
    part(f, 'orders').historical + part(f, 'referrals').referral + part(f, 'helpfulVotes').worth,
  PEOPLE_REFERRED: (f) => part(f, 'referrals').peopleReferred,
  ORDER_COUNT: (f) => part(f, 'orders').orderCount,
  HELPFUL_VOTES: (f) => part(f, 'helpfulVotes').count,
  PROBABILITY_ALIVE: (f) => part(f, 'predictions').probabilityAlive,
  EXPECTED_VALUE: (f) => part(f, 'predictions').expectedValue,
  SENTIMENT: (f) => part(f, 'sentiment').mean,
};

const DAY = 86_400_000;

function numberOf(condition: SegmentCondition, f: CustomerFeatures, now: number): number | null {
  switch (condition.field) {
    case 'TOUCHPOINTS': {
      const { byType } = part(f, 'touchpoints');
      return condition.value === null
        ? Object.values(byType).reduce((a, b) => a + b, 0)
        : (byType[condition.value] ?? 0);
    }
    case 'DAYS_SINCE_LAST_TOUCH': {
      const { at } = part(f, 'lastTouch');
      return at === null ? null : (now - Date.parse(at)) / DAY;
    }
    case 'OWNS_DEVICE_IN_STAGE':
    case 'CONSENT_GRANTED':
    case 'HAS_IDENTIFIER':
      return null;
    default:
      return NUMERIC[condition.field](f);
  }
}

/** Whether one condition holds for a customer; a missing number (no prediction yet) never does. */
export function conditionHolds(c: SegmentCondition, f: CustomerFeatures, now: number): boolean {
  switch (c.field) {
    case 'OWNS_DEVICE_IN_STAGE':
      return part(f, 'deviceStages').includes(c.value as string);
    case 'CONSENT_GRANTED':
      return part(f, 'consentsGranted').includes(c.value as string);
    case 'HAS_IDENTIFIER':
      return part(f, 'identifierNamespaces').includes(c.value as string);
    default: {
      const n = numberOf(c, f, now);
      if (n === null) return false;
      return (c.atLeast === null || n >= c.atLeast) && (c.atMost === null || n <= c.atMost);
    }
  }
}

/** Whether a customer belongs to a segment: every condition (ALL) or one of them (ANY). */
export function isMember(segment: SegmentDefinition, f: CustomerFeatures, now: number): boolean {
  const holds = (c: SegmentCondition) => conditionHolds(c, f, now);
  return segment.match === 'ALL' ? segment.conditions.every(holds) : segment.conditions.some(holds);
}

/** A customer's features (the parts read) and the segments of those evaluated they are in now. */
export interface CustomerState {
  features: CustomerFeatures;
  memberOf: readonly string[];
}

/** Who joins and who leaves one segment. */
export interface MembershipChange {
  segmentId: string;
  joining: string[];
  leaving: string[];
}

/**
 * What evaluating `segments` for these customers changes: for each segment, the customers who
 * are members now and were not, and those who were and are no longer. Segments nobody joins or leaves are left out, so unchanged
 * memberships are not written at all.
 */
export function membershipChanges(
  segments: readonly SegmentDefinition[],
  customers: readonly CustomerState[],
  now: number,
): MembershipChange[] {
  return segments
    .map((segment) => {
      const change: MembershipChange = { segmentId: segment.id, joining: [], leaving: [] };
      for (const { features, memberOf } of customers) {
        const was = memberOf.includes(segment.id);
        const is = isMember(segment, features, now);
        if (is && !was) change.joining.push(features.id);
        if (was && !is) change.leaving.push(features.id);
      }
      return change;
    })
    .filter((c) => c.joining.length > 0 || c.leaving.length > 0);
}

const key = z
  .string()
  .regex(
    /^[A-Za-z0-9._:-]{1,64}$/,
    'must be 1 to 64 letters, digits, dots, colons, dashes or underscores',
  );
const bound = z
  .number()
  .finite('must be a finite number')
  .nullish()
  .transform((v) => v ?? null);

const condition = z
  .object({
    field: z.enum([...NUMERIC_FIELDS, ...MEMBERSHIP_FIELDS]),
    atLeast: bound,
    atMost: bound,
    value: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .nullish()
      .transform((v) => v ?? null),
  })
  .superRefine((c, ctx) => {
    if ((MEMBERSHIP_FIELDS as readonly string[]).includes(c.field)) {
      const known = KNOWN_VALUES[c.field as MembershipField];
      if (c.value === null || !known.includes(c.value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `${c.field} needs a value, one of ${known.join(', ')}`,
        });
      }
      if (c.atLeast !== null || c.atMost !== null) {
        ctx.addIssue({ code: 'custom', path: ['atLeast'], message: `${c.field} takes no bounds` });
      }
      return;
    }
    if (c.atLeast === null && c.atMost === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['atLeast'],
        message: `${c.field} needs atLeast, atMost or both`,
      });
    }
    if (c.atLeast !== null && c.atMost !== null && c.atLeast > c.atMost) {
      ctx.addIssue({ code: 'custom', path: ['atMost'], message: 'must be at least atLeast' });
    }
    if (c.value !== null && c.field !== 'TOUCHPOINTS') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.field} takes no value` });
    }
    if (c.field === 'TOUCHPOINTS' && c.value !== null && !/^[A-Z_]{1,64}$/.test(c.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'must be a touchpoint type such as PURCHASE',
      });
    }
  });

/** A segment definition as an admin sends it. */
export const segmentDefinition = z.object({
  id: key,
  name: z
    .string()
    .trim()
    .min(1, 'must be 1 to 200 characters')
    .max(200, 'must be 1 to 200 characters'),
  description: z
    .string()
    .trim()
    .max(2000, 'must be at most 2,000 characters')
    .nullish()
    .transform((v) => v || null),
  match: z
    .enum(['ALL', 'ANY'])
    .nullish()
    .transform((v) => v ?? 'ALL'),
  conditions: z
    .array(condition)
    .min(1, 'must hold at least one condition')
    .max(20, 'must hold at most 20 conditions'),
});
