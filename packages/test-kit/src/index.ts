/**
 * Helpers for tests that share the real Neo4j and Temporal servers: keys nobody else uses, and
 * waiting for what happens asynchronously (a workflow's write, a search attribute).
 */
import { randomBytes } from 'node:crypto';

/** A key no other test (or earlier run) uses, so tests can share the real servers. */
export function uniqueKey(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Polls until `read` gives a value that `done` accepts, or fails after `timeoutMs` with the last
 * value. A read that throws counts as "not yet" (a workflow the relay has not started yet is
 * not found) until the deadline, when its error is thrown.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await read() };
    } catch (error) {
      outcome = { error };
    }
    if ('value' in outcome && done(outcome.value)) return outcome.value;
    if (Date.now() > deadline) {
      if ('error' in outcome) throw outcome.error;
      throw new Error(`Timed out; last value: ${JSON.stringify(outcome.value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
