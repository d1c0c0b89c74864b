import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { principalKey, type Principal } from '@experience-graph/access';
import type { IdentityChanges, IdentityService } from '@experience-graph/identity';
import type { SegmentRepository } from '@experience-graph/segments';
import { badUserInput } from '@experience-graph/server-kit';
import { erasedKeyHash } from '@experience-graph/erasure-keys';
import type { LifecycleGateway } from '@experience-graph/workflows';
import {
  createEventParser,
  MAX_BATCH,
  PAYLOAD_FIELDS,
  namePerson,
  namesPerson,
  type IntakeEvent,
  type ParsedEvent,
} from './event-input';
import { eventComponents, forEachConcurrently } from './event-components';
import {
  deviceRefusal,
  factRefusal,
  identityConflictForPartner,
  inputRefusal,
  isPersonRejection,
  kindRefusal,
  linkRightsOf,
  namesNoOne,
  scopedEventId,
} from './event-access';
import type { EventFacts, EventRepository } from './event-repository';
import type { TelemetryIntake } from './telemetry-intake';
import {
  erasedRejection,
  factsBeforeOwnWrite,
  isRejection,
  keysOf,
  personKeysOf,
  planEvent,
  type Rejection,
} from './event-rules';

export type EventStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface EventResult {
  index: number;
  eventId: string;
  status: EventStatus;
  error: (Rejection & { path: string }) | null;
}

export interface RecordedBatch {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: EventResult[];
}

export interface EventIntakeDependencies {
  /** Keeps segment memberships current as events arrive. */
  segments?: SegmentRepository;
  events: EventRepository;
  telemetry: TelemetryIntake;
  lifecycle: LifecycleGateway;
  identity: IdentityService;
  logger: Logger;
  /** The erasure salt (ERASURE_SALT), to recognise erased people by their tombstones. */
  erasureSalt: string;
  now?: () => number;
  /** Independent components of a batch recorded at the same time; 1 records strictly in order. */
  concurrency?: number;
}

/** Who sends a batch: the principal, its key in provenance, a person's current id. */
interface Sender {
  principal: Principal;
  key: string;
  /** For a person: their canonical customer id (their survivor, if they were merged). */
  selfId?: string;
}

/** The default of {@link EventIntakeDependencies.concurrency}. */
export const DEFAULT_INTAKE_CONCURRENCY = 8;

type Parsed = ReturnType<ReturnType<typeof createEventParser>>;

/**
 * The keys through which an event may depend on another of its batch (see event-components.ts).
 * An order's device comes from `serialOfOrder`, so a delivery and an installation of one device
 * stay in order. Referrals all share one key: whether a new referral closes a cycle depends on
 * every other referral, not only on the two people it names.
 */
export function conflictKeysOf(
  raw: Record<string, unknown>,
  parsed: Parsed,
  serialOfOrder: ReadonlyMap<string, string>,
): string[] {
  const eventId = raw['eventId'];
  const keys = typeof eventId === 'string' ? [`event:${eventId}`] : [];
  if (!parsed.ok) return keys;
  // Before identity resolution: the person may be named only by identifiers (keysOf reads
  // whatever names are present).
  const k = keysOf(parsed.event as IntakeEvent);
  // Events carrying identifiers may create or merge people, which moves relationships between
  // person nodes: they stay in batch order among themselves, like referrals.
  if (parsed.event.identifiers.length > 0 || parsed.event.field === 'identify')
    keys.push('identity');
  if (k.customerId !== null) keys.push(`customer:${k.customerId}`);
  if (k.referredId !== null) keys.push(`customer:${k.referredId}`);
  if (k.serial !== null) keys.push(`serial:${k.serial}`);
  if (k.couponCode !== null) keys.push(`coupon:${k.couponCode}`);
  if (k.orderId !== null) {
    keys.push(`order:${k.orderId}`);
    const serial = serialOfOrder.get(k.orderId);
    if (serial !== undefined) keys.push(`serial:${serial}`);
  }
  if (parsed.event.field === 'referral') keys.push('referrals');
  return keys;
}

