/**
 * Work over every node of a label in pages of consecutive keys: the pages are cut from one walk
 * of the key's index (its unique constraint's), so each page is then read by its own range
 * seek, several pages can be read at once, and a page holds everything of its nodes.
 */
import type { Graph } from './graph';

/**
 * The keys `from` (inclusive) up to `to` (exclusive; null: every key from `from` on). Together,
 * the pages of {@link keyPages} cover every key of the population, each in one page.
 */
export interface KeyPage {
  from: string;
  to: string | null;
  /** The population's prefix ('' for all): its keys are the ones of the page. */
  prefix: string;
}

/** What {@link keyPages} cuts into pages. */
export interface KeyPagesOf {
  /** A node label. */
  label: string;
  /** The property every such node is keyed by, indexed and unique. */
  key: string;
  /** Only the nodes whose key starts with this (a population); '' or absent for all. */
  prefix?: string;
  /** Nodes per page. */
  pageSize: number;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The least string above every string that starts with `prefix`, or null when there is none
 * worth giving (no prefix, or one ending in a character that cannot be incremented alone).
 */
export function prefixEnd(prefix: string): string | null {
  if (prefix === '') return null;
  const last = prefix.charCodeAt(prefix.length - 1);
  // A surrogate or U+FFFF: incrementing it alone would not give the next string in order.
  if (last >= 0xd800 && last <= 0xdfff) return null;
  if (last === 0xffff) return null;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * The population cut into pages of `pageSize` consecutive keys. The first page starts at the
 * prefix (or the lowest key) and the last one runs to the prefix's end (or past the highest
 * key), so a node added meanwhile still falls in one page. Every page is a bounded range seek
 * when there is a prefix: ids after the population are never walked.
 */
export async function keyPages(graph: Graph, of: KeyPagesOf): Promise<KeyPage[]> {
  if (!NAME.test(of.label) || !NAME.test(of.key)) {
    throw new TypeError(`keyPages: not a label and a property name: ${of.label}.${of.key}`);
  }
  if (!Number.isInteger(of.pageSize) || of.pageSize < 1) {
    throw new RangeError(`keyPages: pageSize must be a positive integer, not ${of.pageSize}`);
  }
  const prefix = of.prefix ?? '';
  // STARTS WITH '' holds for every string key: one index walk in key order either way. Neo4j's
  // range() gives its start even past its end (range(100, 22, 100) is [100]), hence the WHERE.
  const [row] = await graph.read<{ starts: string[] }>(
    `MATCH (n:${of.label}) WHERE n.${of.key} STARTS WITH $prefix
     WITH n.${of.key} AS key ORDER BY key
     WITH collect(key) AS keys
     RETURN [i IN range(toInteger($size), size(keys) - 1, toInteger($size))
             WHERE i < size(keys) | keys[i]] AS starts`,
    { prefix, size: of.pageSize },
  );
  const starts = row?.starts ?? [];
  const end = prefixEnd(prefix);
  return [prefix, ...starts].map((from, k) => ({ from, to: starts[k] ?? end, prefix }));
}

/**
 * The Cypher condition that `variable.key` lies in `page`, on the page's own fields as the
 * parameters `$from`, `$to` and `$prefix` (pass the page among the statement's parameters).
 */
export function keyPageCondition(variable: string, key: string, page: KeyPage): string {
  const of = `${variable}.${key}`;
  if (page.to !== null) return `${of} >= $from AND ${of} < $to`;
  // The open last page: of everyone, or of a population whose end cannot be given.
  return page.prefix === '' ? `${of} >= $from` : `${of} >= $from AND ${of} STARTS WITH $prefix`;
}

/**
 * Runs `work` on every item, at most `inFlight` at once, in order of starting; the first
 * failure stops the items not yet started and is thrown once the started ones have settled.
 */
export async function eachBounded<T>(
  items: readonly T[],
  inFlight: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(inFlight, items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
}
