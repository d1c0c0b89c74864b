import { type Graph, eachBounded, keyPages } from '@experience-graph/neo4j';
import { readFeatures, type Population, type ValueReckoning } from './features';
import { membershipChanges, partsFor, type SegmentDefinition } from './segment-rules';

const SEGMENT_FIELDS = `s { .id, .name, .description, .match, conditions: s.conditions }`;

type StoredSegment = Omit<SegmentDefinition, 'conditions'> & { conditions: string };

const definitionOf = (s: StoredSegment): SegmentDefinition => ({
  ...s,
  conditions: JSON.parse(s.conditions) as SegmentDefinition['conditions'],
});

/**
 * The segments customer `c` is in, ordered by id, for a `CALL (c) { }`: one row whose column
 * `as` holds them as stored; `segmentsFromStore` makes definitions of them.
 */
export const segmentsOfCustomer = (as: string) => `
  MATCH (c)-[:IN_SEGMENT]->(s:Segment)
  WITH s ORDER BY s.id
  RETURN collect(${SEGMENT_FIELDS}) AS ${as}`;

/** The definitions of segments as `segmentsOfCustomer` read them. */
export const segmentsFromStore = (stored: unknown): SegmentDefinition[] =>
  (stored as StoredSegment[]).map(definitionOf);

/** Customers evaluated per statement when a segment is evaluated for everyone. */
const PAGE = 2000;
/**
 * Pages evaluated at once: Neo4j runs each statement on one core, and while one page's
 * memberships are written the next can be read.
 */
const PAGES_IN_FLIGHT = 2;

/**
 * Rule-based segments kept current: memberships are `(:Customer)-[:IN_SEGMENT {since}]->(:Segment)`
 * relationships, re-evaluated for the customers an event, a consent, a merge or a model fit
 * touches (`refresh`), and for everyone when a segment is defined.
 */
