import { HELPFUL_VOTES } from '@experience-graph/segments';
import type { Graph } from '@experience-graph/neo4j';

/** What a customer expressed, and how much their community answers helped others. */
export interface CustomerVoiceRecord {
  sentimentScore: number | null;
  sentimentMentions: number;
  helpfulVotes: number;
}

/**
 * Helpful votes on the community answers of customer `c`, in a `CALL (c) { }`. Votes are one
 * per voter and answer and never the author's own (the intake refuses both); the condition
 * still excludes them, so the count cannot be inflated by data written another way.
 */

/** The voice (CustomerVoiceRecord) of customer `c`, for a `CALL (c) { }` into the column `as`. */
export const voiceOfCustomer = (as: string) => `
  CALL (c) {
    OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint) WHERE t.sentiment IS NOT NULL
    RETURN avg(t.sentiment) AS sentimentScore, count(t) AS sentimentMentions
  }
  CALL (c) { ${HELPFUL_VOTES} }
  RETURN {sentimentScore: sentimentScore, sentimentMentions: sentimentMentions,
          helpfulVotes: helpfulVotes} AS ${as}`;

const VOICES = `
UNWIND $ids AS id
MATCH (c:Customer {id: id})
CALL (c) { ${voiceOfCustomer('voice')} }
RETURN id, voice`;

/** Cypher of the voice of the customer, batched by customer. */
export function createVoiceRepository(graph: Graph) {
  return {
    async voicesById(ids: readonly string[]): Promise<Map<string, CustomerVoiceRecord>> {
      const rows = await graph.read<{ id: string; voice: CustomerVoiceRecord }>(VOICES, { ids });
      return new Map(rows.map(({ id, voice }) => [id, voice]));
    },
  };
}

export type VoiceRepository = ReturnType<typeof createVoiceRepository>;
