/**
 * How the gateway calls a subgraph: every request signed for the principal it serves, over
 * kept-alive connections, stopped when the client's request runs out of time (a read asked
 * again while the same one is in flight shares its answer); what comes back
 * is passed on when it is a GraphQL answer and masked when it is a failure of the network or
 * of the subgraph itself, so no internal address reaches a client.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { signRequest } from '@experience-graph/access';
import type { GatewayContext } from './auth';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** The error a client sees when a subgraph cannot be reached or fails outright. */
export function unavailable(): GraphQLError {
  return new GraphQLError('A service behind the gateway is unavailable; try again later', {
    extensions: { code: 'UNAVAILABLE' },
  });
}

export interface SubgraphSourceOptions {
  name: string;
  url: string;
  /** The signing secret; null only in the access-cost benchmark, whose subgraphs take anything. */
  secret: string | null;
  agent: Agent;
  logger: Logger;
  /** Told of each fetch answered by an identical one already in flight. */
  onShared?: () => void;
}

/** Connections to the subgraphs, kept alive between requests (one pool per gateway). */
export function createSubgraphAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 256 });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** What a subgraph sent back: its status and body, parsed afresh for each caller that shares it. */
interface SubgraphAnswer {
  status: number;
  text: string;
}

/** A read (`query`, or a shorthand `{ ... }`), which may be shared by callers asking the same. */
const isRead = (query: string | undefined) => /^\s*(query\b|\{)/.test(query ?? '');

/** Waits for `answer`, or throws the signal's reason as soon as it is aborted. */
function unlessAborted<T>(answer: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return answer;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class SignedSubgraphSource implements GraphQLDataSource<GatewayContext> {
  /**
   * Reads in flight, by principal and exact body: an identical read asked while one is on its
   * way waits for that one's answer instead of sending another (a hot entity asked by many
   * clients at once costs the subgraph one fetch). Only for the same principal, whose rights
   * shaped the answer; never for a mutation.
   */
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();

  constructor(private readonly options: SubgraphSourceOptions) {}

  async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayResponse> {
    const { name, logger } = this.options;
    const context = options.context as Partial<GatewayContext> | undefined;
    const principal = context?.principal;
    // Only requests on behalf of an authenticated principal go out; the supergraph is static,
    // so the gateway never needs to call a subgraph on its own account.
    if (!principal) {
      logger.error({ subgraph: name }, 'refused to call a subgraph without a principal');
      throw unavailable();
    }
    const { query, variables, operationName, extensions } = options.request;
    // The exact bytes sent are the bytes signed.
    const body = JSON.stringify({ query, variables, operationName, extensions });
    const signal = context.abort?.signal;
    let answer: Promise<SubgraphAnswer>;
    if (isRead(query)) {
      const key = `${JSON.stringify(principal)}\n${body}`;
      const pending = this.inFlight.get(key);
      if (pending) {
        this.options.onShared?.();
        answer = pending;
      } else {
        // A shared fetch is not cut off by one caller's deadline: each caller stops waiting on
        // its own, and the fetch ends when the subgraph answers.
        answer = this.fetch(body, principal, undefined);
        this.inFlight.set(key, answer);
        const forget = () => this.inFlight.delete(key);
        answer.then(forget, forget);
      }
    } else {
      answer = this.fetch(body, principal, signal);
    }
    let received: SubgraphAnswer;
    try {
      received = await unlessAborted(answer, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason as Error;
      logger.warn({ subgraph: name, err: error }, 'subgraph request failed');
      throw unavailable();
    }
    return this.interpret(received);
  }

  private async fetch(
    body: string,
    principal: NonNullable<GatewayContext['principal']>,
    signal: AbortSignal | undefined,
  ): Promise<SubgraphAnswer> {
    const { url, secret, agent } = this.options;
    // undici's request rather than its fetch: the same pool and the same bytes on the wire,
    // without the WHATWG Request, Response and body streams (copied and teed) that fetch builds
    // around every call, which were the largest part of the gateway's own CPU per fetch.
    const response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(secret === null ? {} : signRequest(secret, principal, body)),
      },
      body,
      dispatcher: agent,
      signal,
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  private interpret({ status, text }: SubgraphAnswer): GatewayResponse {
    const { name, logger } = this.options;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status === 401) {
      // The subgraph did not accept the gateway's signature: a configuration problem, never the
      // client's; their credential was already accepted.
      logger.error({ subgraph: name }, 'subgraph refused the gateway signature');
      throw unavailable();
    }
    const graphqlAnswer =
      isObject(parsed) && (Array.isArray(parsed['errors']) || isObject(parsed['data']));
    if (!graphqlAnswer || status >= 500) {
      logger.warn({ subgraph: name, status }, 'subgraph answered no GraphQL result');
      throw unavailable();
    }
    // A 4xx with a GraphQL body (variables the subgraph's scalars reject, a refused operation)
    // is an answer about the request: its errors and codes go to the client as they are.
    return parsed as GatewayResponse;
  }
}
