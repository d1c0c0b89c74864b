import type { Graph } from '@experience-graph/neo4j';
import { readFeatures, type ValueReckoning } from './features';
import { isMember, type SegmentDefinition } from './segment-rules';

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

/** Customers re-evaluated per query when a whole population is refreshed. */
const PAGE = 2000;

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

  /** Writes the memberships of the given customers in the given segments, as evaluated now. */
  async function evaluate(segments: SegmentDefinition[], ids: readonly string[]): Promise<void> {
    if (segments.length === 0 || ids.length === 0) return;
    const now = Date.now();
    const features = await readFeatures(graph, reckoning, ids);
    const rows = features.map((f) => ({
      id: f.id,
      member: segments.filter((s) => isMember(s, f, now)).map((s) => s.id),
    }));
    await graph.write(
      `UNWIND $rows AS row
       MATCH (c:Customer {id: row.id})
       CALL (c, row) {
         MATCH (c)-[m:IN_SEGMENT]->(s:Segment) WHERE s.id IN $segmentIds AND NOT s.id IN row.member
         DELETE m
       }
       CALL (c, row) {
         UNWIND row.member AS segmentId
         MATCH (s:Segment {id: segmentId})
         MERGE (c)-[m:IN_SEGMENT]->(s) ON CREATE SET m.since = datetime()
       }`,
      { rows, segmentIds: segments.map((s) => s.id) },
    );
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
      await evaluate(
        segments,
        rows.map((r) => r.id),
      );
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
      let after = '';
      for (;;) {
        const page = await graph.read<{ id: string }>(
          `MATCH (c:Customer) WHERE c.id > $after
           RETURN c.id AS id ORDER BY c.id LIMIT toInteger($page)`,
          { after, page: PAGE },
        );
        await evaluate(
          [segment],
          page.map((r) => r.id),
        );
        if (page.length < PAGE) break;
        after = page[page.length - 1]?.id as string;
      }
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
