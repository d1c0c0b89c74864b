/**
 * A small way to send a typed document to the gateway with `fetch`: typed data back, or a
 * {@link GraphQLRequestError} carrying the GraphQL errors. Any GraphQL client that takes a
 * `TypedDocumentNode` (Apollo Client, urql, graphql-request) can send the same documents instead.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';

/** One error of a GraphQL response, as the gateway sends it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  /** `code` says what kind of error it is: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ... */
  extensions?: { code?: string; [key: string]: unknown };
}

/**
 * Who sends the request. The gateway takes an API key (partners and the maker's services) or a
 * signed token (a person using the app, or an employee); both travel as
 * `Authorization: Bearer <credential>`.
 */
export type Credential =
  | {
      /** A partner's or service's API key (`GATEWAY_CLIENTS`). */
      apiKey: string;
      token?: never;
    }
  | {
      /** An app token (a person) or a staff token (an employee), as a JWT. */
      token: string;
      apiKey?: never;
    };

/** Options of {@link request}. */
export type RequestOptions = Credential & {
  /** Extra headers, sent as given. */
  headers?: Record<string, string>;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** The fetch to use; defaults to the global one. */
  fetch?: typeof fetch;
};

/**
 * A request the gateway answered with errors (or not with GraphQL at all). `errors` are the
 * GraphQL errors, `status` the HTTP status, and `data` whatever part of the result came back.
 */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';

  constructor(
    message: string,
    readonly errors: readonly GraphQLErrorEntry[],
    readonly status: number,
    readonly data: unknown = null,
  ) {
    super(message);
  }

  /** The `extensions.code` of each error, in order: what a caller usually branches on. */
  get codes(): string[] {
    return this.errors.map((e) => e.extensions?.code ?? 'UNKNOWN');
  }
}

interface GraphQLResponse {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

const isResponse = (value: unknown): value is GraphQLResponse =>
  typeof value === 'object' &&
  value !== null &&
  ('data' in value || ('errors' in value && Array.isArray(value.errors)));

function operationNameOf(document: DocumentNode): string | undefined {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  if (operations.length !== 1) {
    throw new Error(`A document to send must hold one operation; it holds ${operations.length}`);
  }
  return operations[0]?.name?.value;
}

function describe(errors: readonly GraphQLErrorEntry[]): string {
  const first = errors[0];
  if (!first) return 'The request failed';
  const code = first.extensions?.code ? ` (${first.extensions.code})` : '';
  const more = errors.length > 1 ? ` and ${errors.length - 1} more error(s)` : '';
  return `${first.message}${code}${more}`;
}

/**
 * Sends one operation to the gateway's GraphQL endpoint (such as `http://127.0.0.1:4000/graphql`)
 * and resolves with its data, typed by the document. Rejects with a {@link GraphQLRequestError}
 * when the answer has any error (a partial result included: its `data` holds what came back) or
 * is not a GraphQL response.
 *
 * @example
 * const data = await request(endpoint, DeviceExperienceDocument, { serial: 'PRN-0001' }, { token });
 * data.device?.experience.actions.map((a) => a.label);
 */
export async function request<TData, TVariables>(
  endpoint: string | URL,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: RequestOptions,
): Promise<TData> {
  const credential = options.apiKey ?? options.token;
  if (!credential) {
    throw new Error('request needs an API key (apiKey) or a token (token) to send');
  }
  const send = options.fetch ?? fetch;
  const response = await send(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
      authorization: `Bearer ${credential}`,
    },
    body: JSON.stringify({
      query: print(document),
      variables,
      operationName: operationNameOf(document),
    }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isResponse(body)) {
    const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new GraphQLRequestError(
      `The gateway answered ${response.status} without a GraphQL response: ${excerpt}`,
      [],
      response.status,
    );
  }
  if (body.errors && body.errors.length > 0) {
    throw new GraphQLRequestError(
      describe(body.errors),
      body.errors,
      response.status,
      body.data ?? null,
    );
  }
  if (!response.ok || body.data === undefined || body.data === null) {
    throw new GraphQLRequestError(
      `The gateway answered ${response.status} with no data`,
      [],
      response.status,
    );
  }
  return body.data as TData;
}
