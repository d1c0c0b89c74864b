/**
 * How much one `recordEvents` request may carry. The caps agree with each other and with the
 * request-size limit of the gateway and the products subgraph: a request holding the largest
 * batch these caps allow, with every field at a realistic size, fits in MAX_REQUEST_BYTES.
 */

/** Events per batch. */
export const MAX_BATCH = 500;

/** Readings per telemetry event: a day of one device at one reading a minute and a half. */
export const MAX_READINGS_PER_EVENT = 1000;

/**
 * Readings per request across its telemetry events: a day of readings for a fleet arrives in a
 * few requests (e.g. 2,000 printers reporting every 30 minutes: 96,000 readings, two requests).
 */
export const MAX_READINGS_PER_BATCH = 50_000;

/**
 * A telemetry reading as JSON, with ids and a timestamp of realistic length, is about 160
 * bytes; an event's envelope and payload at most about 8 KB (voice texts of 2,000 characters).
 */
const READING_BYTES = 200;
const EVENT_BYTES = 8 * 1024;

/**
 * The request-size limit that fits the caps above, with room for the GraphQL envelope: the
 * gateway's body limit (GATEWAY_MAX_BODY_BYTES) defaults to it and may not be set below it.
 */
export const MAX_REQUEST_BYTES =
  MAX_READINGS_PER_BATCH * READING_BYTES + MAX_BATCH * EVENT_BYTES + 64 * 1024;
