/** Why an event was rejected, and where in the event. */
export type EventErrorCode =
  | 'INVALID'
  | 'UNKNOWN_REFERENCE'
  | 'OPTED_OUT'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'AMBIGUOUS'
  | 'ERASED'
  | 'FORBIDDEN'
  | 'IDENTITY_FORBIDDEN';

export interface Rejection {
  code: EventErrorCode;
  message: string;
  /** Path under the event, such as `purchase.serial` or `telemetry.readings[1].readingId`. */
  path: string;
}

export const reject = (code: EventErrorCode, path: string, message: string): Rejection => ({
  code,
  path,
  message,
});

/**
 * A path written the one way every error path is written: object keys joined by dots, array
 * positions in brackets (`telemetry.readings[1].readingId`).
 */
export function pathOf(segments: ReadonlyArray<string | number | symbol>): string {
  let path = '';
  for (const s of segments) {
    if (typeof s === 'number') path += `[${s}]`;
    else path += path === '' ? String(s) : `.${String(s)}`;
  }
  return path;
}
