/**
 * Which events of a batch may be recorded at the same time. Two events depend on each other
 * when they name the same person, device, order, coupon or event id: the later one may be judged
 * on what the earlier one wrote (a purchase then its delivery, an opt-out then an ad click), and
 * their lifecycle signals must arrive in order. Events connected through such keys, directly or
 * through others, form a component, recorded in batch order; components are independent.
 *
 * Product models, campaigns and stores are deliberately not keys: they are only read by the
 * intake, and keying on them would connect nearly every event of a batch.
 */

/** The keys an event names, as `kind:value` strings; empty for an event that stands alone. */
export type ConflictKeys = readonly string[];

/**
 * Groups event positions into connected components over shared keys (union-find). Each
 * component lists positions in increasing order; components are ordered by their first position.
 */
export function eventComponents(keysPerEvent: readonly ConflictKeys[]): number[][] {
  const parent = keysPerEvent.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    // Path compression keeps later finds short.
    while (parent[i] !== root) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  const owner = new Map<string, number>();
  keysPerEvent.forEach((keys, i) => {
    for (const key of keys) {
      const seen = owner.get(key);
      if (seen === undefined) owner.set(key, i);
      else {
        const a = find(seen);
        const b = find(i);
        // The smaller position is the root, so roots are first positions.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const groups = new Map<number, number[]>();
  keysPerEvent.forEach((_, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(i);
    else groups.set(root, [i]);
  });
  return [...groups.values()];
}

/**
 * Runs `work` over items with at most `limit` running at once; resolves when all are done.
 * `work` must not reject (the intake turns every failure into a result).
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
