import { signRequest, type Principal } from '@experience-graph/access';

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
