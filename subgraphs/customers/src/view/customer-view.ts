/**
 * The customer view in one statement (issue 11): when a request asks for customers, whether by
 * `Query.customer` or as the gateway's `_entities` batch, the fields it selects are read for all
 * of them in one Cypher, assembled from the parts that each feature declares next to its own
 * Cypher (`*ViewPart` in consents, identity, timeline, value, ...). What a part reads is handed to
 * that feature's request loaders (DataLoader `prime`), so the field resolvers run unchanged and
 * find their data already loaded; a field no part serves, or one whose arguments its part cannot
 * serve, is read by its own loader as before. One statement per selection and batch, instead of
 * one per field: the round trips of a view no longer grow with what it asks.
 */
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { CypherParams, Graph } from '@experience-graph/neo4j';
import { selectedFields, type SelectedField } from '@experience-graph/server-kit';
import {
  customerFields,
  RESOLVE_CUSTOMERS,
  type CustomerRecord,
} from '../customers/customer-repository';

/** What one part reads for the customers of one statement. */
export interface PartRead {
  /**
   * The body of a `CALL (c) { … }` for one customer `c`, returning exactly one row whose only
   * column is the name the part was given.
   */
  cypher: string;
  /** Its parameters; names must not collide with other parts' unless their values agree. */
  params?: CypherParams;
  /** Hands the value read for customer `customerId` to the loaders its resolvers use. */
  prime(customerId: string, value: unknown): void;
}

/** A feature's share of the view. */
export interface ViewPart<Context> {
  /** The Customer fields whose resolvers read what this part primes. */
  fields: readonly string[];
  /**
   * How to read those fields as selected, into the column `column`; null when the part cannot
   * serve the selection (arguments it does not know, or invalid: the resolver reports them).
   */
  read(
    column: string,
    selection: ReadonlyMap<string, SelectedField>,
    context: Context,
  ): PartRead | null;
}

type Plan = { cypher: string; params: CypherParams; reads: PartRead[] };

/**
 * Per-request loader of customers by any id of theirs (after merges, the survivor), reading with
 * them everything the selection asks that the parts serve. One batch per distinct selection.
 */
export function createViewLoader<Context>(
  graph: Graph,
  parts: ReadonlyArray<ViewPart<Context>>,
  context: () => Context,
  primeCustomer: (id: string, customer: CustomerRecord) => void,
) {
  const loaders = new Map<string, DataLoader<string, CustomerRecord | null>>();
  // A list field's resolvers share one info object: plan once per selection, not per item.
  const plans = new WeakMap<object, Plan>();

  const planOf = (info: GraphQLResolveInfo): Plan => {
    const known = plans.get(info.fieldNodes);
    if (known) return known;
    const selection = selectedFields(info, 'Customer');
    const reads: PartRead[] = [];
    const params: CypherParams = {};
    for (const part of parts) {
      if (!part.fields.some((field) => selection.has(field))) continue;
      const read = part.read(`part${reads.length}`, selection, context());
      if (!read) continue;
      for (const [name, value] of Object.entries(read.params ?? {})) {
        if (name in params && JSON.stringify(params[name]) !== JSON.stringify(value)) {
          throw new Error(`View parts disagree on the parameter $${name}`);
        }
        params[name] = value;
      }
      reads.push(read);
    }
    const columns = reads.map((_, i) => `, part${i}`).join('');
    const cypher = `${RESOLVE_CUSTOMERS}
${reads.map((read) => `CALL (c) {${read.cypher}\n}`).join('\n')}
RETURN id, ${customerFields('c')} AS customer${columns}`;
    const plan = { cypher, params, reads };
    plans.set(info.fieldNodes, plan);
    return plan;
  };

  const loaderOf = (plan: Plan) => {
    const key = `${plan.cypher}\u0000${JSON.stringify(plan.params)}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, CustomerRecord | null>(async (ids) => {
        const rows = await graph.read<
          Record<string, unknown> & { id: string; customer: CustomerRecord }
        >(plan.cypher, { ...plan.params, ids });
        const found = new Map<string, CustomerRecord>();
        for (const row of rows) {
          found.set(row.id, row.customer);
          primeCustomer(row.id, row.customer);
          plan.reads.forEach((read, i) => read.prime(row.customer.id, row[`part${i}`]));
        }
        return ids.map((id) => found.get(id) ?? null);
      });
      loaders.set(key, loader);
    }
    return loader;
  };

  return {
    /** The customer `id` names, with what `info` selects of them read in the same statement. */
    load: (id: string, info: GraphQLResolveInfo) => loaderOf(planOf(info)).load(id),
  };
}

export type ViewLoader = ReturnType<typeof createViewLoader>;
