import type { z } from 'zod';
import { DEFAULT_EARLIEST_EVENT_DATE } from '@experience-graph/config';
import { parseIdentifiers } from '@experience-graph/identity';
import { businessKey, pastDateTime } from '@experience-graph/server-kit';
import { z as zod } from 'zod';
import {
  KINDS,
  namesPerson,
  PAYLOAD_FIELDS,
  type IntakeEvent,
  type ParsedEvent,
  type PayloadField,
} from './kinds';
import { pathOf } from './rejection';

export interface InputProblem {
  message: string;
  /** Path under the event, such as `purchase.serial`; empty for the event itself. */
  path: string;
}

const problemOf = (issues: z.core.$ZodIssue[], prefix: string[]): InputProblem => {
  const issue = issues[0];
  const path = pathOf([...prefix, ...(issue?.path ?? [])]);
  return { path, message: `${path || 'event'}: ${issue?.message ?? 'is invalid'}` };
};

/**
 * The event with its person resolved to `customerId` (by default the one it names; an event
 * naming nobody is a programming error here, since the parser refuses it).
 */
export function namePerson(event: ParsedEvent, customerId?: string): IntakeEvent {
  if (!namesPerson(event.field)) return event as IntakeEvent;
  const data = event.data as { customerId?: string | null };
  const id = customerId ?? data.customerId;
  if (typeof id !== 'string') throw new Error(`Event ${event.eventId} names no person`);
  return { ...event, data: { ...event.data, customerId: id } } as IntakeEvent;
}

/**
 * Builds the validator of raw events against a clock (events from the future are refused) and
 * the earliest plausible day (YYYY-MM-DD, UTC; events before it are refused). Every problem
 * names the field it is about.
 */
export function createEventParser(
  now: () => number = Date.now,
  earliestDate: string = DEFAULT_EARLIEST_EVENT_DATE,
) {
  const earliest = Date.parse(`${earliestDate}T00:00:00Z`);
  const occurredAt = pastDateTime(now).refine(
    (value) => Date.parse(value) >= earliest,
    `must not be before ${earliestDate}, the earliest date accepted`,
  );
  const header = zod.object({ eventId: businessKey, occurredAt });
  return (
    raw: Record<string, unknown>,
  ): { ok: true; event: ParsedEvent } | { ok: false; problem: InputProblem } => {
    const head = header.safeParse(raw);
    if (!head.success) return { ok: false, problem: problemOf(head.error.issues, []) };
    const present = PAYLOAD_FIELDS.filter((f) => raw[f] !== undefined && raw[f] !== null);
    if (present.length !== 1) {
      const message =
        present.length === 0
          ? `event: exactly one of ${PAYLOAD_FIELDS.join(', ')} must be set`
          : `event: only one payload may be set, got ${present.join(' and ')}`;
      return { ok: false, problem: { path: present[1] ?? '', message } };
    }
    const field = present[0] as PayloadField;
    const payload = (KINDS[field].schema as z.ZodType).safeParse(raw[field]);
    if (!payload.success) return { ok: false, problem: problemOf(payload.error.issues, [field]) };
    const identified = parseIdentifiers(raw['identifiers']);
    if (!identified.ok) {
      return { ok: false, problem: { path: identified.path, message: identified.message } };
    }
    const { identifiers } = identified;
    const named = namesPerson(field);
    if (!named && identifiers.length > 0) {
      return {
        ok: false,
        problem: {
          path: 'identifiers',
          message: `identifiers: a ${field} event names no person by customerId, so it takes no identifiers`,
        },
      };
    }
    const data = payload.data as { customerId?: string | null };
    if (named && data.customerId === null && identifiers.length === 0) {
      return {
        ok: false,
        problem: {
          path: `${field}.customerId`,
          message: `${field}.customerId: give customerId or at least one identifier`,
        },
      };
    }
    return {
      ok: true,
      event: { ...head.data, field, data: payload.data, identifiers } as ParsedEvent,
    };
  };
}
