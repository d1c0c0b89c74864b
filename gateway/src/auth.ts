import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { ApiClient, ApiScope } from '@experience-graph/config';

/** The authenticated client of a request, in the GraphQL context. */
export interface GatewayContext extends BaseContext {
  client: ApiClient;
}

const digest = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Authenticates every GraphQL request by its API key (`Authorization: Bearer <key>` or
 * `x-api-key`). Keys are looked up by their SHA-256, so the comparison does not leak a key's
 * prefix through timing. Health endpoints stay open.
 */
export function authenticate(clients: ApiClient[]) {
  const byDigest = new Map(clients.map((c) => [digest(c.key), c]));
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const key = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : req.get('x-api-key');
    const client = key ? byDigest.get(digest(key)) : undefined;
    if (!client) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({
          errors: [
            {
              message: key
                ? 'The API key is not valid'
                : 'An API key is required: send Authorization: Bearer <key>',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
      return;
    }
    res.locals['client'] = client;
    next();
  };
}

/** The scope a root field needs: reads need `read`, event intake `events`, other changes `admin`. */
export function scopeOf(operation: 'query' | 'mutation' | 'subscription', field: string): ApiScope {
  if (operation !== 'mutation') return 'read';
  return field === 'recordEvents' ? 'events' : 'admin';
}

function rootFields(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments);
    const fragment = fragments[selection.name.value];
    return fragment ? rootFields(fragment.selectionSet, fragments) : [];
  });
}

/** Refuses an operation whose root fields need a scope the client does not have. */
export function authorizeOperations(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation) return; // unresolvable operations fail validation anyway
          const fragments = Object.fromEntries(
            document.definitions
              .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
              .map((d) => [d.name.value, d]),
          );
          for (const field of rootFields(operation.selectionSet, fragments)) {
            const scope = scopeOf(operation.operation, field);
            if (!contextValue.client.scopes.includes(scope)) {
              throw new GraphQLError(
                `The ${contextValue.client.name} client may not use ${field}: it needs the ${scope} scope`,
                { extensions: { code: 'FORBIDDEN', field, http: { status: 403 } } },
              );
            }
          }
        },
      };
    },
  };
}
