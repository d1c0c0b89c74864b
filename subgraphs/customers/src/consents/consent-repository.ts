import type { Graph } from '@experience-graph/neo4j';

export interface ConsentRecord {
  purpose: string;
  granted: boolean;
  channels: string[];
  updatedAt: string;
}

const CONSENT_FIELDS =
  'k { .purpose, .granted, channels: coalesce(k.channels, []), updatedAt: toString(k.updatedAt) }';

/** Cypher for consent: one node per customer and purpose, keyed by both. */
export function createConsentRepository(graph: Graph) {
  return {
    async consentsByCustomer(
      customerIds: readonly string[],
    ): Promise<Map<string, ConsentRecord[]>> {
      const rows = await graph.read<{ customerId: string; consents: ConsentRecord[] }>(
        `MATCH (c:Customer)-[:GAVE]->(k:Consent) WHERE c.id IN $customerIds
         WITH c, k ORDER BY k.purpose
         RETURN c.id AS customerId, collect(${CONSENT_FIELDS}) AS consents`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.consents]));
    },

    /** Null when the customer does not exist. */
    async setConsent(input: {
      customerId: string;
      purpose: string;
      granted: boolean;
      channels: string[];
    }): Promise<ConsentRecord | null> {
      const [row] = await graph.write<{ consent: ConsentRecord }>(
        `MATCH (c:Customer {id: $customerId})
         MERGE (k:Consent {customerId: $customerId, purpose: $purpose})
         SET k.granted = $granted, k.channels = $channels, k.updatedAt = datetime()
         MERGE (c)-[:GAVE]->(k)
         RETURN ${CONSENT_FIELDS} AS consent`,
        input,
      );
      return row?.consent ?? null;
    },
  };
}

export type ConsentRepository = ReturnType<typeof createConsentRepository>;
