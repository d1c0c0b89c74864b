/**
 * How the gateway calls a subgraph: every request signed for the principal it serves, over
 * kept-alive connections, stopped when the client's request runs out of time; what comes back
 * is passed on when it is a GraphQL answer and masked when it is a failure of the network or
 * of the subgraph itself, so no internal address reaches a client.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { Agent, fetch } from 'undici';
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
}

/** Connections to the subgraphs, kept alive between requests (one pool per gateway). */
export function createSubgraphAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 256 });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export class SignedSubgraphSource implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly options: SubgraphSourceOptions) {}

  async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayResponse> {
    const { name, url, secret, agent, logger } = this.options;
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
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(secret === null ? {} : signRequest(secret, principal, body)),
        },
        body,
        dispatcher: agent,
        signal: context.abort?.signal,
      });
    } catch (error) {
      if (context.abort?.signal.aborted) throw context.abort.signal.reason as Error;
      logger.warn({ subgraph: name, err: error }, 'subgraph request failed');
      throw unavailable();
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      if (context.abort?.signal.aborted) throw context.abort.signal.reason as Error;
      parsed = undefined;
    }
    if (response.status === 401) {
      // The subgraph did not accept the gateway's signature: a configuration problem, never the
      // client's; their credential was already accepted.
      logger.error({ subgraph: name }, 'subgraph refused the gateway signature');
      throw unavailable();
    }
    const graphqlAnswer =
      isObject(parsed) && (Array.isArray(parsed['errors']) || isObject(parsed['data']));
    if (!graphqlAnswer || response.status >= 500) {
      logger.warn(
        { subgraph: name, status: response.status },
        'subgraph answered no GraphQL result',
      );
      throw unavailable();
    }
    // A 4xx with a GraphQL body (variables the subgraph's scalars reject, a refused operation)
    // is an answer about the request: its errors and codes go to the client as they are.
    return parsed as GatewayResponse;
  }
}