/**
 * A stable fingerprint of a validated event, to tell a resend from a reused id. Optional fields
 * added later (a purchase's carrier, an order's store) count only when given, so an event sent
 * before they existed is still a duplicate of itself.
 */
function fingerprint(event: ParsedEvent): string {
  const data = { ...(event.data as Record<string, unknown>) };
  if (event.field === 'purchase' && data['carrierId'] === null) delete data['carrierId'];
  if (event.field === 'order' && data['storeId'] === null) delete data['storeId'];
  return createHash('sha256')
    .update(JSON.stringify({ ...event, data }))
    .digest('hex');
}

/**
 * A person sends about themselves: a payload naming a person by `customerId` without one is
 * about the sender.
 */
function aboutThemselves(raw: Record<string, unknown>, principal: Principal) {
  if (principal.kind !== 'person') return raw;
  for (const field of PAYLOAD_FIELDS) {
    const payload = raw[field];
    if (!namesPerson(field) || typeof payload !== 'object' || payload === null) continue;
    const p = payload as Record<string, unknown>;
    if (p['customerId'] === undefined || p['customerId'] === null) {
      return { ...raw, [field]: { ...p, customerId: principal.customerId } };
    }
  }
  return raw;
}

/**
 * The event intake: validate, check against the graph, record the touchpoint, hand the event to
 * its lifecycle, and only then answer ACCEPTED. A touchpoint stays `pending` until its signal is
 * in Temporal, so a crash in between makes the resend deliver it again (lifecycles drop the
 * repeat by event id) instead of calling it a duplicate.
 *
 * Events of a batch that name the same person, device, order or coupon are processed in batch
 * order (a purchase and its shipment may travel together); independent groups of events are
 * processed concurrently, up to `concurrency` at once. Results keep the batch order.
 */
