import { z } from 'zod';
import { businessKey, pastDateTime, text, latitude, longitude } from '@experience-graph/server-kit';

/** The most events one batch may carry: bounded work per request. */
export const MAX_BATCH = 500;
/** The most readings one telemetry event may carry. */
export const MAX_READINGS = 1000;

const anyDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' })
  .transform((value) => new Date(value).toISOString());

const adTouch = z.object({ customerId: businessKey, campaignId: businessKey });

/** Each payload field of `LifecycleEventInput`, its schema and the kind of event it makes. */
const PAYLOADS = {
  adImpression: adTouch,
  adClick: adTouch,
  storeProximity: z.object({
    customerId: businessKey,
    sku: businessKey,
    latitude,
    longitude,
  }),
  purchase: z.object({
    customerId: businessKey,
    serial: businessKey,
    orderId: businessKey,
    storeId: businessKey.nullish().transform((v) => v ?? null),
    couponCode: businessKey.nullish().transform((v) => v ?? null),
    amount: z.number().min(0, 'must be at least 0').max(1_000_000, 'must be at most 1,000,000'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD'),
    promisedDeliveryAt: anyDateTime,
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
      customerId: businessKey,
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
  order: z.object({
    customerId: businessKey,
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
  }),
} as const;

type Payloads = typeof PAYLOADS;
export type PayloadField = keyof Payloads;
export const PAYLOAD_FIELDS = Object.keys(PAYLOADS) as PayloadField[];

/** A validated event: its payload field says what happened, `data` the details. */
export type IntakeEvent = {
  [F in PayloadField]: {
    eventId: string;
    occurredAt: string;
    field: F;
    data: z.output<Payloads[F]>;
  };
}[PayloadField];

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
  ): { ok: true; event: IntakeEvent } | { ok: false; problem: InputProblem } => {
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
    return { ok: true, event: { ...head.data, field, data: payload.data } as IntakeEvent };
  };
}
