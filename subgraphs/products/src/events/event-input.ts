import { z } from 'zod';
import { parseIdentifiers, type Identifier } from '@experience-graph/identity';
import { businessKey, pastDateTime, text, latitude, longitude } from '@experience-graph/server-kit';

/** The most events one batch may carry: bounded work per request. */
export const MAX_BATCH = 500;
/** The most readings one telemetry event may carry. */
export const MAX_READINGS = 1000;

const anyDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' })
  .transform((value) => new Date(value).toISOString());

/**
 * The person an event is about: optional where the event's `identifiers` may name them instead
 * (see the identity package).
 */
const personKey = businessKey.nullish().transform((v) => v ?? null);

const adTouch = z.object({ customerId: personKey, campaignId: businessKey });

/** What a customer wrote: 1 to 2,000 characters, trimmed. */
const voiceText = text(2000);
const rating = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 to 5')
  .max(5, 'must be 1 to 5');

/** Each payload field of `LifecycleEventInput`, its schema and the kind of event it makes. */
const PAYLOADS = {
  adImpression: adTouch,
  adClick: adTouch,
  storeProximity: z.object({
    customerId: personKey,
    sku: businessKey,
    latitude,
    longitude,
  }),
  purchase: z.object({
    customerId: personKey,
    serial: businessKey,
    orderId: businessKey,
    storeId: businessKey.nullish().transform((v) => v ?? null),
    couponCode: businessKey.nullish().transform((v) => v ?? null),
    amount: z.number().min(0, 'must be at least 0').max(1_000_000, 'must be at most 1,000,000'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD'),
    promisedDeliveryAt: anyDateTime,
    // The carrier the order is handed to: only that carrier may report on its shipment.
    carrierId: businessKey.nullish().transform((v) => v ?? null),
  }),
  shipmentUpdate: z.object({
    orderId: businessKey,
    carrier: text(100),
    status: text(200),
    expectedDeliveryAt: anyDateTime.nullish().transform((v) => v ?? null),
  }),
  delivery: z.object({ orderId: businessKey, inFull: z.boolean() }),
  installation: z.object({ serial: businessKey }),
  supportRequest: z.object({ serial: businessKey, topic: text(200) }),
  feedback: z.object({
    serial: businessKey,
    rating: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be 1 to 5')
      .max(5, 'must be 1 to 5'),
    comment: z
      .string()
      .trim()
      .max(2000, 'must be at most 2000 characters')
      .nullish()
      .transform((v) => v || null),
  }),
  optOut: z
    .object({
      customerId: personKey,
      serial: businessKey.nullish().transform((v) => v ?? null),
      sku: businessKey.nullish().transform((v) => v ?? null),
    })
    .refine((o) => (o.serial === null) !== (o.sku === null), {
      message: 'give exactly one of serial and sku',
      path: ['serial'],
    }),
  telemetry: z.object({
    serial: businessKey,
    readings: z
      .array(
        z.object({
          readingId: businessKey,
          at: z.string(),
          pagesPrinted: z.number(),
          errors: z.number(),
          paperJams: z.number(),
          inkLevel: z.number(),
        }),
      )
      .min(1, 'must hold at least one reading')
      .max(MAX_READINGS, `must hold at most ${MAX_READINGS} readings`),
  }),
  expertRequest: z.object({ serial: businessKey, topic: text(200) }),
  referral: z
    .object({
      referrerId: businessKey,
      referredId: businessKey,
      sku: businessKey,
      code: text(64)
        .nullish()
        .transform((v) => v ?? null),
    })
    .refine((r) => r.referrerId !== r.referredId, {
      message: 'a customer cannot refer themselves',
      path: ['referredId'],
    }),
  // Sign-up, login, cookie sync: who this is, by their identifiers (at least one).
  identify: z.object({
    customerId: personKey,
    displayName: text(200)
      .nullish()
      .transform((v) => v ?? null),
  }),
  review: z.object({ customerId: personKey, sku: businessKey, rating, text: voiceText }),
  socialMention: z.object({
    customerId: personKey,
    sku: businessKey,
    platform: text(50),
    text: voiceText,
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
      .max(2000, 'must be at most 2000 characters')
      .nullish()
      .transform((v) => v ?? null),
  }),
  communityAnswer: z.object({
    customerId: personKey,
    sku: businessKey,
    answerId: businessKey,
    questionText: text(2000)
      .nullish()
      .transform((v) => v ?? null),
    text: voiceText,
  }),
  answerVote: z.object({ customerId: personKey, answerId: businessKey, helpful: z.boolean() }),
  order: z.object({
    customerId: personKey,
    orderId: businessKey,
    amount: z.number().min(0, 'must be at least 0').max(1_000_000, 'must be at most 1,000,000'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD'),
    quantity: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10,000')
      .nullish()
      .transform((v) => v ?? 1),
    sku: businessKey.nullish().transform((v) => v ?? null),
    /** The store it was bought at, if any (a retailer names one of its own). */
    storeId: businessKey.nullish().transform((v) => v ?? null),
  }),
} as const;

type Payloads = typeof PAYLOADS;
export type PayloadField = keyof Payloads;
export const PAYLOAD_FIELDS = Object.keys(PAYLOADS) as PayloadField[];

/** A payload's data once its person is known: `customerId` is no longer optional. */
type Named<T> = T extends { customerId: string | null }
  ? Omit<T, 'customerId'> & { customerId: string }
  : T;

/**
 * A validated event as sent: its payload field says what happened, `data` the details,
 * `identifiers` (normalised) who it is about where `customerId` is not given.
 */
export type ParsedEvent = {
  [F in PayloadField]: {
    eventId: string;
    occurredAt: string;
    field: F;
    data: z.output<Payloads[F]>;
    identifiers: Identifier[];
  };
}[PayloadField];

/** A validated event whose person is resolved: what the rules decide on. */
export type IntakeEvent = {
  [F in PayloadField]: {
    eventId: string;
    occurredAt: string;
    field: F;
    data: Named<z.output<Payloads[F]>>;
    identifiers: Identifier[];
  };
}[PayloadField];

/** Whether a payload names a person by `customerId` (and so may name them by identifiers). */
export function namesPerson(field: PayloadField): boolean {
  const schema = PAYLOADS[field] as unknown as { shape?: Record<string, unknown> };
  return schema.shape !== undefined && 'customerId' in schema.shape;
}

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

export interface InputProblem {
  message: string;
  /** Path under the event, such as `purchase.serial`; empty for the event itself. */
  path: string;
}

const problemOf = (issues: z.core.$ZodIssue[], prefix: string[]): InputProblem => {
  const issue = issues[0];
  const path = [...prefix, ...(issue?.path ?? []).map(String)].join('.');
  return { path, message: `${path || 'event'}: ${issue?.message ?? 'is invalid'}` };
};

/**
 * Builds the validator of raw events against a clock (events from the future are refused).
 * Every problem names the field it is about.
 */
export function createEventParser(now: () => number = Date.now) {
  const header = z.object({ eventId: businessKey, occurredAt: pastDateTime(now) });
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
    const payload = PAYLOADS[field].safeParse(raw[field]);
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
