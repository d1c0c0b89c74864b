import pino from 'pino';
import type { Config } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import { serveSigned, type SignedSubgraph } from '@experience-graph/server-kit';
import { createCustomersSubgraph } from './server';

/**
 * The customers subgraph on `graph`, served on a free port and called signed, as the gateway
 * calls it, for integration tests; erasures are recorded but start no workflow.
 */
export async function serveCustomersForTests(
  graph: Graph,
  config: Config,
): Promise<SignedSubgraph> {
  const built = await createCustomersSubgraph({
    graph,
    value: config.value,
    erasure: {
      salt: config.erasure.salt,
      starter: { start: async (id) => ({ workflowId: `erasure:${id}` }) },
    },
    signing: config.signing,
    logger: pino({ level: 'silent' }),
  });
  return serveSigned(built, config.signing.secret);
}
