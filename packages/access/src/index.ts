export {
  DEFAULT_UNIQUE_NAMESPACES,
  EMPLOYEE_ROLES,
  NAMESPACES,
  PARTNER_ROLES,
  hasRole,
  principalKey,
  principalSchema,
  seesEverything,
  type EmployeePrincipal,
  type EmployeeRole,
  type Namespace,
  type PartnerPrincipal,
  type PartnerReach,
  type PartnerRole,
  type PersonPrincipal,
  type Principal,
  type ServicePrincipal,
} from './principal';
export {
  EMPLOYEE_RIGHTS,
  EVENT_KINDS,
  MUTATION_FIELDS,
  PARTNER_RIGHTS,
  PERSON_RIGHTS,
  QUERY_FIELDS,
  RIGHTS_TABLE,
  SERVICE_RIGHTS,
  mayLinkNamespace,
  maySendEvent,
  mayUseRootField,
  rightsOf,
  type EventKind,
  type MutationField,
  type QueryField,
  type Reach,
  type Rights,
} from './rights';
export { FIELD_RULES, mayReadField, type Audience } from './fields';
export { describe, refusalOf, type Refusal } from './authorize';
export {
  reachesCampaign,
  reachesCustomer,
  reachesDevice,
  reachesIntervention,
  reachesOrder,
  reachesProductModel,
  reachesStore,
} from './reach';
export {
  DEFAULT_MAX_SKEW_MS,
  NonceMemory,
  SIGNATURE_HEADERS,
  signRequest,
  verifyRequest,
  type Verification,
} from './signing';
export { README_MARKERS, renderRights, withRenderedRights } from './render';
