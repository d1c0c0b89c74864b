/**
 * Field-level rules: who may read each field of each object type of the supergraph. Root fields
 * (`Query`, `Mutation`) are the rights table's (`rights.ts`); every other field is listed here,
 * and `schema/field-access.test.ts` fails the build when the supergraph has a field this table
 * does not name, so a new field cannot ship without a decision.
 *
 * A nested value type (a funnel, a consent, a health report) is readable by whoever may read the
 * field that leads to it: its own fields are EVERYONE, and the parent's field carries the rule.
 * Admins and first-party services read every field.
 */
import type { EmployeeRole, PartnerRole, Principal } from './principal';

/** Who a field rule names: people, employee roles and partner roles. */
export type Audience = 'person' | Exclude<EmployeeRole, 'admin'> | PartnerRole;

/** Anyone who reached the object. */
export const EVERYONE: readonly Audience[] = [
  'person',
  'expert',
  'support',
  'marketer',
  'adPlatform',
  'retailer',
  'carrier',
  'deviceCloud',
  'community',
];
/** A person's own data: the person (on themselves only, see reach) and the staff who care for them. */
export const PERSONAL: readonly Audience[] = ['person', 'support', 'expert'];
/** Operational details only staff who care for customers see. */
export const CARE: readonly Audience[] = ['support', 'expert'];
/** Aggregates of campaigns and orders: marketers, support and the ad platform of the campaign. */
export const CAMPAIGN_AGGREGATES: readonly Audience[] = ['marketer', 'support', 'adPlatform'];
/** Analytics: marketers and support. */
export const ANALYTICS: readonly Audience[] = ['marketer', 'support'];
/** Nobody but admins and first-party services. */
export const ADMINS: readonly Audience[] = [];

type FieldRules = Record<string, Record<string, readonly Audience[]>>;

const everyone = (...fields: string[]) => Object.fromEntries(fields.map((f) => [f, EVERYONE]));

