import type { z } from 'zod';
import type { Identifier } from '@experience-graph/identity';
import type { DeviceEvent, JourneyEvent } from '@experience-graph/workflows';
import type { BatchFacts, EventFacts, EventKeys } from '../facts';
import type { Rejection } from '../rejection';

/** A payload's data once its person is known: `customerId` is no longer optional. */
export type Named<T> = T extends { customerId: string | null }
  ? Omit<T, 'customerId'> & { customerId: string }
  : T;

/** An event of one kind as its rules see it: validated, its person resolved. */
export interface KindEvent<F extends string, Data> {
  eventId: string;
  occurredAt: string;
  field: F;
  data: Data;
  identifiers: Identifier[];
}

/** What an accepted event does: the row of its kind's write, and the lifecycle signals it owes. */
export interface IntakePlan {
  /** Parameters of the kind's write, as `row` in its Cypher. */
  params: Record<string, unknown>;
  deviceEvents: DeviceEvent[];
  journeyEvents: JourneyEvent[];
}

/** What the rules of a kind get besides the event and its facts. */
export interface PlanContext {
  /** The event's id within its sender's ids (see `scopedEventId`): the touchpoint's key. */
  key: string;
  /**
   * For a proximity event: every partner store whose geofence holds its location, nearest
   * first; empty when there is none (or for any other kind).
   */
  nearStoreIds: readonly string[];
  /** The intake's clock, as an ISO-8601 instant: readings from the future are refused. */
  now: string;
}

/**
 * One event kind, all in one place: the schema of its payload field in `LifecycleEventInput`,
 * the keys it names (for the facts it is judged on and the events it must stay in order with),
 * its rules, what it changes in the facts of later events of its batch, and the Cypher that
 * writes it. Kinds are registered in `kinds/index.ts`.
 */
export interface EventKind<F extends string, S extends z.ZodType> {
  field: F;
  schema: S;
  /** Whether the payload names a person by `customerId` (or by the event's identifiers). */
  namesPerson: boolean;
  /** The keys the event names; absent ones are left out. */
  keys(data: Named<z.output<S>>): Partial<Omit<EventKeys, 'eventId'>>;
  /** Decides the event on what the graph knows, with no I/O. */
  plan(
    event: KindEvent<F, Named<z.output<S>>>,
    facts: EventFacts,
    context: PlanContext,
  ): Rejection | IntakePlan;
  /** What an accepted event changes in the facts later events of its batch are judged on. */
  effect?(facts: BatchFacts, plan: IntakePlan): void;
  /**
   * For a touchpoint written before and resent while still pending (written by an earlier
   * version of the intake, whose signals were sent after the write): the facts as they were
   * before its own write, so that what it wrote does not count against it.
   */
  beforeOwnWrite?(facts: EventFacts): EventFacts;
  /**
   * Cypher writing one accepted event from `row` (its plan's params, with `key`, `eventId`,
   * `occurredAt`, `type`, `payloadHash`, `recordedBy`, `outcome`); run for all the events of
   * the kind in a batch at once. Null for a kind with its own write (telemetry).
   */
  write: string | null;
}

/** Declares a kind, keeping the types of its schema in its rules. */
export function defineKind<F extends string, S extends z.ZodType>(
  kind: Omit<EventKind<F, S>, 'namesPerson'>,
): EventKind<F, S> {
  // Refinements keep an object schema's shape (zod 4).
  const shape = (kind.schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const namesPerson = 'customerId' in shape;
  return { ...kind, namesPerson };
}
