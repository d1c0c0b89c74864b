import { createHmac } from 'node:crypto';

/**
 * The salted hash by which a tombstone remembers an erased key, without holding it: an HMAC
 * (SHA-256) under the secret erasure salt, so a guessed id cannot be tested without the salt.
 * `kind` separates customer ids from identifier keys that happen to be equal strings.
 */
export function erasedKeyHash(salt: string, kind: 'customer' | 'identifier', key: string): string {
  return createHmac('sha256', salt).update(`${kind}\u0000${key}`).digest('hex');
}

/** The id of the erasure of a customer: the hash of their id, which is also their tombstone's. */
export function erasureIdOf(salt: string, customerId: string): string {
  return erasedKeyHash(salt, 'customer', customerId);
}

/**
 * The anonymous event id a touchpoint of an erased person gets: client event ids may name the
 * person, and the same salted hash keeps the new ids unique and stable across retries.
 */
export function anonymousEventId(salt: string, eventId: string): string {
  return `erased:${createHmac('sha256', salt).update(`event\u0000${eventId}`).digest('hex').slice(0, 32)}`;
}
