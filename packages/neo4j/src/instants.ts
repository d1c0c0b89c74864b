/**
 * An instant read from the graph, printed as the API's DateTime scalar prints it
 * (`Date#toISOString`: UTC, exactly three fraction digits). Cypher's `toString(datetime)` drops
 * trailing zeros of the fraction (`…24.46Z` for 460 ms, `…24Z` for a whole second), so text
 * built from it (an error message, a merge record) would print the same instant two ways.
 */
export function isoInstant(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Not an instant: ${JSON.stringify(String(value))}`);
  }
  return date.toISOString();
}
