import type { Graph } from '@experience-graph/neo4j';

/** A customer as stored. */
export interface CustomerRecord {
  id: string;
  displayName: string;
  createdAt: string;
}

/** A customer node `v` as a CustomerRecord. */
export const customerFields = (v: string) =>
  `${v} { .id, .displayName, createdAt: toString(${v}.createdAt) }`;
const CUSTOMER_FIELDS = customerFields('c');

/**
 * The customers `$ids` name, one row each as `id, c`: the id of a person merged into another
 * names the survivor (see the identity package); unknown ids have no row.
 */
export const RESOLVE_CUSTOMERS = `
UNWIND $ids AS id
OPTIONAL MATCH (own:Customer {id: id})
OPTIONAL MATCH (:MergedCustomer {id: id})-[:MERGED_INTO*1..]->(survivor:Customer)
WITH id, coalesce(own, survivor) AS c WHERE c IS NOT NULL`;

/** Cypher for customers; every read is batched by key. */
export function createCustomerRepository(graph: Graph) {
  return {
    async customersById(ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
      const rows = await graph.read<{ id: string; customer: CustomerRecord }>(
        `${RESOLVE_CUSTOMERS}
         RETURN id, ${CUSTOMER_FIELDS} AS customer`,
        { ids },
      );
      return new Map(rows.map(({ id, customer }) => [id, customer]));
    },

    /** The owner of each device that has one. */
    async ownersBySerial(serials: readonly string[]): Promise<Map<string, CustomerRecord>> {
      const rows = await graph.read<{ serial: string; customer: CustomerRecord }>(
        `MATCH (c:Customer)-[:OWNS]->(d:Device) WHERE d.serial IN $serials
         RETURN d.serial AS serial, ${CUSTOMER_FIELDS} AS customer`,
        { serials },
      );
      return new Map(rows.map((r) => [r.serial, r.customer]));
    },

    async upsertCustomer(input: { id: string; displayName: string }): Promise<CustomerRecord> {
      const [row] = await graph.write<{ customer: CustomerRecord }>(
        `OPTIONAL MATCH (:MergedCustomer {id: $id})-[:MERGED_INTO*1..]->(survivor:Customer)
         WITH coalesce(survivor.id, $id) AS id
         MERGE (c:Customer {id: id})
           ON CREATE SET c.createdAt = datetime()
         SET c.displayName = $displayName
         RETURN ${CUSTOMER_FIELDS} AS customer`,
        input,
      );
      if (!row) throw new Error(`Customer ${input.id} was not written`);
      return row.customer;
    },
  };
}

export type CustomerRepository = ReturnType<typeof createCustomerRepository>;
