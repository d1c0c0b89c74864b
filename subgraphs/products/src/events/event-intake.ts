import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { badUserInput } from '@experience-graph/server-kit';
import { erasedKeyHash, type LifecycleGateway } from '@experience-graph/workflows';
import { createEventParser, MAX_BATCH, type IntakeEvent } from './event-input';
import type { EventRepository } from './event-repository';
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
  events: EventRepository;
  telemetry: TelemetryIntake;
  lifecycle: LifecycleGateway;
  logger: Logger;
  /** The erasure salt (ERASURE_SALT), to recognise erased people by their tombstones. */
  erasureSalt: string;
  now?: () => number;
}

/** A stable fingerprint of a validated event, to tell a resend from a reused id. */
function fingerprint(event: IntakeEvent): string {
  return createHash('sha256').update(JSON.stringify(event)).digest('hex');
}

/**
 * The event intake: validate, check against the graph, record the touchpoint, hand the event to
 * its lifecycle, and only then answer ACCEPTED. A touchpoint stays `pending` until its signal is
 * in Temporal, so a crash in between makes the resend deliver it again (lifecycles drop the
 * repeat by event id) instead of calling it a duplicate.
 *
 * Events of a batch are processed in order: a purchase and its shipment may travel together.
 */
export function createEventIntake(deps: EventIntakeDependencies) {
  const { events, lifecycle, logger } = deps;

  async function recordOne(
    raw: Record<string, unknown>,
    index: number,
    parse: ReturnType<typeof createEventParser>,
  ): Promise<EventResult> {
    const eventId = typeof raw['eventId'] === 'string' ? raw['eventId'] : '';
    const at = (prefix: string) => `events[${index}]${prefix ? `.${prefix}` : ''}`;
    const rejected = (r: Rejection): EventResult => ({
      index,
      eventId,
      status: 'REJECTED',
      error: { ...r, path: at(r.path) },
    });
    const parsed = parse(raw);
    if (!parsed.ok) return rejected({ code: 'INVALID', ...parsed.problem });
    const event = parsed.event;
    const payloadHash = fingerprint(event);
    try {
      if (event.field === 'telemetry') {
        const outcome = await deps.telemetry.record({ eventId: event.eventId, ...event.data });
        if (outcome.status === 'REJECTED') return rejected(outcome.error);
        return { index, eventId, status: outcome.status, error: null };
      }
      const personKeys = personKeysOf(event).map((k) => ({
        ...k,
        hash: erasedKeyHash(deps.erasureSalt, k.kind, k.key),
      }));
      const facts = await events.facts({
        ...keysOf(event),
        erasureHashes: personKeys.map((k) => k.hash),
      });
      // An erased person stays erased: the event is dropped before anything is written.
      const erasedPaths = personKeys
        .filter(
          (k) =>
            facts.erasedHashes?.includes(k.hash) ||
            (k.path.endsWith('.referredId') ? facts.erasing?.referred : facts.erasing?.customer),
        )
        .map((k) => k.path);
      const erased = erasedRejection(erasedPaths);
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
      await events.write(plan.write, { ...plan.params, payloadHash });
      for (const e of plan.journeyEvents) await lifecycle.sendJourneyEvent(e);
      for (const e of plan.deviceEvents) await lifecycle.sendDeviceEvent(e);
      await events.markDelivered(event.eventId);
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
      if (raw.length > MAX_BATCH) {
        throw badUserInput(
          `events: at most ${MAX_BATCH} events per batch, got ${raw.length}`,
          'events',
        );
      }
      const parse = createEventParser(deps.now);
      const results: EventResult[] = [];
      for (const [index, event] of raw.entries())
        results.push(await recordOne(event, index, parse));
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
