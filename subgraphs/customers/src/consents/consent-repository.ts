import type { Graph } from '@experience-graph/neo4j';

export interface ConsentRecord {
  /** Whose decision it is, for its history. */
  customerId: string;
  purpose: string;
  granted: boolean;
  channels: string[];
  updatedAt: string;
}

const CONSENT_FIELDS =
  'k { .customerId, .purpose, .granted, channels: coalesce(k.channels, []), updatedAt: toString(k.updatedAt) }';

/** The consents of customer `c` by purpose, for a `CALL (c) { }` returning the column `as`. */
export const consentsOfCustomer = (as: string) => `
  MATCH (c)-[:GAVE]->(k:Consent)
  WITH k ORDER BY k.purpose
  RETURN collect(${CONSENT_FIELDS}) AS ${as}`;

/**
 * The preferences of customer `c`, newest first, for a `CALL (c) { }` returning the column
 * `as`; superseded ones too when the boolean parameter `withHistory` names is true.
 */
export const preferencesOfCustomer = (as: string, withHistory: string) => `
  MATCH (c)-[:VOLUNTEERED]->(p:Preference) WHERE $${withHistory} OR p.current
  WITH p ORDER BY p.at DESC, p.key
  RETURN collect(p { .key, .value, .source, .current, at: toString(p.at) }) AS ${as}`;

/** One decision as it was made: consent history is never rewritten. */
export interface ConsentChangeRecord {
  purpose: string;
  granted: boolean;
  channels: string[];
  source: string;
  at: string;
  /** The principal key of whoever recorded it, if recorded. */
  recordedBy: string | null;
}

/** Something a customer told us about themselves, with where and when. */
export interface PreferenceRecord {
  key: string;
  value: string;
  source: string;
  at: string;
  current: boolean;
}

/** Cypher for consent: one node per customer and purpose, keyed by both. */
export function createConsentRepository(graph: Graph) {
  return {
    async consentsByCustomer(
      customerIds: readonly string[],
    ): Promise<Map<string, ConsentRecord[]>> {
      const rows = await graph.read<{ customerId: string; consents: ConsentRecord[] }>(
        `MATCH (c:Customer) WHERE c.id IN $customerIds
         CALL (c) { ${consentsOfCustomer('consents')} }
         RETURN c.id AS customerId, consents`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.consents]));
    },

    /** Null when the customer does not exist. The decision is appended to the history. */
    async setConsent(input: {
      customerId: string;
      purpose: string;
      granted: boolean;
      channels: string[];
      source: string;
      /** The principal key of whoever records it. */
      recordedBy: string;
    }): Promise<ConsentRecord | null> {
      const [row] = await graph.write<{ consent: ConsentRecord }>(
        `MATCH (c:Customer {id: $customerId})
         MERGE (k:Consent {customerId: $customerId, purpose: $purpose})
         SET k.granted = $granted, k.channels = $channels, k.updatedAt = datetime()
         MERGE (c)-[:GAVE]->(k)
         CREATE (k)-[:CHANGED]->(:ConsentChange {customerId: $customerId, purpose: $purpose,
                 granted: $granted, channels: $channels, source: $source, recordedBy: $recordedBy,
                 at: k.updatedAt})
         RETURN ${CONSENT_FIELDS} AS consent`,
        input,
      );
      return row?.consent ?? null;
    },

    /** Each consent's decisions, newest first, keyed `customerId|purpose`. */
    async historyOf(keys: readonly string[]): Promise<Map<string, ConsentChangeRecord[]>> {
      const pairs = keys.map((k) => {
        const [customerId, purpose] = k.split('|');
        return { customerId, purpose };
      });
      const rows = await graph.read<{ key: string; changes: ConsentChangeRecord[] }>(
        `UNWIND $pairs AS pair
         MATCH (k:Consent {customerId: pair.customerId, purpose: pair.purpose})-[:CHANGED]->(x)
         WITH pair, x ORDER BY x.at DESC
         RETURN pair.customerId + '|' + pair.purpose AS key,
                collect(x { .purpose, .granted, .source, .recordedBy, channels: coalesce(x.channels, []),
                            at: toString(x.at) }) AS changes`,
        { pairs },
      );
      return new Map(rows.map((r) => [r.key, r.changes]));
    },

    /** Records a preference a customer volunteered; the previous value of its key is kept. */
    async volunteer(input: {
      customerId: string;
      key: string;
      value: string;
      source: string;
      /** The principal key of whoever records it. */
      recordedBy: string;
    }): Promise<PreferenceRecord | null> {
      const [row] = await graph.write<{ preference: PreferenceRecord }>(
        `MATCH (c:Customer {id: $customerId})
         CALL (c) {
           MATCH (c)-[:VOLUNTEERED]->(old:Preference {key: $key}) WHERE old.current
           SET old.current = false
         }
         CREATE (c)-[:VOLUNTEERED]->(p:Preference {customerId: $customerId, key: $key,
                 value: $value, source: $source, recordedBy: $recordedBy, at: datetime(), current: true})
         RETURN p { .key, .value, .source, .current, at: toString(p.at) } AS preference`,
        input,
      );
      return row?.preference ?? null;
    },

    /** Preferences per customer, newest first; superseded ones only when asked. */
    async preferencesOf(
      customerIds: readonly string[],
      withHistory: boolean,
    ): Promise<Map<string, PreferenceRecord[]>> {
      const rows = await graph.read<{ id: string; preferences: PreferenceRecord[] }>(
        `MATCH (c:Customer) WHERE c.id IN $customerIds
         CALL (c) { ${preferencesOfCustomer('preferences', 'withHistory')} }
         RETURN c.id AS id, preferences`,
        { customerIds, withHistory },
      );
      return new Map(rows.map((r) => [r.id, r.preferences]));
    },
  };
}

export type ConsentRepository = ReturnType<typeof createConsentRepository>;
