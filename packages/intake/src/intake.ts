import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { principalKey, type Principal } from '@experience-graph/access';
import { MAX_BATCH, MAX_READINGS_PER_BATCH } from '@experience-graph/config';
import { erasedKeyHash } from '@experience-graph/erasure-keys';
import {
  resolveIdentity,
  type IdentityChanges,
  type IdentityOptions,
  type IdentityService,
} from '@experience-graph/identity';
import type { Graph, GraphTransaction } from '@experience-graph/neo4j';
import { oweSignals, type OwedSignal } from '@experience-graph/outbox';
import type { SegmentRepository } from '@experience-graph/segments';
import { badUserInput } from '@experience-graph/server-kit';
import {
  deviceLifecycleWorkflowId,
  journeyWorkflowId,
  type DeviceEvent,
  type JourneyEvent,
} from '@experience-graph/workflows';
import { eventComponents } from './event-components';
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
import { eventFacts, journeyKey, type BatchFacts, type EventFacts } from './facts';
import { readBatchFacts, type FactKeys } from './facts-query';
import {
  KINDS,
  kindOf,
  namesPerson,
  PAYLOAD_FIELDS,
  type IntakeEvent,
  type IntakePlan,
  type ParsedEvent,
} from './kinds';
import { writeTelemetry, type TelemetryItem } from './kinds/telemetry/telemetry-write';
import {
  deviceSignalMatters,
  deviceStageAfter,
  journeySignalMatters,
  journeyStageAfter,
  outcomeOf,
  type EventOutcome,
} from './lifecycle-rule';
import { createEventParser, namePerson } from './parse';
import type { Rejection } from './rejection';
import {
  conflictKeysOf,
  erasedRejection,
  factsBeforeOwnWrite,
  isRejection,
  keysOf,
  personKeysOf,
  planEvent,
} from './rules';

export type EventStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface EventResult {
  index: number;
  eventId: string;
  status: EventStatus;
  /** What became of an accepted event (or, for a duplicate, of the event it repeats). */
  outcome: EventOutcome | null;
  error: (Rejection & { path: string }) | null;
  /**
   * Identifiers of an accepted event not linked to its person, because that would give one
   * person two values of a unique namespace (IDENTITY_UNIQUE_NAMESPACES); empty otherwise.
   */
  unlinked: Array<{ path: string; message: string }>;
}

export interface RecordedBatch {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: EventResult[];
}

/**
 * What the intake needs from the outside world: the graph (facts and the batch's write), the
 * identity service (people named by identifiers), the lifecycles' outbox lane (the task queue
 * their signals are owed on) and, optionally, segments to keep current.
 */
export interface IntakePorts {
  graph: Graph;
  identity: IdentityService;
  /** How identifiers resolve (IDENTITY_SHARED_THRESHOLD, IDENTITY_SECRET). */
  identityOptions: IdentityOptions;
  lifecycles: {
    /** The task queue the lifecycles run on: the relay of this lane delivers the signals. */
    lane: string;
    /** Owes signals in the batch's transaction; the outbox's by default. */
    owe?: (tx: GraphTransaction, lane: string, signals: readonly OwedSignal[]) => Promise<void>;
  };
  segments?: SegmentRepository;
  logger: Logger;
  /** The erasure salt (ERASURE_SALT), to recognise erased people by their tombstones. */
  erasureSalt: string;
  now?: () => number;
  /** Events before this day (YYYY-MM-DD) are refused (INTAKE_EARLIEST_EVENT_DATE; 1990-01-01). */
  earliestEventDate?: string;
}

/** Who sends a batch: the principal, its key in provenance, a person's current id. */
interface Sender {
  principal: Principal;
  key: string;
  /** For a person: their canonical customer id (their survivor, if they were merged). */
  selfId?: string;
}

type Parsed = ReturnType<ReturnType<typeof createEventParser>>;