export const FIELD_RULES: FieldRules = {
  AttributionCredit: {
    ...everyone('campaign', 'touchType', 'touchedAt', 'share', 'revenue'),
    referrer: CARE,
  },
  BgNbdParameters: everyone('r', 'alpha', 'a', 'b', 'logLikelihood'),
  GammaGammaParameters: everyone('p', 'q', 'gamma', 'logLikelihood'),
  Campaign: {
    ...everyone('id', 'name', 'channel', 'journeyStage', 'product'),
    conversions: CAMPAIGN_AGGREGATES,
    deliveryPerformance: CAMPAIGN_AGGREGATES,
    funnel: CAMPAIGN_AGGREGATES,
    attributedRevenue: CAMPAIGN_AGGREGATES,
  },
  CampaignFunnel: everyone('stages', 'purchases', 'revenueInfluenced', 'attributedRevenue'),
  FunnelStep: everyone('stage', 'people', 'conversionFromPrevious', 'conversionFromFirst'),
  ModelRevenue: everyone('model', 'revenue'),
  DeliveryPerformance: everyone('orders', 'delivered', 'onTimeRate', 'inFullRate', 'otifRate'),
  Consent: everyone('purpose', 'granted', 'channels', 'updatedAt', 'history'),
  ConsentChange: {
    ...everyone('purpose', 'granted', 'channels', 'source', 'at'),
    recordedBy: ADMINS,
  },
  Coupon: everyone('code', 'offer', 'issuedAt', 'expiresAt', 'redeemedAt'),
  Customer: {
    id: EVERYONE,
    displayName: PERSONAL,
    createdAt: PERSONAL,
    coupons: PERSONAL,
    campaignsTouched: PERSONAL,
    referralAttributedRevenue: PERSONAL,
    consents: PERSONAL,
    preferences: PERSONAL,
    identities: PERSONAL,
    merges: CARE,
    dataQuality: CARE,
    segments: CARE,
    timeline: PERSONAL,
    value: PERSONAL,
    referredBy: PERSONAL,
    referrals: PERSONAL,
    erasedReferrals: PERSONAL,
    sentiment: CARE,
    helpfulVotes: PERSONAL,
    superUser: PERSONAL,
    devices: PERSONAL,
    journeys: PERSONAL,
  },
  CustomerMerge: {
    ...everyone(
      'id',
      'at',
      'reason',
      'eventId',
      'survivorId',
      'absorbedId',
      'identifierKey',
      'undoneAt',
      'undoReason',
    ),
    recordedBy: ADMINS,
  },
  CustomerSentiment: everyone('score', 'mentions'),
  CustomerValue: everyone(
    'historical',
    'referral',
    'helpfulness',
    'total',
    'peopleReferred',
    'peopleReferredDirectly',
    'predicted',
  ),
  PredictedValue: everyone(
    'probabilityAlive',
    'expectedPurchases',
    'expectedValue',
    'horizonDays',
    'fittedAt',
    'fitId',
  ),
  StageChange: everyone('stage', 'at'),
  DataQuality: everyone('score', 'completeness', 'recency', 'missing'),
  Device: {
    ...everyone('serial', 'model', 'registeredAt', 'stage', 'stageChangedAt', 'stageHistory'),
    owner: PERSONAL,
    lifecycleWorkflowId: CARE,
    order: PERSONAL,
    experience: PERSONAL,
    health: [...PERSONAL, 'deviceCloud'],
    telemetry: [...PERSONAL, 'deviceCloud'],
    interventions: PERSONAL,
  },
  DeviceHealth: everyone(
    'level',
    'failureRisk',
    'reasons',
    'failureHorizonDays',
    'inkLevel',
    'inkEmptyInDays',
    'lastReadingAt',
  ),
  TelemetryReading: everyone('at', 'pagesPrinted', 'errors', 'paperJams', 'inkLevel'),
  Erasure: everyone('id', 'reason', 'status', 'requestedAt', 'completedAt', 'workflowId'),
  EventError: everyone('code', 'message', 'path'),
  EventResult: everyone('index', 'eventId', 'status', 'outcome', 'error', 'unlinked'),
  UnlinkedIdentifier: everyone('path', 'message'),
  RecordEventsResult: everyone('accepted', 'duplicates', 'rejected', 'results'),
  Experience: everyone('stage', 'actions', 'offers'),
  ExperienceAction: everyone('id', 'label', 'detail'),
  ExperienceOffer: everyone('couponCode', 'storeId', 'product', 'amount', 'currency', 'expiresAt'),
  ExperiencePerception: everyone('target', 'expressed', 'gap', 'mentions'),
  Identity: {
    ...everyone('namespace', 'value', 'shared', 'since'),
    linkedBy: ADMINS,
  },
  Intervention: {
    ...everyone(
      'id',
      'reason',
      'status',
      'openedAt',
      'notifiedVia',
      'partShippedAt',
      'escalatedAt',
      'closedAt',
      'outcome',
      'product',
    ),
    device: CARE,
    customer: CARE,
    topic: CARE,
    assignee: CARE,
  },
  Journey: everyone('product', 'stage', 'stageChangedAt', 'workflowId'),
  Offer: everyone('id', 'store', 'product', 'amount', 'currency', 'validDays', 'active'),
  Order: {
    ...everyone(
      'id',
      'placedAt',
      'amount',
      'currency',
      'promisedDeliveryAt',
      'carrier',
      'carrierStatus',
      'expectedDeliveryAt',
      'deliveredAt',
      'onTime',
      'inFull',
    ),
    attribution: CAMPAIGN_AGGREGATES,
  },
  Preference: everyone('key', 'value', 'source', 'at', 'current'),
  ProductModel: {
    ...everyone('sku', 'name', 'category', 'campaigns'),
    devices: CARE,
    deliveryPerformance: ['marketer', 'support', 'retailer', 'carrier'],
    perception: ['marketer', 'support', 'expert', 'community'],
  },
  Segment: {
    ...Object.fromEntries(
      ['id', 'name', 'description', 'match', 'conditions', 'memberCount'].map((f) => [
        f,
        ANALYTICS,
      ]),
    ),
    // A marketer reads a segment's size, never the people in it.
    members: ['support'],
  },
  SegmentCondition: everyone('field', 'atLeast', 'atMost', 'value'),
  // Reached only through Query.signalBacklog, which only admins and services may use.
  SignalBacklog: everyone('owed', 'oldestOwedAt', 'oldestAgeSeconds'),
  Store: everyone('id', 'name', 'latitude', 'longitude', 'radiusMeters', 'offers'),
  Touchpoint: {
    ...everyone(
      'eventId',
      'type',
      'occurredAt',
      'channel',
      'sentiment',
      'campaign',
      'product',
      'device',
      'store',
    ),
    recordedBy: ADMINS,
  },
  ValueModelFit: everyone(
    'id',
    'status',
    'population',
    'asOf',
    'horizonDays',
    'fittedAt',
    'error',
    'customers',
    'repeatCustomers',
    'bgNbd',
    'gammaGamma',
    'fitMillis',
    'jobMillis',
  ),
};

/** The audience a principal belongs to for field rules; null for those who read every field. */
function audiencesOf(principal: Principal): readonly Audience[] | null {
  switch (principal.kind) {
    case 'service':
      return null;
    case 'person':
      return ['person'];
    case 'partner':
      return [principal.role];
    case 'employee':
      return principal.roles.includes('admin')
        ? null
        : (principal.roles as Array<Exclude<EmployeeRole, 'admin'>>);
  }
}

/**
 * Whether a principal may read `type.field`. A field the table does not name is refused (and
 * fails the build's coverage test); fields of federation's own types and `__typename` are
 * always readable.
 */
export function mayReadField(principal: Principal, type: string, field: string): boolean {
  if (field.startsWith('__') || type.startsWith('_')) return true;
  const audiences = audiencesOf(principal);
  if (audiences === null) return true;
  const rule = FIELD_RULES[type]?.[field];
  if (!rule) return false;
  return audiences.some((a) => rule.includes(a));
}
