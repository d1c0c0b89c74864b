import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityChanges, IdentityService } from '@experience-graph/identity';
import type { SegmentRepository } from '@experience-graph/segments';
import { badUserInput } from '@experience-graph/server-kit';
import { erasedKeyHash, type LifecycleGateway } from '@experience-graph/workflows';
import {
  createEventParser,
  MAX_BATCH,
  namePerson,
  namesPerson,
  type IntakeEvent,
  type ParsedEvent,
} from './event-input';
import { eventComponents, forEachConcurrently } from './event-components';
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

/** A stable fingerprint of a validated event, to tell a resend from a reused id. */
function fingerprint(event: ParsedEvent): string {
  return createHash('sha256').update(JSON.stringify(event)).digest('hex');
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
  ): Promise<Rejection | { event: IntakeEvent; changes: IdentityChanges | null }> {
    if (namesPerson(parsed.field)) {
      const data = parsed.data as { customerId?: string | null; displayName?: string | null };
      const who = await identity.resolve({
        field: parsed.field,
        mayCreate: parsed.field === 'identify',
        customerId: data.customerId ?? null,
        identifiers: parsed.identifiers,
        displayName: data.displayName ?? null,
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
    changes: IdentityChanges | null,
    facts: EventFacts,
  ): Promise<EventFacts> {
    if (!changes || changes.merges.length === 0 || !facts.customer) return facts;
    const customer = { ...facts.customer };
    for (const merge of changes.merges) {
      const other = await events.facts({ ...keysOf(event), customerId: merge.absorbedId });
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

  async function recordOne(
    raw: Record<string, unknown>,
    index: number,
    parsed: Parsed,
  ): Promise<EventResult> {
    const eventId = typeof raw['eventId'] === 'string' ? raw['eventId'] : '';
    const at = (prefix: string) => `events[${index}]${prefix ? `.${prefix}` : ''}`;
    const rejected = (r: Rejection): EventResult => ({
      index,
      eventId,
      status: 'REJECTED',
      error: { ...r, path: at(r.path) },
    });
    if (!parsed.ok) return rejected({ code: 'INVALID', ...parsed.problem });
    const payloadHash = fingerprint(parsed.event);
    try {
      if (parsed.event.field === 'telemetry') {
        const data = parsed.event.data;
        const outcome = await deps.telemetry.record({ eventId: parsed.event.eventId, ...data });
        if (outcome.status === 'REJECTED') return rejected(outcome.error);
        return { index, eventId, status: outcome.status, error: null };
      }
      // An erased person stays erased: the event is dropped before anything is resolved or
      // written (their own identifiers are gone, so resolution would not know them).
      const early = await erasedRejectionOf(parsed.event);
      if (early) return rejected(early);
      const person = await resolvePerson(parsed.event);
      if ('code' in person) {
        // Identities may have changed since (an undone merge, a now shared identifier): an
        // event accepted before is still only a duplicate.
        const seen = await events.touchpointOf(eventId);
        if (seen?.delivery === 'delivered' && seen.payloadHash === payloadHash) {
          return { index, eventId, status: 'DUPLICATE', error: null };
        }
        return rejected(person);
      }
      const { event, changes } = person;
      const personKeys = erasureKeysOf(event);
      const facts = await withAbsorbed(
        event,
        changes,
        await events.facts({ ...keysOf(event), erasureHashes: personKeys.map((k) => k.hash) }),
      );
      // The resolved person (a survivor, say) may be under erasure too.
      const erased = erasedRejection(erasedPathsOf(personKeys, facts));
      if (erased) return rejected(erased);
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
      const near =
        event.field === 'storeProximity'
          ? await events.storeNear(event.data.latitude, event.data.longitude)
          : null;
      // A pending touchpoint is a resend of an event whose answer was lost: judge it on the
      // graph as it was before its own write.
      const plan = planEvent(event, existing ? factsBeforeOwnWrite(event, facts) : facts, near);
      if (isRejection(plan)) return rejected(plan);
      if (changes) {
        const refused = await identity.apply(changes, {
          eventId,
          occurredAt: event.occurredAt,
          reason: `event ${eventId} (${event.field}) tied their identifiers`,
        });
        if (refused) {
          const at = parsed.event.identifiers.findIndex((i) => i.key === refused.identifierKey);
          return rejected({
            code: 'CONFLICT',
            path: at >= 0 ? `identifiers[${at}]` : 'identifiers',
            message: refused.refused,
          });
        }
      }
      // Nothing to hand to a lifecycle (an order, a referral): durable with its own write.
      const signals = plan.journeyEvents.length + plan.deviceEvents.length;
      await events.write(plan.write, { ...plan.params, payloadHash }, { delivered: signals === 0 });
      if (signals > 0) {
        for (const e of plan.journeyEvents) await lifecycle.sendJourneyEvent(e);
        for (const e of plan.deviceEvents) await lifecycle.sendDeviceEvent(e);
        await events.markDelivered(event.eventId);
      }
      await refreshSegments(plan.params, eventId);
      return { index, eventId, status: 'ACCEPTED', error: null };
    } catch (error) {
      logger.error({ err: error, eventId }, 'event intake failed');
      return rejected({
        code: 'UNAVAILABLE',
        path: '',
        message: `Event ${eventId} could not be recorded now; sending it again is safe`,
      });
    }
  }

  return {
    async record(raw: ReadonlyArray<Record<string, unknown>>): Promise<RecordedBatch> {
      let concurrency = deps.concurrency ?? DEFAULT_INTAKE_CONCURRENCY;
      if (raw.length > MAX_BATCH) {
        throw badUserInput(
          `events: at most ${MAX_BATCH} events per batch, got ${raw.length}`,
          'events',
        );
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
