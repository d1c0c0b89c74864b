import { z } from 'zod';

/** A business key such as a serial, sku or id: what may safely appear in URLs and workflow ids. */
export const businessKey = z
  .string()
  .regex(
    /^[A-Za-z0-9._:-]{1,64}$/,
    'must be 1 to 64 letters, digits, dots, colons, dashes or underscores',
  );

/** How far ahead of our clock an event time may be before it is "from the future". */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** An ISO-8601 date-time with an offset, not in the future (give or take clock skew). */
export const pastDateTime = (now: () => number = Date.now) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' })
    .refine((value) => Date.parse(value) <= now() + CLOCK_SKEW_MS, 'must not be in the future')
    .transform((value) => new Date(value).toISOString());

/** Human-readable text of bounded length, trimmed. */
export const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** Latitude in degrees. */
export const latitude = z
  .number()
  .min(-90, 'must be between -90 and 90')
  .max(90, 'must be between -90 and 90');

/** Longitude in degrees. */
export const longitude = z
  .number()
  .min(-180, 'must be between -180 and 180')
  .max(180, 'must be between -180 and 180');