export function createSegmentRepository(graph: Graph, reckoning: ValueReckoning) {
  async function definitions(): Promise<SegmentDefinition[]> {
    const rows = await graph.read<{ segment: StoredSegment }>(
      `MATCH (s:Segment) RETURN ${SEGMENT_FIELDS} AS segment ORDER BY s.id`,
    );
    return rows.map((r) => definitionOf(r.segment));
  }

  /**
   * Evaluates the given segments for a population and writes what changed: memberships of
   * customers who joined or left. Unchanged memberships are not written, so they keep their
   * `since`. Only the feature parts these segments' conditions look at are read.
   */
  async function evaluate(segments: SegmentDefinition[], population: Population): Promise<void> {
    const segmentIds = segments.map((s) => s.id);
    const now = Date.now();
    const customers = await readFeatures(
      graph,
      reckoning,
      partsFor(segments),
      population,
      segmentIds,
    );
    const changes = membershipChanges(segments, customers, now);
    if (changes.length > 0) {
      await graph.write(
        `UNWIND $changes AS change
         MATCH (s:Segment {id: change.segmentId})
         CALL (s, change) {
           UNWIND change.leaving AS id
           MATCH (:Customer {id: id})-[m:IN_SEGMENT]->(s)
           DELETE m
         }
         CALL (s, change) {
           UNWIND change.joining AS id
           MATCH (c:Customer {id: id})
           MERGE (c)-[m:IN_SEGMENT]->(s) ON CREATE SET m.since = datetime()
         }`,
        { changes },
      );
    }
  }

  return {
    definitions,

    async definitionsById(ids: readonly string[]): Promise<Map<string, SegmentDefinition>> {
      const rows = await graph.read<{ segment: StoredSegment }>(
        `MATCH (s:Segment) WHERE s.id IN $ids RETURN ${SEGMENT_FIELDS} AS segment`,
        { ids },
      );
      return new Map(rows.map((r) => [r.segment.id, definitionOf(r.segment)]));
    },

    /**
     * Re-evaluates every segment for these customers and for everyone up their referral chains
     * (whose referral value the change may have moved).
     */
    async refresh(customerIds: ReadonlyArray<string | null | undefined>): Promise<void> {
      const ids = [...new Set(customerIds.filter((id): id is string => typeof id === 'string'))];
      if (ids.length === 0) return;
      const segments = await definitions();
      if (segments.length === 0) return;
      const hops = String(Math.trunc(reckoning.referralMaxHops));
      const rows = await graph.read<{ id: string }>(
        `UNWIND $ids AS id
         MATCH (c:Customer {id: id})
         OPTIONAL MATCH (up:Customer)-[:REFERRED*1..${hops}]->(c)
         WITH collect(DISTINCT c.id) + collect(DISTINCT up.id) AS all
         UNWIND all AS id
         RETURN DISTINCT id`,
        { ids },
      );
      if (rows.length === 0) return;
      // Few customers and every segment: one read of all the parts any definition needs.
      await evaluate(segments, { ids: rows.map((r) => r.id) });
    },

    /**
     * Re-evaluates, for these customers only, the segments that look at predicted value: a new
     * value-model fit moves nothing else, and no one else's value (a prediction is not spend,
     * so no referrer's referral value moves). Nothing is read when no segment looks at it.
     */
    async refreshPredictions(customerIds: readonly string[]): Promise<void> {
      if (customerIds.length === 0) return;
      const segments = (await definitions()).filter((s) => partsFor([s]).includes('predictions'));
      if (segments.length === 0) return;
      await evaluate(segments, { ids: [...new Set(customerIds)] });
    },

    /** Creates or replaces a segment and evaluates it for every customer. */
    async define(segment: SegmentDefinition): Promise<SegmentDefinition> {
      await graph.write(
        `MERGE (s:Segment {id: $id})
           ON CREATE SET s.createdAt = datetime()
         SET s.name = $name, s.description = $description, s.match = $match,
             s.conditions = $conditions, s.updatedAt = datetime()`,
        { ...segment, conditions: JSON.stringify(segment.conditions) },
      );
      // Everyone, in pages of consecutive ids, so pages can be evaluated side by side; the
      // last page is open-ended, for customers created meanwhile.
      const pages = await keyPages(graph, { label: 'Customer', key: 'id', pageSize: PAGE });
      await eachBounded(pages, PAGES_IN_FLIGHT, (page) => evaluate([segment], page));
      return segment;
    },

    /** Deletes a segment and its memberships; false when there was none. */
    async remove(id: string): Promise<boolean> {
      const [row] = await graph.write<{ removed: number }>(
        `OPTIONAL MATCH (s:Segment {id: $id}) DETACH DELETE s RETURN count(s) AS removed`,
        { id },
      );
      return (row?.removed ?? 0) > 0;
    },

    async segmentsOf(customerIds: readonly string[]): Promise<Map<string, SegmentDefinition[]>> {
      const rows = await graph.read<{ id: string; segments: StoredSegment[] }>(
        `MATCH (c:Customer) WHERE c.id IN $customerIds
         CALL (c) { ${segmentsOfCustomer('segments')} }
         RETURN c.id AS id, segments`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.id, segmentsFromStore(r.segments)]));
    },

    async members(
      segmentId: string,
      first: number,
      after: string | null,
    ): Promise<{ ids: string[]; count: number }> {
      const [row] = await graph.read<{ ids: string[]; count: number }>(
        `MATCH (s:Segment {id: $segmentId})
         CALL (s) { MATCH (c:Customer)-[:IN_SEGMENT]->(s) RETURN count(c) AS count }
         CALL (s) {
           MATCH (c:Customer)-[:IN_SEGMENT]->(s) WHERE $after IS NULL OR c.id > $after
           WITH c ORDER BY c.id LIMIT toInteger($first)
           RETURN collect(c.id) AS ids
         }
         RETURN ids, count`,
        { segmentId, first, after },
      );
      return row ?? { ids: [], count: 0 };
    },
  };
}

export type SegmentRepository = ReturnType<typeof createSegmentRepository>;
