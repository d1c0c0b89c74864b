/**
 * Principals: who is behind a request. The gateway authenticates every request into one of these
 * (an API key for a partner or a first-party service, a signed JWT for a person using the app or
 * an employee), passes it to the subgraphs in a signed header, and every layer decides what it may
 * do from it and the rights table (`rights.ts`) alone.
 */
import { z } from 'zod';

/** The partner systems a printer maker connects, each with its own registration. */
export const PARTNER_ROLES = [
  'adPlatform',
  'retailer',
  'carrier',
  'deviceCloud',
  'community',
] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/** What an employee does; an employee may hold several roles. */
export const EMPLOYEE_ROLES = ['expert', 'support', 'marketer', 'admin'] as const;
export type EmployeeRole = (typeof EMPLOYEE_ROLES)[number];

/**
 * Identifier namespaces, strongest first: when an event ties two people, the person whose
 * identifier on the event comes first here survives the merge (`@experience-graph/identity`).
 * A loyalty id is issued by the company to one person; an e-mail or a phone is personal but can
 * change hands; an app install, a social handle and above all a cookie are the easiest to share.
 */
export const NAMESPACES = [
  'LOYALTY_ID',
  'EMAIL',
  'PHONE',
  'APP_INSTALL',
  'SOCIAL_HANDLE',
  'COOKIE',
] as const;
export type Namespace = (typeof NAMESPACES)[number];

/**
 * The namespaces a person holds at most one value of, unless IDENTITY_UNIQUE_NAMESPACES says
 * otherwise: a loyalty programme issues one card per member. E-mail is not unique by default,
 * because one person commonly has several (work and personal) and merging those is right.
 */
export const DEFAULT_UNIQUE_NAMESPACES: readonly Namespace[] = ['LOYALTY_ID'];

/**
 * The objects a partner is registered for. An ad platform reaches its campaigns, a retailer its
 * stores, a device cloud the devices of its product models, a community site reviews and
 * answers about its product models; a carrier reaches the orders a purchase handed to it (its
 * own id), which needs no list.
 */
export interface PartnerReach {
  campaignIds: string[];
  storeIds: string[];
  skus: string[];
}

/** The maker's own back-office systems (and local development): every right. */
export interface ServicePrincipal {
  kind: 'service';
  id: string;
}

export interface PartnerPrincipal {
  kind: 'partner';
  id: string;
  role: PartnerRole;
  reach: PartnerReach;
  /** Identifier namespaces this partner may link or merge people by (a subset of its role's). */
  linkNamespaces: Namespace[];
}

/** A person using a first-party app; `customerId` is who they are (the token's subject). */
export interface PersonPrincipal {
  kind: 'person';
  id: string;
  customerId: string;
}

export interface EmployeePrincipal {
  kind: 'employee';
  id: string;
  roles: EmployeeRole[];
}

export type Principal = ServicePrincipal | PartnerPrincipal | PersonPrincipal | EmployeePrincipal;

/**
 * The principal's key in provenance records and event ids: `partner:adplatform`,
 * `person:cust-ana`, `employee:e-17`, `service:local`. Stable for as long as the registration.
 */
export function principalKey(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}

const id = z.string().min(1).max(200);
const ids = z.array(z.string().min(1).max(200)).max(10_000);

/** The wire schema of a principal, as the gateway sends it to the subgraphs. */
export const principalSchema: z.ZodType<Principal> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service'), id }),
  z.object({
    kind: z.literal('partner'),
    id,
    role: z.enum(PARTNER_ROLES),
    reach: z.object({ campaignIds: ids, storeIds: ids, skus: ids }),
    linkNamespaces: z.array(z.enum(NAMESPACES)),
  }),
  z.object({ kind: z.literal('person'), id, customerId: id }),
  z.object({ kind: z.literal('employee'), id, roles: z.array(z.enum(EMPLOYEE_ROLES)).min(1) }),
]);

/** Whether an employee principal holds a role. */
export const hasRole = (principal: Principal, role: EmployeeRole): boolean =>
  principal.kind === 'employee' && principal.roles.includes(role);

/** Principals that see every object: the first-party services and admins. */
export const seesEverything = (principal: Principal): boolean =>
  principal.kind === 'service' || hasRole(principal, 'admin');
