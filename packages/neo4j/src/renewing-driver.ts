import type { Driver } from 'neo4j-driver';

const RENEW = Symbol('renew');

type Renewable = Driver & { [RENEW]?: () => void };

/**
 * A driver that can be swapped for a fresh one built by `create`: every property and call goes
 * to the current one. A statement past its deadline renews it (see `graph.ts`), because the
 * connection it waits on may never answer: one opened while Neo4j was starting stays checked
 * out for ever, and enough of them fill the pool, so that no later request gets a connection
 * though the server is back. The old driver is closed, which frees what it can.
 */
export function renewingDriver(create: () => Driver): Driver {
  let current = create();
  let renewedAt = 0;
  const renew = () => {
    // One renewal per burst of timeouts: the statements that time out together share a cause.
    if (Date.now() - renewedAt < 5_000) return;
    renewedAt = Date.now();
    const old = current;
    current = create();
    void old.close().catch(() => undefined);
  };
  return new Proxy({} as Driver, {
    get(_target, property) {
      if (property === RENEW) return renew;
      const value = (current as unknown as Record<PropertyKey, unknown>)[property];
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(current)
        : value;
    },
  });
}

/** Swaps a {@link renewingDriver} for a fresh one; any other driver is left as it is. */
export function renewDriver(driver: Driver): void {
  (driver as Renewable)[RENEW]?.();
}
