import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';

/** One fetch of a query plan: the subgraph asked, and in which step of the plan. */
export interface PlannedFetch {
  subgraph: string;
  /** 0 for the fetches made first; a fetch of step n waits for those of step n − 1. */
  step: number;
}

/**
 * The fetches the gateway's query planner makes for an operation against a supergraph, with
 * the step each runs in: what one request through the gateway costs the subgraphs.
 */
export function plannedFetches(supergraphSdl: string, operation: string): PlannedFetch[] {
  const supergraph = Supergraph.build(supergraphSdl);
  const planner = new QueryPlanner(supergraph);
  const plan: QueryPlan = planner.buildQueryPlan(
    operationFromDocument(supergraph.apiSchema(), parse(operation)),
  );
  const fetches: PlannedFetch[] = [];
  // Sequence nodes advance the step; parallel nodes keep it; flatten is a fetch at a path.
  const walk = (node: PlanNode | undefined, step: number): number => {
    if (!node) return step;
    switch (node.kind) {
      case 'Fetch':
        fetches.push({ subgraph: node.serviceName, step });
        return step + 1;
      case 'Flatten':
        return walk(node.node, step);
      case 'Sequence':
        return node.nodes.reduce((at, child) => walk(child, at), step);
      case 'Parallel':
        return Math.max(step, ...node.nodes.map((child) => walk(child, step)));
      default:
        throw new Error(`Unexpected query plan node ${node.kind}`);
    }
  };
  const root = plan.node;
  if (root?.kind === 'Subscription') throw new Error('Subscriptions are not planned here');
  walk(root, 0);
  return fetches;
}
