/**
 * Who may send what through the intake, with no I/O: the event kinds of a principal's rights,
 * the objects of its registration (campaigns, stores, carried orders, product models, a
 * person's own devices), what it may change in identities, and how rejections are worded for
 * partners so that none of them tells whether a person exists, opted out or was erased.
 */
import { createHash } from 'node:crypto';
import {
  describe,
  maySendEvent,
  principalKey,
  reachesCampaign,
  reachesDevice,
  reachesOrder,
  reachesProductModel,
  reachesStore,
  rightsOf,
  type Principal,
} from '@experience-graph/access';
import type { LinkRights } from '@experience-graph/identity';
import type { EventFacts } from './facts';
import type { IntakeEvent, ParsedEvent } from './kinds';
import type { Rejection } from './rejection';

/**
 * The id of an event within its sender's ids: `<principal key>:<event id>`, such as
 * `partner:demo-retailer:evt-1`. It keys the touchpoint and is the id lifecycles drop repeats
 * by, so two senders' equal event ids never meet. Services' and partners' ids are lower-case
 * letters, digits and dashes, so the first two colons split it unambiguously; any other
 * principal (a person, an employee: ids from tokens) is named by a digest of its key, written
 * `<kind>-<digest>`, which no readable form starts with. Only characters of a business key,
 * since lifecycles derive further ids (coupon codes) from it.
 */
export function scopedEventId(principal: Principal, eventId: string): string {
  const key = principalKey(principal);
  if (/^(service|partner):[a-z0-9-]+$/.test(key)) return `${key}:${eventId}`;
  return `${principal.kind}-${stableDigest(key)}:${eventId}`;
}

/** A short stable digest of a principal key, of letters and digits only. */
const stableDigest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** What a principal may change in identities; undefined for first-party services (everything). */
export function linkRightsOf(principal: Principal, selfId?: string): LinkRights | undefined {
  if (principal.kind === 'service') return undefined;
  const namespaces = rightsOf(principal).linkNamespaces;
  if (principal.kind === 'person') return { namespaces, self: selfId ?? principal.customerId };
  return { namespaces, self: null };
}

const forbidden = (path: string, message: string): Rejection => ({
  code: 'FORBIDDEN',
  path,
  message: `${path}: ${message}; nothing was stored`,
});

/** An event of a kind the principal may not send. */
export function kindRefusal(principal: Principal, field: string): Rejection | null {
  if (maySendEvent(principal, field)) return null;
  return forbidden(field, `${describe(principal)} may not send ${field} events`);
}

/**
 * What the event as sent says about objects outside the principal's registration, decided on
 * the input alone: an ad platform's campaigns, a retailer's stores, a community's product
 * models, a person's own id.
 */
export function inputRefusal(principal: Principal, event: ParsedEvent): Rejection | null {
  const f = event.field;
  if (principal.kind === 'person') {
    const customerId = (event.data as { customerId?: string | null }).customerId ?? null;
    if (customerId !== null && customerId !== principal.customerId) {
      return forbidden(`${f}.customerId`, 'a person may send events only about themselves');
    }
    return null;
  }
  if (principal.kind !== 'partner') return null;
  switch (event.field) {
    case 'adImpression':
    case 'adClick':
      if (!reachesCampaign(principal, event.data.campaignId)) {
        return forbidden(`${f}.campaignId`, 'not a campaign of this sender');
      }
      return null;
    case 'purchase':
    case 'order': {
      if (principal.role !== 'retailer') return null;
      const { storeId } = event.data;
      if (storeId === null) return forbidden(`${f}.storeId`, 'a retailer names its store');
      if (!reachesStore(principal, storeId)) {
        return forbidden(`${f}.storeId`, 'not a store of this sender');
      }
      return null;
    }
    case 'review':
    case 'socialMention':
    case 'communityAnswer':
      if (!reachesProductModel(principal, event.data.sku)) {
        return forbidden(`${f}.sku`, 'not a product model of this sender');
      }
      return null;
    default:
      return null;
  }
}

/** The one answer about a device outside reach, whether it exists or not. */
export function deviceRefusal(
  principal: Principal,
  field: string,
  device: { sku: string; ownerId: string | null } | null,
): Rejection | null {
  if (principal.kind !== 'partner' && principal.kind !== 'person') return null;
  if (device && reachesDevice(principal, device)) return null;
  return forbidden(
    `${field}.serial`,
    principal.kind === 'person'
      ? 'not a device of yours'
      : 'not a device of a product model of this sender',
  );
}

/**
 * What the graph says about objects outside the principal's registration: a carrier's orders
 * (handed to it by the purchase), a device cloud's devices, the answers a community may vote
 * on, a person's own devices. Unknown objects get the same answer as other senders' ones.
 */
export function factRefusal(
  principal: Principal,
  event: IntakeEvent,
  facts: EventFacts,
): Rejection | null {
  if (principal.kind !== 'partner' && principal.kind !== 'person') return null;
  const f = event.field;
  switch (event.field) {
    case 'shipmentUpdate':
    case 'delivery': {
      if (principal.kind !== 'partner') return null;
      const o = facts.order;
      if (o && reachesOrder(principal, o)) return null;
      return forbidden(`${f}.orderId`, 'not an order handed to this sender');
    }
    case 'installation':
      return deviceRefusal(principal, f, facts.device);
    case 'supportRequest':
    case 'feedback':
    case 'expertRequest':
      return principal.kind === 'person' ? deviceRefusal(principal, f, facts.device) : null;
    case 'optOut':
      if (principal.kind === 'person' && event.data.serial !== null) {
        return deviceRefusal(principal, f, facts.device);
      }
      return null;
    case 'answerVote': {
      if (principal.kind !== 'partner') return null;
      const sku = facts.answer?.sku ?? null;
      if (sku !== null && reachesProductModel(principal, sku)) return null;
      return forbidden(`${f}.answerId`, 'not an answer about a product model of this sender');
    }
    default:
      return null;
  }
}

/** The one message of every answer to a partner that concerns a person it may not know about. */
export const NAMES_NO_ONE = 'names no one this sender may send about';

/**
 * Rejections that would tell a partner something about a person: unknown, opted out, erased,
 * or named only by shared identifiers.
 */
export function isPersonRejection(r: Rejection): boolean {
  if (r.code === 'ERASED' || r.code === 'OPTED_OUT' || r.code === 'AMBIGUOUS') return true;
  return (
    r.code === 'UNKNOWN_REFERENCE' &&
    (/\.(customerId|referrerId|referredId)$/.test(r.path) || r.path.startsWith('identifiers'))
  );
}

/**
 * The answer a partner gets instead of a person rejection: one code, one message, and a path
 * that depends only on what it sent (the customer id if it gave one, else its identifiers).
 */
export function namesNoOne(event: ParsedEvent): Rejection {
  const customerId = (event.data as { customerId?: string | null }).customerId ?? null;
  const path = customerId !== null ? `${event.field}.customerId` : 'identifiers';
  return { code: 'UNKNOWN_REFERENCE', path, message: `${path}: ${NAMES_NO_ONE}` };
}

/** A conflict in identities worded for a partner: no id, identifier or referral of anyone. */
export function identityConflictForPartner(r: Rejection): Rejection {
  return {
    code: 'CONFLICT',
    path: r.path,
    message: `${r.path || 'event'}: its identifiers tie people in a way that cannot be recorded`,
  };
}