export function createEventIntake(deps: EventIntakeDependencies) {
  const { events, lifecycle, logger, identity } = deps;

  /**
   * Who the event is about: the person its `customerId` or `identifiers` resolve to (absorbed
   * people resolve to their survivor), with the identity changes to apply once it is accepted.
   */
  async function resolvePerson(
    parsed: ParsedEvent,
    sender: Sender,
  ): Promise<Rejection | { event: IntakeEvent; changes: IdentityChanges | null }> {
    if (namesPerson(parsed.field)) {
      const data = parsed.data as { customerId?: string | null; displayName?: string | null };
      const rights = linkRightsOf(sender.principal, sender.selfId);
      const who = await identity.resolve({
        field: parsed.field,
        // A partner creates people from identifiers only, never under an id of its choosing:
        // an id it names must be someone known (and an erased one answers like any unknown).
        mayCreate:
          parsed.field === 'identify' &&
          !(sender.principal.kind === 'partner' && (data.customerId ?? null) !== null),
        customerId: data.customerId ?? null,
        identifiers: parsed.identifiers,
        displayName: data.displayName ?? null,
        ...(rights ? { rights } : {}),
      });
      if ('code' in who) return who;
      return { event: namePerson(parsed, who.customerId), changes: who };
    }
    if (parsed.field === 'referral') {
      const { referrerId, referredId } = parsed.data;
      const now = await identity.canonicalIds([referrerId, referredId]);
      const data = {
        ...parsed.data,
        referrerId: now.get(referrerId) ?? referrerId,
        referredId: now.get(referredId) ?? referredId,
      };
      return { event: { ...parsed, data }, changes: null };
    }
    return { event: parsed as IntakeEvent, changes: null };
  }

  /**
   * The facts of the person as they will be once the event's merges are applied: the products
   * any of the merged people opted out of, and the devices any of them owns.
   */
  async function withAbsorbed(
    event: IntakeEvent,
    key: string,
    changes: IdentityChanges | null,
    facts: EventFacts,
  ): Promise<EventFacts> {
    if (!changes || changes.merges.length === 0 || !facts.customer) return facts;
    const customer = { ...facts.customer };
    for (const merge of changes.merges) {
      const other = await events.facts({ ...keysOf(event), key, customerId: merge.absorbedId });
      customer.optedOutSkus = [
        ...new Set([...customer.optedOutSkus, ...(other.customer?.optedOutSkus ?? [])]),
      ];
      customer.ownedSerials = [
        ...new Set([...customer.ownedSerials, ...(other.customer?.ownedSerials ?? [])]),
      ];
    }
    return { ...facts, customer };
  }

  /** The person keys an event names, with their salted hashes as erasure tombstones hold them. */
  function erasureKeysOf(event: IntakeEvent | ParsedEvent) {
    return personKeysOf(event).map((k) => ({
      ...k,
      hash: erasedKeyHash(deps.erasureSalt, k.kind, k.key),
    }));
  }

  /** The paths of the keys that name an erased person, or one being erased. */
  function erasedPathsOf(
    personKeys: ReturnType<typeof erasureKeysOf>,
    facts: Pick<EventFacts, 'erasedHashes' | 'erasing'>,
  ): string[] {
    return personKeys
      .filter(
        (k) =>
          facts.erasedHashes?.includes(k.hash) ||
          (k.path.endsWith('.referredId') ? facts.erasing?.referred : facts.erasing?.customer),
      )
      .map((k) => k.path);
  }

  /** Whether an event as sent names an erased person, by id or identifier. */
  async function erasedRejectionOf(event: ParsedEvent): Promise<Rejection | null> {
    const personKeys = erasureKeysOf(event);
    if (personKeys.length === 0) return null;
    // keysOf reads whatever names are present; the person may be named by identifiers only.
    const keys = keysOf(event as IntakeEvent);
    const erasure = await events.erasure(
      personKeys.map((k) => k.hash),
      keys.customerId,
      keys.referredId,
    );
    return erasedRejection(erasedPathsOf(personKeys, erasure));
  }

  /**
   * Segment memberships of the people an accepted event changed: its customer, the person
   * referred, an answer's author (their helpfulness). The event is durable already: a failure
   * here is logged and the memberships catch up with those people's next change.
   */
  async function refreshSegments(params: Record<string, unknown>, eventId: string) {
    if (!deps.segments) return;
    const people = [params['customerId'], params['referredId'], params['answerAuthorId']];
    try {
      await deps.segments.refresh(people.filter((p): p is string => typeof p === 'string'));
    } catch (error) {
      logger.warn({ err: error, eventId }, 'segment memberships were not refreshed');
    }
  }

  /**
   * For a partner, the rejection of an event about a person it may not know about is one answer,
   * whoever the person is (unknown, opted out, erased, named only by shared identifiers). An
   * object of the event that is wrong anyway (an unknown campaign or product model) is answered
   * first, as it would be for a known person, so that the difference tells nothing either.
   */
  async function partnerAnswer(parsed: ParsedEvent, key: string): Promise<Rejection> {
    try {
      const event = namePerson(parsed, '\u0000nobody');
      const facts = await events.facts({ ...keysOf(event), key });
      const someone = { optedOutSkus: [], ownedSerials: [] };
      const plan = planEvent(event, { ...facts, customer: someone, touchpoint: null }, null, key);
      // Only an object that does not exist: other rules may depend on who the person is.
      if (isRejection(plan) && plan.code === 'UNKNOWN_REFERENCE' && !isPersonRejection(plan)) {
        return plan;
      }
    } catch {
      // The object check is a courtesy; the person answer stands without it.
    }
    return namesNoOne(parsed);
  }

  async function recordOne(
    raw: Record<string, unknown>,
    index: number,
    parsed: Parsed,
    sender: Sender,
  ): Promise<EventResult> {
    const { principal } = sender;
    const partner = principal.kind === 'partner';
    const eventId = typeof raw['eventId'] === 'string' ? raw['eventId'] : '';
    const at = (prefix: string) => `events[${index}]${prefix ? `.${prefix}` : ''}`;
    const rejected = (r: Rejection): EventResult => ({
      index,
      eventId,
      status: 'REJECTED',
      error: { ...r, path: at(r.path) },
    });
    if (!parsed.ok) return rejected({ code: 'INVALID', ...parsed.problem });
    const refused =
      kindRefusal(principal, parsed.event.field) ?? inputRefusal(principal, parsed.event);
    if (refused) return rejected(refused);
    const key = scopedEventId(principal, parsed.event.eventId);
    const payloadHash = fingerprint(parsed.event);
    /** A person rejection as this sender may hear it. */
    const aboutPerson = async (r: Rejection): Promise<EventResult> => {
      if (!partner || !isPersonRejection(r)) return rejected(r);
      return rejected(await partnerAnswer(parsed.event, key));
    };
    try {
      if (parsed.event.field === 'telemetry') {
        const data = parsed.event.data;
        if (principal.kind === 'partner' || principal.kind === 'person') {
          const outside = deviceRefusal(principal, 'telemetry', await events.deviceOf(data.serial));
          if (outside) return rejected(outside);
        }
        const outcome = await deps.telemetry.record({ eventId: key, ...data });
        if (outcome.status === 'REJECTED') return rejected(outcome.error);
        return { index, eventId, status: outcome.status, error: null };
      }
      // An erased person stays erased: the event is dropped before anything is resolved or
      // written (their own identifiers are gone, so resolution would not know them).
      const early = await erasedRejectionOf(parsed.event);
      if (early) {
        if (!partner) return rejected(early);
        // Answered as an unknown person would be, identity rights included.
        const asUnknown = await resolvePerson(parsed.event, sender);
        if ('code' in asUnknown && asUnknown.code === 'IDENTITY_FORBIDDEN') {
          return rejected(asUnknown);
        }
        return aboutPerson(early);
      }
      const person = await resolvePerson(parsed.event, sender);
      if ('code' in person) {
        // Identities may have changed since (an undone merge, a now shared identifier): an
        // event accepted before is still only a duplicate.
        const seen = await events.touchpointOf(key);
        if (seen?.delivery === 'delivered' && seen.payloadHash === payloadHash) {
          return { index, eventId, status: 'DUPLICATE', error: null };
        }
        if (partner && person.code === 'CONFLICT') {
          return rejected(identityConflictForPartner(person));
        }
        return aboutPerson(person);
      }
      const { event, changes } = person;
      const personKeys = erasureKeysOf(event);
      const facts = await withAbsorbed(
        event,
        key,
        changes,
        await events.facts({
          ...keysOf(event),
          key,
          erasureHashes: personKeys.map((k) => k.hash),
        }),
      );
      const outside = factRefusal(principal, event, facts);
      if (outside) return rejected(outside);
      // The resolved person (a survivor, say) may be under erasure too.
      const erased = erasedRejection(erasedPathsOf(personKeys, facts));
      if (erased) return aboutPerson(erased);
      const existing = facts.touchpoint;
      if (existing && existing.payloadHash !== payloadHash) {
        return rejected({
          code: 'CONFLICT',
          path: '',
          message: `Event id ${eventId} was already used for a different event`,
        });
      }
      if (existing?.delivery === 'delivered')
        return { index, eventId, status: 'DUPLICATE', error: null };
      // A retailer's shopper is near one of its own stores, or near none.
      const near =
        event.field === 'storeProximity'
          ? await events.storeNear(
              event.data.latitude,
              event.data.longitude,
              principal.kind === 'partner' ? principal.reach.storeIds : null,
            )
          : null;
      // A pending touchpoint is a resend of an event whose answer was lost: judge it on the
      // graph as it was before its own write.
      const plan = planEvent(
        event,
        existing ? factsBeforeOwnWrite(event, facts) : facts,
        near,
        key,
      );
      if (isRejection(plan)) return aboutPerson(plan);
      if (changes) {
        const refused = await identity.apply(changes, {
          eventId,
          occurredAt: event.occurredAt,
          reason: `event ${eventId} (${event.field}) tied their identifiers`,
          recordedBy: sender.key,
        });
        if (refused) {
          const at = parsed.event.identifiers.findIndex((i) => i.key === refused.identifierKey);
          const conflict: Rejection = {
            code: 'CONFLICT',
            path: at >= 0 ? `identifiers[${at}]` : 'identifiers',
            message: refused.refused,
          };
          return rejected(partner ? identityConflictForPartner(conflict) : conflict);
        }
      }
      // Nothing to hand to a lifecycle (an order, a referral): durable with its own write.
      const signals = plan.journeyEvents.length + plan.deviceEvents.length;
      await events.write(
        plan.write,
        { ...plan.params, payloadHash, recordedBy: sender.key },
        { delivered: signals === 0 },
      );
      if (signals > 0) {
        for (const e of plan.journeyEvents) await lifecycle.sendJourneyEvent(e);
        for (const e of plan.deviceEvents) await lifecycle.sendDeviceEvent(e);
        await events.markDelivered(key);
      }
      await refreshSegments(plan.params, eventId);
      return { index, eventId, status: 'ACCEPTED', error: null };
    } catch (error) {
      logger.error({ err: error, eventId, sender: sender.key }, 'event intake failed');
      return rejected({
        code: 'UNAVAILABLE',
        path: '',
        message: `Event ${eventId} could not be recorded now; sending it again is safe`,
      });
    }
  }

  return {
    /**
     * Records a batch sent by `principal`: each event within the principal's rights (its event
     * kinds, the objects of its registration, the identity changes it may make), recorded with
     * it as `recordedBy` and keyed by its event id within the principal's own ids.
     */
    async record(
      sent: ReadonlyArray<Record<string, unknown>>,
      principal: Principal,
    ): Promise<RecordedBatch> {
      let concurrency = deps.concurrency ?? DEFAULT_INTAKE_CONCURRENCY;
      if (sent.length > MAX_BATCH) {
        throw badUserInput(
          `events: at most ${MAX_BATCH} events per batch, got ${sent.length}`,
          'events',
        );
      }
      const raw = sent.map((event) => aboutThemselves(event, principal));
      const sender: Sender = { principal, key: principalKey(principal) };
      if (principal.kind === 'person') {
        // The person as they are now: an id merged into another resolves to its survivor.
        const now = await identity.canonicalIds([principal.customerId]);
        sender.selfId = now.get(principal.customerId) ?? principal.customerId;
      }
      const parse = createEventParser(deps.now);
      const parsed = raw.map((event) => parse(event));
      const orderIds = [
        ...new Set(
          parsed.flatMap((p) =>
            p.ok && (p.event.field === 'delivery' || p.event.field === 'shipmentUpdate')
              ? [p.event.data.orderId]
              : [],
          ),
        ),
      ];
      let serialOfOrder: Map<string, string>;
      try {
        serialOfOrder = await events.serialsOfOrders(orderIds);
      } catch (error) {
        // Without it, ordering by device is unknown: fall back to one component, in order.
        logger.error({ err: error }, 'event intake could not read the orders of a batch');
        serialOfOrder = new Map();
        concurrency = 1;
      }
      const components = eventComponents(
        raw.map((event, i) => conflictKeysOf(event, parsed[i] as Parsed, serialOfOrder)),
      );
      const results: EventResult[] = new Array<EventResult>(raw.length);
      await forEachConcurrently(components, concurrency, async (component) => {
        for (const index of component) {
          results[index] = await recordOne(
            raw[index] as Record<string, unknown>,
            index,
            parsed[index] as Parsed,
            sender,
          );
        }
      });
      const count = (s: EventStatus) => results.filter((r) => r.status === s).length;
      return {
        accepted: count('ACCEPTED'),
        duplicates: count('DUPLICATE'),
        rejected: count('REJECTED'),
        results,
      };
    },
  };
}

export type EventIntake = ReturnType<typeof createEventIntake>;
