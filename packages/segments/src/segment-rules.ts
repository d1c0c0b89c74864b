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

/** What the conditions look at, for one customer, read from the graph (see features.ts). */
export interface CustomerFeatures {
  id: string;
  historical: number;
  referral: number;
  total: number;
  peopleReferred: number;
  orderCount: number;
  helpfulVotes: number;
  probabilityAlive: number | null;
  expectedValue: number | null;
  sentiment: number | null;
  touchpointTypes: Record<string, number>;
  lastTouchAt: string | null;
  deviceStages: string[];
  consentsGranted: string[];
  identifierNamespaces: string[];
}

const NUMERIC: Record<
  Exclude<NumericField, 'TOUCHPOINTS' | 'DAYS_SINCE_LAST_TOUCH'>,
  (f: CustomerFeatures) => number | null
> = {
  HISTORICAL_VALUE: (f) => f.historical,
  REFERRAL_VALUE: (f) => f.referral,
  TOTAL_VALUE: (f) => f.total,
  PEOPLE_REFERRED: (f) => f.peopleReferred,
  ORDER_COUNT: (f) => f.orderCount,
  HELPFUL_VOTES: (f) => f.helpfulVotes,
  PROBABILITY_ALIVE: (f) => f.probabilityAlive,
  EXPECTED_VALUE: (f) => f.expectedValue,
  SENTIMENT: (f) => f.sentiment,
};

const DAY = 86_400_000;

function numberOf(condition: SegmentCondition, f: CustomerFeatures, now: number): number | null {
  switch (condition.field) {
    case 'TOUCHPOINTS':
      return condition.value === null
        ? Object.values(f.touchpointTypes).reduce((a, b) => a + b, 0)
        : (f.touchpointTypes[condition.value] ?? 0);
    case 'DAYS_SINCE_LAST_TOUCH':
      return f.lastTouchAt === null ? null : (now - Date.parse(f.lastTouchAt)) / DAY;
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
      return f.deviceStages.includes(c.value as string);
    case 'CONSENT_GRANTED':
      return f.consentsGranted.includes(c.value as string);
    case 'HAS_IDENTIFIER':
      return f.identifierNamespaces.includes(c.value as string);
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
