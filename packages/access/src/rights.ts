/**
 * The rights table: what each kind of principal may do, as data. The gateway and every subgraph
 * enforce it (root fields, event kinds, identifier namespaces); `fields.ts` adds which fields of
 * each type a principal may read, and the README renders both (`npm run rights`).
 *
 * What a principal reaches *within* a right (its campaigns, its stores, its own profile) is
 * decided where the objects are read: see `reach.ts`.
 */
import {
  EMPLOYEE_ROLES,
  NAMESPACES,
  PARTNER_ROLES,
  type EmployeeRole,
  type Namespace,
  type PartnerRole,
  type Principal,
} from './principal';

/** Every event kind of `LifecycleEventInput` (the intake tests that the two lists agree). */
export const EVENT_KINDS = [
  'identify',
  'adImpression',
  'adClick',
  'storeProximity',
  'purchase',
  'order',
  'shipmentUpdate',
  'delivery',
  'installation',
  'telemetry',
  'supportRequest',
  'feedback',
  'expertRequest',
  'presaleExpertRequest',
  'optOut',
  'referral',
  'review',
  'socialMention',
  'communityAnswer',
  'answerVote',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Every root field of the supergraph (a test fails when the schema gains one not listed). */
export const QUERY_FIELDS = [
  'customer',
  'customerByIdentifier',
  'merge',
  'erasure',
  'segment',
  'segments',
  'valueModel',
  'latestValueModel',
  'device',
  'productModel',
  'journeyExperience',
  'order',
  'interventions',
  'campaign',
  'store',
  'signalBacklog',
] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

export const MUTATION_FIELDS = [
  'recordEvents',
  'registerCustomer',
  'setConsent',
  'volunteerPreference',
  'mergeCustomers',
  'undoMerge',
  'eraseCustomer',
  'defineSegment',
  'deleteSegment',
  'refreshValueModel',
  'registerProductModel',
  'registerDevice',
  'confirmFix',
  'resolveIntervention',
  'setExperienceTarget',
  'createCampaign',
  'createStore',
  'createOffer',
] as const;
export type MutationField = (typeof MUTATION_FIELDS)[number];

/** How far a principal's rights reach among the objects of a kind. */
export type Reach =
  /** Every object. */
  | 'all'
  /** Only the objects of its registration (campaigns, stores, product models, carried orders). */
  | 'registration'
  /** Only the person themselves, their devices, journeys and cases. */
  | 'self'
  /** Experts: the interventions escalated to experts or assigned to them. */
  | 'assigned';

export interface Rights {
  /** What this principal is, for the README. */
  describe: string;
  queries: readonly QueryField[];
  mutations: readonly MutationField[];
  /** Event kinds it may send through `recordEvents`. */
  events: readonly EventKind[];
  /**
   * Identifier namespaces by which its events may link identifiers to people or merge people.
   * Any principal's events may *name* a person by a known identifier; only these may tie one.
   */
  linkNamespaces: readonly Namespace[];
  reach: Reach;
}

const EVERY_QUERY = QUERY_FIELDS;
const EVERY_MUTATION = MUTATION_FIELDS;

/** The rights of partners, by role. A partner's registration may narrow its namespaces. */
export const PARTNER_RIGHTS: Record<PartnerRole, Rights> = {
  adPlatform: {
    describe:
      "An ad platform: impressions and clicks of its campaigns' ads, and their funnels and attribution.",
    queries: ['campaign'],
    mutations: ['recordEvents'],
    events: ['adImpression', 'adClick'],
    linkNamespaces: [],
    reach: 'registration',
  },
  retailer: {
    describe:
      'A retailer: purchases and orders at its stores, shoppers near them, loyalty sign-ups; reads its stores.',
    queries: ['store'],
    mutations: ['recordEvents'],
    events: ['identify', 'purchase', 'order', 'storeProximity'],
    linkNamespaces: ['LOYALTY_ID', 'PHONE'],
    reach: 'registration',
  },
  carrier: {
    describe:
      'A carrier: shipment updates and deliveries of the orders handed to it, and their delivery status.',
    queries: ['order'],
    mutations: ['recordEvents'],
    events: ['shipmentUpdate', 'delivery'],
    linkNamespaces: [],
    reach: 'registration',
  },
  deviceCloud: {
    describe:
      'A device cloud: telemetry and installation of the devices of its product models, and their health.',
    queries: ['device'],
    mutations: ['recordEvents'],
    events: ['telemetry', 'installation'],
    linkNamespaces: [],
    reach: 'registration',
  },
  community: {
    describe:
      'A community site: reviews, social mentions, answers and votes about its product models.',
    queries: ['productModel'],
    mutations: ['recordEvents'],
    events: ['review', 'socialMention', 'communityAnswer', 'answerVote'],
    linkNamespaces: ['SOCIAL_HANDLE'],
    reach: 'registration',
  },
};

/** A person using a first-party app, by a signed token: themselves only. */
export const PERSON_RIGHTS: Rights = {
  describe:
    'A person using a first-party app: their own profile, devices, menus, offers, consents and preferences; only what a person says about themselves.',
  queries: ['customer', 'device', 'journeyExperience'],
  mutations: ['recordEvents', 'setConsent', 'volunteerPreference', 'confirmFix'],
  events: [
    'identify',
    'feedback',
    'supportRequest',
    'expertRequest',
    'presaleExpertRequest',
    'optOut',
  ],
  linkNamespaces: ['EMAIL', 'PHONE', 'APP_INSTALL', 'LOYALTY_ID'],
  reach: 'self',
};

/** Employees, by role; an employee with several roles has the union. */
export const EMPLOYEE_RIGHTS: Record<EmployeeRole, Rights> = {
  expert: {
    describe:
      'An expert: the interventions escalated to experts or assigned to them, the devices and customers they concern; resolves them.',
    queries: ['interventions', 'device', 'customer'],
    mutations: ['resolveIntervention', 'confirmFix'],
    events: [],
    linkNamespaces: [],
    reach: 'assigned',
  },
  support: {
    describe:
      "Support staff: any customer's single view and devices; consent and preferences a customer states to them, support and expert requests on their behalf.",
    queries: [
      'customer',
      'customerByIdentifier',
      'device',
      'journeyExperience',
      'order',
      'interventions',
      'productModel',
    ],
    mutations: ['recordEvents', 'setConsent', 'volunteerPreference', 'registerCustomer'],
    events: ['supportRequest', 'expertRequest', 'presaleExpertRequest', 'feedback', 'optOut'],
    linkNamespaces: [],
    reach: 'all',
  },
  marketer: {
    describe:
      'A marketer: defines campaigns, stores, offers, segments and experience targets; reads aggregates (funnels, attribution, segment sizes, value models), never a person.',
    queries: [
      'campaign',
      'store',
      'segment',
      'segments',
      'productModel',
      'valueModel',
      'latestValueModel',
    ],
    mutations: [
      'createCampaign',
      'createStore',
      'createOffer',
      'defineSegment',
      'deleteSegment',
      'setExperienceTarget',
      'refreshValueModel',
    ],
    events: [],
    linkNamespaces: [],
    reach: 'all',
  },
  admin: {
    describe: 'An admin: everything, and alone merges, undoes merges, erases and reads provenance.',
    queries: EVERY_QUERY,
    mutations: EVERY_MUTATION,
    events: [],
    linkNamespaces: [],
    reach: 'all',
  },
};

/** The maker's own back-office systems: every right (the local development key is one). */
export const SERVICE_RIGHTS: Rights = {
  describe:
    "The maker's own back-office systems (and the local development key): every query, mutation, event kind and namespace.",
  queries: EVERY_QUERY,
  mutations: EVERY_MUTATION,
  events: [...EVENT_KINDS],
  linkNamespaces: [...NAMESPACES],
  reach: 'all',
};

const union = <T>(lists: ReadonlyArray<readonly T[]>): T[] => [...new Set(lists.flat())];
const REACH_ORDER: Reach[] = ['assigned', 'self', 'registration', 'all'];

/** The rights of one principal: its kind's, its role's, or the union of an employee's roles. */
export function rightsOf(principal: Principal): Rights {
  switch (principal.kind) {
    case 'service':
      return SERVICE_RIGHTS;
    case 'person':
      return PERSON_RIGHTS;
    case 'partner': {
      const role = PARTNER_RIGHTS[principal.role];
      return {
        ...role,
        linkNamespaces: role.linkNamespaces.filter((n) => principal.linkNamespaces.includes(n)),
      };
    }
    case 'employee': {
      const roles = principal.roles.map((r) => EMPLOYEE_RIGHTS[r]);
      return {
        describe: principal.roles.join(' + '),
        queries: union(roles.map((r) => r.queries)),
        mutations: union(roles.map((r) => r.mutations)),
        events: union(roles.map((r) => r.events)),
        linkNamespaces: union(roles.map((r) => r.linkNamespaces)),
        reach:
          REACH_ORDER[Math.max(...roles.map((r) => REACH_ORDER.indexOf(r.reach)))] ?? 'assigned',
      };
    }
  }
}

/** Whether a principal may use a root field of an operation. */
export function mayUseRootField(
  principal: Principal,
  operation: 'query' | 'mutation' | 'subscription',
  field: string,
): boolean {
  // Introspection and `__typename` are governed by the production-mode rules, not the table.
  if (field.startsWith('__')) return true;
  const rights = rightsOf(principal);
  if (operation === 'query') return (rights.queries as readonly string[]).includes(field);
  if (operation === 'mutation') return (rights.mutations as readonly string[]).includes(field);
  return false;
}

/** Whether a principal may send events of a kind. */
export function maySendEvent(principal: Principal, kind: string): boolean {
  return (rightsOf(principal).events as readonly string[]).includes(kind);
}

/** Whether a principal's events may link identifiers of a namespace to people, or merge by them. */
export function mayLinkNamespace(principal: Principal, namespace: string): boolean {
  return (rightsOf(principal).linkNamespaces as readonly string[]).includes(namespace);
}

/** Every principal kind and role of the table, for the README and the authorization matrix. */
export const RIGHTS_TABLE: ReadonlyArray<{ principal: string; rights: Rights }> = [
  ...PARTNER_ROLES.map((role) => ({ principal: `partner: ${role}`, rights: PARTNER_RIGHTS[role] })),
  { principal: 'person (app token)', rights: PERSON_RIGHTS },
  ...EMPLOYEE_ROLES.map((role) => ({
    principal: `employee: ${role}`,
    rights: EMPLOYEE_RIGHTS[role],
  })),
  { principal: 'service', rights: SERVICE_RIGHTS },
];
