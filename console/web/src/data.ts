import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { GraphQLRequestError, request } from '@experience-graph/client';
import { signOut, useSession } from './session';

/** The console's server sends `/graphql` on to the gateway, with the signed-in employee's token. */
const ENDPOINT = new URL('/graphql', window.location.origin);

export type Loaded<T> =
  | { state: 'loading'; data: T | null; error: null }
  | { state: 'error'; data: T | null; error: Error }
  | { state: 'done'; data: T; error: null };

/** Sends an operation as the signed-in employee; an expired or refused token signs them out. */
export async function send<TData, TVariables>(
  token: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TData> {
  try {
    return await request(ENDPOINT, document, variables, { token, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (error instanceof GraphQLRequestError && error.status === 401) signOut();
    throw error;
  }
}

/**
 * Runs a query as the signed-in employee and again whenever its variables change, or every
 * `pollMs` if given. The data of the last answer stays while the next one loads.
 */
export function useQuery<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: { pollMs?: number } = {},
): Loaded<TData> & { reload: () => void } {
  const session = useSession();
  const token = session?.token ?? null;
  const key = JSON.stringify(variables);
  const [result, setResult] = useState<Loaded<TData>>({
    state: 'loading',
    data: null,
    error: null,
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(variables);
  latest.current = variables;

  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    setResult((r) => ({ state: 'loading', data: r.data, error: null }));
    send(token, document, latest.current, controller.signal).then(
      (data) => setResult({ state: 'done', data, error: null }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult((r) => ({
          state: 'error',
          data: r.data,
          error: error instanceof Error ? error : new Error(String(error)),
        }));
      },
    );
    return () => controller.abort();
  }, [document, key, token, generation]);

  useEffect(() => {
    if (!options.pollMs) return;
    const timer = window.setInterval(() => setGeneration((g) => g + 1), options.pollMs);
    return () => window.clearInterval(timer);
  }, [options.pollMs]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...result, reload };
}
