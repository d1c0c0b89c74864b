/**
 * The one way an instant read from the graph is printed. Cypher's `toString(datetime)` drops
 * the trailing zeros of the fraction (`…24.46Z` for 460 ms, `…24Z` for a whole second) and the
 * driver's own temporal types print nanoseconds, while the API's DateTime scalar prints
 * `Date#toISOString`: UTC with exactly three fraction digits. Every instant a repository or rule
 * puts into text (an error message, a key, a log line) goes through here, so the same instant
 * reads the same everywhere.
 */
export function isoInstant(value: string | Date | { toString(): string }): string {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Not an instant: ${JSON.stringify(String(value))}`);
  }
  return date.toISOString();
}