/** An event of the batch that passed the checks made on its input alone. */
interface Candidate {
  index: number;
  eventId: string;
  parsed: ParsedEvent;
  key: string;
  payloadHash: string;
}

/** An event its rules accepted, waiting for its run's write. */
interface Accepted {
  candidate: Candidate;
  event: IntakeEvent;
  plan: IntakePlan;
  signals: OwedSignal[];
  outcome: EventOutcome;
  /** Identifiers its identity changes left unlinked. */
  unlinked?: IdentityChanges['unlinked'];
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

const readingsOf = (raw: Record<string, unknown>) => {
  const t = raw['telemetry'] as { readings?: unknown } | null | undefined;
  return Array.isArray(t?.readings) ? t.readings.length : 0;
};

const carriesIdentity = (event: ParsedEvent) =>
  event.identifiers.length > 0 || event.field === 'identify';

/** Whether resolution decided to change identities, or only named someone known. */
const changesAnything = (c: IdentityChanges) =>
  c.create !== null || c.merges.length > 0 || c.links.length > 0 || c.sightings.length > 0;

/** The signals of a plan as the outbox owes them. */
function owed(plan: { deviceEvents: DeviceEvent[]; journeyEvents: JourneyEvent[] }): OwedSignal[] {
  return [
    ...plan.journeyEvents.map((e): OwedSignal => ({
      workflowType: 'customerJourney',
      workflowId: journeyWorkflowId(e.customerId, e.sku),
      eventId: e.eventId,
      event: e as unknown as Record<string, unknown>,
    })),
    ...plan.deviceEvents.map((e): OwedSignal => ({
      workflowType: 'deviceLifecycle',
      workflowId: deviceLifecycleWorkflowId(e.serial),
      eventId: e.eventId,
      event: e as unknown as Record<string, unknown>,
    })),
  ];
}

/**
 * The event intake. A batch is decided in a few round trips whatever its size: the people it
 * names are resolved in one read, the facts of all its events are read in one query, every
 * event is decided by its kind's pure rules in batch order on those facts (each accepted event
 * changing them for the next, so a purchase and its delivery may travel together), and the
 * accepted events are written in one transaction, kind by kind, together with the lifecycle
 * signals they owe (the outbox). ACCEPTED means durable in the graph with those signals; the
 * relay delivers them. Events that carry identifiers (which may create or merge people) and the
 * events that depend on them are decided one identity event at a time, in batch order.
 * Results keep the batch order.
 */
export function createEventIntake(ports: IntakePorts) {
  const { graph, identity, logger } = ports;
  const owe = ports.lifecycles.owe ?? oweSignals;
  const lane = ports.lifecycles.lane;
  const clock = ports.now ?? Date.now;

  // An event's person keys are hashed where its facts are read, decided and written: each
  // key's HMAC is computed once and kept (each was hashed three times or more per batch).
  const hashes = new LRUCache<string, string>({ max: 10_000 });
  const hashOf = (kind: 'customer' | 'identifier', key: string) => {
    const id = `${kind}\u0000${key}`;
    let hash = hashes.get(id);
    if (hash === undefined) {
      hash = erasedKeyHash(ports.erasureSalt, kind, key);
      hashes.set(id, hash);
    }
    return hash;
  };

  /** The person keys an event names, with their salted hashes as erasure tombstones hold them. */
  const erasureKeysOf = (event: IntakeEvent | ParsedEvent) =>
    personKeysOf(event).map((k) => ({ ...k, hash: hashOf(k.kind, k.key) }));

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

  /** The keys to read for a set of events: as sent, and as their people resolved. */
  function factKeysOf(
    events: ReadonlyArray<{ event: IntakeEvent | ParsedEvent; key: string; index: number }>,
    extraCustomers: readonly string[],
    principal: Principal,
  ): FactKeys {
    const keys: FactKeys = {
      touchpointKeys: [],
      customerIds: [...extraCustomers],
      skus: [],
      campaignIds: [],
      serials: [],
      orderIds: [],
      storeIds: [],
      couponCodes: [],
      answerIds: [],
      votes: [],
      erasureHashes: [],
      journeys: [],
      points: [],
    };
    const push = (list: string[], value: string | null) => {
      if (value !== null) list.push(value);
    };
    for (const { event, key, index } of events) {
      const k = keysOf(event);
      keys.touchpointKeys.push(key);
      push(keys.customerIds, k.customerId);
      push(keys.customerIds, k.referredId);
      push(keys.skus, k.sku);
      push(keys.campaignIds, k.campaignId);
      push(keys.serials, k.serial);
      push(keys.orderIds, k.orderId);
      push(keys.storeIds, k.storeId);
      push(keys.couponCodes, k.couponCode);
      push(keys.answerIds, k.answerId);
      if (k.customerId !== null && k.answerId !== null) {
        keys.votes.push({ customerId: k.customerId, answerId: k.answerId });
      }
      keys.erasureHashes.push(...erasureKeysOf(event).map((p) => p.hash));
      if (k.customerId !== null && k.sku !== null) {
        keys.journeys.push({ customerId: k.customerId, sku: k.sku });
      }
      if (event.field === 'storeProximity') {
        const { latitude, longitude } = event.data;
        keys.points.push({
          position: index,
          latitude,
          longitude,
          // A retailer's shopper is near one of its own stores, or near none.
          storeIds: principal.kind === 'partner' ? [...principal.reach.storeIds] : null,
        });
      }
    }
    return keys;
  }

  /**
   * Decides the events of one run in batch order and writes the accepted ones in one
   * transaction. `people` are the batch's people named by id, as they are now; `touched`
   * collects the customers whose segments the accepted events change.
   */
  async function decideRun(
    run: readonly Candidate[],
    sender: Sender,
    results: EventResult[],
    people: ReadonlyMap<string, { id: string; createdAt: string }>,
    touched: Set<string>,
  ): Promise<void> {
    const { principal } = sender;
    const partner = principal.kind === 'partner';
    const now = new Date(clock()).toISOString();
    const rejected = (c: Candidate, r: Rejection) => {
      results[c.index] = {
        index: c.index,
        eventId: c.eventId,
        status: 'REJECTED',
        outcome: null,
        error: { ...r, path: `events[${c.index}]${r.path ? `.${r.path}` : ''}` },
        unlinked: [],
      };
    };

    // Who each event is about. Identity events (one per run) resolve through the identity
    // service; the others name people by id, resolved from the batch's one canonical read.
    const resolutions = new Map<
      number,
      Rejection | { event: IntakeEvent; changes: IdentityChanges | null }
    >();
    for (const c of run) {
      resolutions.set(c.index, await resolve(c.parsed, sender, people));
    }
    const named = run.map((c) => {
      const r = resolutions.get(c.index);
      const event = r && !('code' in r) ? r.event : null;
      return { c, event };
    });
    const absorbed = [...resolutions.values()].flatMap((r) =>
      'code' in r ? [] : (r.changes?.merges ?? []).map((m) => m.absorbedId),
    );
    const facts = await readBatchFacts(
      graph,
      factKeysOf(
        [
          ...run.map((c) => ({ event: c.parsed, key: c.key, index: c.index })),
          ...named.flatMap(({ c, event }) =>
            event ? [{ event, key: c.key, index: c.index }] : [],
          ),
        ],
        absorbed,
        principal,
      ),
    );

    const accepted: Accepted[] = [];
    const telemetry: Array<{ candidate: Candidate; item: TelemetryItem }> = [];
    for (const c of run) {
      const resolution = resolutions.get(c.index) as
        Rejection | { event: IntakeEvent; changes: IdentityChanges | null };
      const verdict = decide(c, resolution, facts, sender, now);
      if ('rejection' in verdict) {
        rejected(c, verdict.rejection);
        continue;
      }
      if ('duplicate' in verdict) {
        results[c.index] = {
          index: c.index,
          eventId: c.eventId,
          status: 'DUPLICATE',
          outcome: verdict.duplicate,
          error: null,
          unlinked: [],
        };
        continue;
      }
      if (verdict.event.field === 'telemetry') {
        const { serial, readings } = verdict.event.data;
        telemetry.push({ candidate: c, item: { position: c.index, key: c.key, serial, readings } });
        continue;
      }
      const changes = (resolution as { changes: IdentityChanges | null }).changes;
      if (changes && changesAnything(changes)) {
        // Identity events run alone: their changes are applied before their write.
        const refused = await identity.apply(changes, {
          eventId: c.eventId,
          occurredAt: verdict.event.occurredAt,
          reason: `event ${c.eventId} (${verdict.event.field}) tied their identifiers`,
          recordedBy: sender.key,
        });
        if (refused) {
          const at = c.parsed.identifiers.findIndex((i) => i.key === refused.identifierKey);
          const conflict: Rejection = {
            code: 'CONFLICT',
            path: at >= 0 ? `identifiers[${at}]` : 'identifiers',
            message: refused.refused,
          };
          rejected(c, partner ? identityConflictForPartner(conflict) : conflict);
          continue;
        }
      }
      const { signals, outcome } = judgeSignals(verdict.plan, facts);
      kindOf(verdict.event.field).effect?.(facts, verdict.plan);
      facts.touchpoints.set(c.key, { delivery: 'delivered', payloadHash: c.payloadHash, outcome });
      accepted.push({
        candidate: c,
        event: verdict.event,
        plan: verdict.plan,
        signals,
        outcome,
        unlinked: changes?.unlinked,
      });
    }
    if (accepted.length === 0 && telemetry.length === 0) return;

    let telemetryOutcomes: Map<number, { fresh: number; outcome: EventOutcome }>;
    try {
      telemetryOutcomes = await graph.transaction(async (tx) => {
        // Sent, not awaited one by one: the writes, the telemetry's and the outbox run in the
        // order sent and the batch waits for them once, before the commit.
        for (const field of PAYLOAD_FIELDS) {
          const write = KINDS[field].write;
          const rows = accepted
            .filter((a) => a.event.field === field)
            .map((a) => ({
              ...a.plan.params,
              payloadHash: a.candidate.payloadHash,
              recordedBy: sender.key,
              outcome: a.outcome,
            }));
          if (write === null || rows.length === 0) continue;
          tx.send(`UNWIND $rows AS row CALL (row) { ${write} }`, { rows });
        }
        const folded = await writeTelemetry(
          tx,
          telemetry.map((t) => t.item),
          now,
        );
        const outcomes = new Map<number, { fresh: number; outcome: EventOutcome }>();
        const signals: Array<{ position: number; signals: OwedSignal[] }> = accepted.map((a) => ({
          position: a.candidate.index,
          signals: a.signals,
        }));
        for (const f of folded) {
          if (f.signal === null) {
            outcomes.set(f.position, { fresh: f.fresh, outcome: 'RECORDED_ONLY' });
            continue;
          }
          const judged = judgeSignals({ deviceEvents: [f.signal], journeyEvents: [] }, facts);
          outcomes.set(f.position, { fresh: f.fresh, outcome: judged.outcome });
          signals.push({ position: f.position, signals: judged.signals });
        }
        signals.sort((a, b) => a.position - b.position);
        await owe(
          tx,
          lane,
          signals.flatMap((s) => s.signals),
        );
        return outcomes;
      });
    } catch (error) {
      logger.error({ err: error, sender: sender.key, events: run.length }, 'event intake failed');
      for (const c of [...accepted.map((a) => a.candidate), ...telemetry.map((t) => t.candidate)]) {
        rejected(c, {
          code: 'UNAVAILABLE',
          path: '',
          message: `Event ${c.eventId} could not be recorded now; sending it again is safe`,
        });
      }
      return;
    }
    for (const a of accepted) {
      const c = a.candidate;
      results[c.index] = {
        index: c.index,
        eventId: c.eventId,
        status: 'ACCEPTED',
        outcome: a.outcome,
        error: null,
        unlinked: (a.unlinked ?? []).map((u) => ({
          path: `events[${c.index}].${u.path}`,
          message: u.message,
        })),
      };
      for (const p of ['customerId', 'referredId', 'answerAuthorId']) {
        const id = a.plan.params[p];
        if (typeof id === 'string') touched.add(id);
      }
    }
    for (const { candidate: c } of telemetry) {
      const t = telemetryOutcomes.get(c.index) ?? { fresh: 0, outcome: 'RECORDED_ONLY' };
      const duplicate = t.fresh === 0 && t.outcome !== 'SIGNALLED';
      results[c.index] = {
        index: c.index,
        eventId: c.eventId,
        status: duplicate ? 'DUPLICATE' : 'ACCEPTED',
        outcome: t.outcome,
        error: null,
        unlinked: [],
      };
    }
  }

  /**
   * The signals of an accepted plan that can change their lifecycles (see lifecycle-rule.ts),
   * judged on the stages as the batch left them, which they then advance.
   */
  function judgeSignals(
    plan: Pick<IntakePlan, 'deviceEvents' | 'journeyEvents'>,
    facts: BatchFacts,
  ): { signals: OwedSignal[]; outcome: EventOutcome } {
    const judged: Array<boolean | 'ended'> = [];
    const deviceEvents = plan.deviceEvents.filter((e) => {
      const device = facts.devices.get(e.serial);
      const matters = deviceSignalMatters(e, device?.stage);
      judged.push(matters);
      if (matters === true && device) device.stage = deviceStageAfter(e, device.stage);
      return matters === true;
    });
    const journeyEvents = plan.journeyEvents.filter((e) => {
      const k = journeyKey(e.customerId, e.sku);
      const stage = facts.journeys.get(k);
      const matters = journeySignalMatters(e, stage);
      judged.push(matters);
      if (matters) facts.journeys.set(k, journeyStageAfter(e, stage));
      return matters;
    });
    return { signals: owed({ deviceEvents, journeyEvents }), outcome: outcomeOf(judged) };
  }

  /**
   * Who the event is about: the person its `customerId` or `identifiers` resolve to (absorbed
   * people resolve to their survivor), with the identity changes to apply once it is accepted.
   */
  async function resolve(
    parsed: ParsedEvent,
    sender: Sender,
    people: ReadonlyMap<string, { id: string; createdAt: string }>,
  ): Promise<Rejection | { event: IntakeEvent; changes: IdentityChanges | null }> {
    if (namesPerson(parsed.field)) {
      const data = parsed.data as { customerId?: string | null; displayName?: string | null };
      const rights = linkRightsOf(sender.principal, sender.selfId);
      const customerId = data.customerId ?? null;
      const person = {
        field: parsed.field,
        // A partner creates people from identifiers only, never under an id of its choosing:
        // an id it names must be someone known (and an erased one answers like any unknown).
        mayCreate:
          parsed.field === 'identify' &&
          !(sender.principal.kind === 'partner' && customerId !== null),
        customerId,
        identifiers: parsed.identifiers,
        displayName: data.displayName ?? null,
        ...(rights ? { rights } : {}),
      };
      const who = carriesIdentity(parsed)
        ? await identity.resolve(person)
        : resolveIdentity({
            ...person,
            customer: customerId === null ? null : (people.get(customerId) ?? null),
            known: new Map(),
            ...ports.identityOptions,
          });
      if ('code' in who) return who;
      return { event: namePerson(parsed, who.customerId), changes: who };
    }
    if (parsed.field === 'referral') {
      const { referrerId, referredId } = parsed.data;
      const data = {
        ...parsed.data,
        referrerId: people.get(referrerId)?.id ?? referrerId,
        referredId: people.get(referredId)?.id ?? referredId,
      };
      return { event: { ...parsed, data }, changes: null };
    }
    return { event: parsed as IntakeEvent, changes: null };
  }

  /** An event's facts, as one event's rules read them, from its batch's facts. */
  const factsOf = (facts: BatchFacts, event: IntakeEvent | ParsedEvent, c: Candidate) =>
    eventFacts(
      facts,
      { ...keysOf(event), key: c.key },
      erasureKeysOf(event).map((k) => k.hash),
    );

  /**
   * For a partner, the rejection of an event about a person it may not know about is one answer,
   * whoever the person is (unknown, opted out, erased, named only by shared identifiers). An
   * object of the event that is wrong anyway (an unknown campaign or product model) is answered
   * first, as it would be for a known person, so that the difference tells nothing either.
   */
  function partnerAnswer(c: Candidate, facts: BatchFacts, near: readonly string[], now: string) {
    const event = namePerson(c.parsed, '\u0000nobody');
    const own = factsOf(facts, event, c);
    const someone = { optedOutSkus: [], ownedSerials: [] };
    const plan = planEvent(
      event,
      { ...own, customer: someone, touchpoint: null },
      near,
      c.key,
      now,
    );
    // Only an object that does not exist: other rules may depend on who the person is.
    if (isRejection(plan) && plan.code === 'UNKNOWN_REFERENCE' && !isPersonRejection(plan)) {
      return plan;
    }
    return namesNoOne(c.parsed);
  }

  /** One event decided on its batch's facts, with no I/O. */
  function decide(
    c: Candidate,
    resolution: Rejection | { event: IntakeEvent; changes: IdentityChanges | null },
    facts: BatchFacts,
    sender: Sender,
    now: string,
  ):
    | { rejection: Rejection }
    | { duplicate: EventOutcome | null }
    | { event: IntakeEvent; plan: IntakePlan } {
    const { principal } = sender;
    const partner = principal.kind === 'partner';
    const near = facts.storesNear.get(c.index) ?? [];
    const aboutPerson = (r: Rejection) => ({
      rejection: partner && isPersonRejection(r) ? partnerAnswer(c, facts, near, now) : r,
    });
    const seen = facts.touchpoints.get(c.key);
    const duplicate = (): { duplicate: EventOutcome | null } => ({
      duplicate: (seen?.outcome as EventOutcome | null | undefined) ?? null,
    });

    if (c.parsed.field === 'telemetry') {
      const event = c.parsed as IntakeEvent;
      const own = factsOf(facts, event, c);
      if (principal.kind === 'partner' || principal.kind === 'person') {
        const outside = deviceRefusal(principal, 'telemetry', own.device);
        if (outside) return { rejection: outside };
      }
      const plan = planEvent(event, own, [], c.key, now);
      if (isRejection(plan)) return { rejection: plan };
      return { event, plan };
    }

    // An erased person stays erased: the event is dropped before anything else is judged
    // (their own identifiers are gone, so resolution would not know them).
    const early = erasedRejection(
      erasedPathsOf(erasureKeysOf(c.parsed), factsOf(facts, c.parsed, c)),
    );
    if (early) {
      if (!partner) return { rejection: early };
      // Answered as an unknown person would be, identity rights included.
      if ('code' in resolution && resolution.code === 'IDENTITY_FORBIDDEN') {
        return { rejection: resolution };
      }
      return aboutPerson(early);
    }
    if ('code' in resolution) {
      // Identities may have changed since (an undone merge, a now shared identifier): an
      // event accepted before is still only a duplicate.
      if (seen?.delivery === 'delivered' && seen.payloadHash === c.payloadHash) return duplicate();
      if (partner && resolution.code === 'CONFLICT') {
        return { rejection: identityConflictForPartner(resolution) };
      }
      return aboutPerson(resolution);
    }
    const { event, changes } = resolution;
    const own = withAbsorbed(factsOf(facts, event, c), changes, facts);
    const outside = factRefusal(principal, event, own);
    if (outside) return { rejection: outside };
    // The resolved person (a survivor, say) may be under erasure too.
    const erased = erasedRejection(erasedPathsOf(erasureKeysOf(event), own));
    if (erased) return aboutPerson(erased);
    if (seen && seen.payloadHash !== c.payloadHash) {
      return {
        rejection: {
          code: 'CONFLICT',
          path: '',
          message: `Event id ${c.eventId} was already used for a different event`,
        },
      };
    }
    if (seen?.delivery === 'delivered') return duplicate();
    // A pending touchpoint is a resend of an event an earlier version wrote before signalling:
    // judge it on the graph as it was before its own write.
    const resend = seen !== undefined;
    const plan = planEvent(event, resend ? factsBeforeOwnWrite(event, own) : own, near, c.key, now);
    if (isRejection(plan)) return aboutPerson(plan);
    return { event, plan };
  }

  /**
   * The facts of the person as they will be once the event's merges are applied: the products
   * any of the merged people opted out of, and the devices any of them owns.
   */
  function withAbsorbed(
    own: EventFacts,
    changes: IdentityChanges | null,
    facts: BatchFacts,
  ): EventFacts {
    if (!changes || changes.merges.length === 0 || !own.customer) return own;
    const customer = { ...own.customer };
    for (const merge of changes.merges) {
      const other = facts.customers.get(merge.absorbedId);
      customer.optedOutSkus = [
        ...new Set([...customer.optedOutSkus, ...(other?.optedOutSkus ?? [])]),
      ];
      customer.ownedSerials = [
        ...new Set([...customer.ownedSerials, ...(other?.owned ?? []).map((d) => d.serial)]),
      ];
    }
    return { ...own, customer };
  }

  /**
   * The runs a batch is decided in. Events that carry identifiers may create or merge people,
   * which changes what other events are judged on: each is decided alone, and the events that
   * share a key with them (directly or through others) are decided between them in batch order.
   * Every other event is independent of those and goes into the first run.
   */
  async function runsOf(
    candidates: readonly Candidate[],
    raw: ReadonlyArray<Record<string, unknown>>,
    parsed: readonly Parsed[],
  ) {
    if (!candidates.some((c) => carriesIdentity(c.parsed))) return [candidates];
    const orderIds = [
      ...new Set(
        candidates.flatMap((c) =>
          c.parsed.field === 'delivery' || c.parsed.field === 'shipmentUpdate'
            ? [c.parsed.data.orderId]
            : [],
        ),
      ),
    ];
    const rows =
      orderIds.length === 0
        ? []
        : await graph.read<{ orderId: string; serial: string }>(
            `UNWIND $orderIds AS id
             MATCH (:Order {id: id})-[:CONTAINS]->(d:Device)
             RETURN id AS orderId, d.serial AS serial`,
            { orderIds },
          );
    const serialOfOrder = new Map(rows.map((r) => [r.orderId, r.serial]));
    const components = eventComponents(
      candidates.map((c) =>
        conflictKeysOf(
          raw[c.index] as Record<string, unknown>,
          parsed[c.index] as Parsed,
          serialOfOrder,
        ),
      ),
    );
    const independent: Candidate[] = [];
    const dependent: Candidate[] = [];
    for (const component of components) {
      const members = component.map((i) => candidates[i] as Candidate);
      (members.some((c) => carriesIdentity(c.parsed)) ? dependent : independent).push(...members);
    }
    dependent.sort((a, b) => a.index - b.index);
    const runs: Candidate[][] = [];
    if (independent.length > 0) runs.push(independent.sort((a, b) => a.index - b.index));
    let current: Candidate[] = [];
    for (const c of dependent) {
      if (carriesIdentity(c.parsed)) {
        if (current.length > 0) runs.push(current);
        runs.push([c]);
        current = [];
      } else current.push(c);
    }
    if (current.length > 0) runs.push(current);
    return runs;
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
      if (sent.length > MAX_BATCH) {
        throw badUserInput(
          `events: at most ${MAX_BATCH} events per batch, got ${sent.length}`,
          'events',
        );
      }
      const readings = sent.reduce((n, e) => n + readingsOf(e), 0);
      if (readings > MAX_READINGS_PER_BATCH) {
        throw badUserInput(
          `events: at most ${MAX_READINGS_PER_BATCH} telemetry readings per batch, got ${readings}; send them in several batches`,
          'events',
        );
      }
      const raw = sent.map((event) => aboutThemselves(event, principal));
      const sender: Sender = { principal, key: principalKey(principal) };
      const parse = createEventParser(ports.now, ports.earliestEventDate);
      const parsed = raw.map((event) => parse(event));
      const results = new Array<EventResult>(raw.length);
      const candidates: Candidate[] = [];
      parsed.forEach((p, index) => {
        const eventId =
          typeof raw[index]?.['eventId'] === 'string' ? (raw[index]['eventId'] as string) : '';
        const reject = (r: Rejection) => {
          results[index] = {
            index,
            eventId,
            status: 'REJECTED',
            outcome: null,
            error: { ...r, path: `events[${index}]${r.path ? `.${r.path}` : ''}` },
            unlinked: [],
          };
        };
        if (!p.ok) return reject({ code: 'INVALID', ...p.problem });
        const refused = kindRefusal(principal, p.event.field) ?? inputRefusal(principal, p.event);
        if (refused) return reject(refused);
        candidates.push({
          index,
          eventId,
          parsed: p.event,
          key: scopedEventId(principal, p.event.eventId),
          payloadHash: fingerprint(p.event),
        });
      });

      const touched = new Set<string>();
      try {
        // Everyone the batch names by id, as they are now (absorbed ids give their survivor),
        // and the sender if it is a person.
        const ids = new Set<string>(principal.kind === 'person' ? [principal.customerId] : []);
        for (const c of candidates) {
          const k = keysOf(c.parsed);
          if (k.customerId !== null) ids.add(k.customerId);
          if (k.referredId !== null) ids.add(k.referredId);
        }
        const people =
          ids.size === 0 ? new Map() : await identity.repository.canonicalPeople([...ids]);
        if (principal.kind === 'person') {
          sender.selfId = people.get(principal.customerId)?.id ?? principal.customerId;
        }
        for (const run of await runsOf(candidates, raw, parsed)) {
          await decideRun(run, sender, results, people, touched);
        }
      } catch (error) {
        logger.error({ err: error, sender: sender.key }, 'event intake could not read a batch');
        for (const c of candidates) {
          if (results[c.index]) continue;
          results[c.index] = {
            index: c.index,
            eventId: c.eventId,
            status: 'REJECTED',
            outcome: null,
            error: {
              code: 'UNAVAILABLE',
              path: `events[${c.index}]`,
              message: `Event ${c.eventId} could not be recorded now; sending it again is safe`,
            },
            unlinked: [],
          };
        }
      }
      await refreshSegments([...touched]);
      const count = (s: EventStatus) => results.filter((r) => r.status === s).length;
      return {
        accepted: count('ACCEPTED'),
        duplicates: count('DUPLICATE'),
        rejected: count('REJECTED'),
        results,
      };
    },
  };

  /**
   * Segment memberships of the people accepted events changed: their customers, the people
   * referred, answers' authors. The events are durable already: a failure here is logged and
   * the memberships catch up with those people's next change.
   */
  async function refreshSegments(people: string[]) {
    if (!ports.segments || people.length === 0) return;
    try {
      await ports.segments.refresh(people);
    } catch (error) {
      logger.warn({ err: error, people: people.length }, 'segment memberships were not refreshed');
    }
  }
}

export type EventIntake = ReturnType<typeof createEventIntake>;
