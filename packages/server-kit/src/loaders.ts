import DataLoader from 'dataloader';

/**
 * A per-request DataLoader over a batched lookup that returns what it found as a map; keys it
 * did not find get `missing` (null for a single entity, [] for a relationship).
 */
export function keyedLoader<K, V>(
  fetch: (keys: readonly K[]) => Promise<Map<K, V>>,
  missing: V,
): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => {
    const found = await fetch(keys);
    return keys.map((key) => found.get(key) ?? missing);
  });
}
