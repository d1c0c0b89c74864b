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

/** Control characters other than tab, line feed and carriage return: C0, DEL and C1. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Half of a surrogate pair without its other half: not a character, not storable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoint = (s: string, at: number) =>
  `U+${(s.charCodeAt(at) as number).toString(16).toUpperCase().padStart(4, '0')}`;

/** Refuses control characters and unpaired surrogates, naming the first and its position. */
function plainCharacters(value: string, ctx: z.RefinementCtx): void {
  const control = CONTROL.exec(value);
  if (control) {
    ctx.addIssue({
      code: 'custom',
      message: `must not contain control characters (${codePoint(value, control.index)} at position ${control.index})`,
    });
    return;
  }
  const lone = LONE_SURROGATE.exec(value);
  if (lone) {
    ctx.addIssue({
      code: 'custom',
      message: `must be valid Unicode: an unpaired surrogate ${codePoint(value, lone.index)} at position ${lone.index}`,
    });
  }
}

/**
 * Human-readable text of bounded length, trimmed: no control characters (NUL, escape, ...)
 * other than tab and line breaks, and no unpaired surrogates.
 */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine(plainCharacters);

/** Like {@link text}, but optional: absent, null or blank is null. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .superRefine(plainCharacters)
    .nullish()
    .transform((v) => v || null);

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
