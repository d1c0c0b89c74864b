import { signRequest, type Principal } from '@experience-graph/access';
import { listen } from './http';
import type { SubgraphApp } from './subgraph';

export interface SignedResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/**
 * Calls a subgraph as the gateway does, signing each request for a principal: for tests and
 * benchmarks that reach a subgraph without the gateway.
 */
export function signedGraphQLClient(url: string, secret: string) {
  return async <T = Record<string, unknown>>(
    principal: Principal,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<SignedResponse<T>> => {
    const body = JSON.stringify({ query, variables });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(secret, principal, body) },
      body,
    });
    return {
      status: response.status,
      ...((await response.json()) as Omit<SignedResponse<T>, 'status'>),
    };
  };
}

/** A subgraph listening on a free loopback port, with a signed client and a way to stop it. */
export interface SignedSubgraph {
  call: ReturnType<typeof signedGraphQLClient>;
  stop(): Promise<void>;
}

/** Serves a built subgraph on port 0 and hands out a client that signs as the gateway does. */
export async function serveSigned(built: SubgraphApp, secret: string): Promise<SignedSubgraph> {
  const server = await listen(built.app, '127.0.0.1', 0);
  return {
    call: signedGraphQLClient(`${server.url}/graphql`, secret),
    async stop() {
      await server.close();
      await built.apollo.stop();
    },
  };
}
