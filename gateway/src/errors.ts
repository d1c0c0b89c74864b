/**
 * Honest errors: every failure is a GraphQL error in JSON with a status that says whose fault it
 * is, and none carries an internal address, file path, stack or, for principals that may not
 * introspect, a description of the schema.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { seesEverything } from '@experience-graph/access';
import { oversizedBodyLength, payloadTooLargeBody } from '@experience-graph/server-kit';
import type { GatewayContext } from './auth';

/** Sends one GraphQL error as the whole answer. */
export function sendError(
  res: Response,
  status: number,
  message: string,
  code: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }));
}

/** graphql-js's "Did you mean ..." hints, for fields, arguments, types and enum values. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** Removes the schema hints of validation and coercion messages. */
export const withoutSuggestions = (message: string): string => message.replace(SUGGESTION, '');

/**
 * Hides the "Did you mean" suggestions of every error (fields, arguments, types, enum values,
 * from the gateway or a subgraph) unless the principal sees the whole schema anyway.
 */
export function hideSuggestions(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (contextValue.principal && seesEverything(contextValue.principal)) return;
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) error.message = withoutSuggestions(error.message);
        },
      };
    },
  };
}

/**
 * Codes that mean something went wrong inside, not with the request: their errors are replaced.
 * Every other code (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, CONFLICT, a subgraph's domain codes)
 * was written for clients and is passed on.
 */
const INTERNAL_CODES = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

const NEUTRAL_MESSAGES: Record<string, string> = {
  UNAVAILABLE: 'A service behind the gateway is unavailable; try again later',
  BAD_USER_INPUT: 'The request has an invalid value',
  FORBIDDEN: 'The request is not allowed',
};

/** Extensions that describe the inside of the system: which subgraph, its URL, a stack. */
const INTERNAL_EXTENSIONS = ['serviceName', 'exception', 'stacktrace', 'response', 'http'];

/** Anything in a message that points inside: a URL, a socket address, a file path. */
const INTERNAL_DETAIL =
  /\b(?:https?|bolt|neo4j):\/\/|\b\d{1,3}(?:\.\d{1,3}){3}:\d+|(?:^|[\s(])\/(?:[\w.-]+\/)+[\w.-]+|\bnode_modules\b|\bat [\w.<>]+ \(|ECONNREFUSED|ECONNRESET|ETIMEDOUT/;

/**
 * Apollo's `formatError`: keeps the errors written for clients (with their codes: BAD_USER_INPUT,
 * NOT_FOUND, FORBIDDEN from a subgraph), turns a failed subgraph fetch into UNAVAILABLE, and
 * replaces any other unexpected error with a neutral one, logged in full.
 */
export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const extensions = { ...(formatted.extensions ?? {}) };
    for (const key of INTERNAL_EXTENSIONS) delete extensions[key];
    const code = typeof extensions['code'] === 'string' ? extensions['code'] : undefined;
    if (code && !INTERNAL_CODES.has(code)) {
      if (!INTERNAL_DETAIL.test(formatted.message)) return { ...formatted, extensions };
      // The code is right, the words point inside: keep the one, replace the other.
      logger.warn({ err: error, code }, 'error message with internal details replaced');
      return { ...formatted, message: NEUTRAL_MESSAGES[code] ?? 'The request failed', extensions };
    }
    const fetchFailure =
      /request to .* failed|fetch failed|socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT/i.test(
        formatted.message,
      );
    logger.error({ err: error, code }, 'unexpected error answered with a neutral message');
    if (fetchFailure || code === 'DOWNSTREAM_SERVICE_ERROR' || code === 'UNAVAILABLE') {
      return {
        message: 'A service behind the gateway is unavailable; try again later',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'UNAVAILABLE' },
      };
    }
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * Express's own failures before GraphQL runs (the body parser's above all) as GraphQL errors in
 * JSON: never its HTML page or a stack. A body over `maxBodyBytes` (counted after decompression)
 * is 413 PAYLOAD_TOO_LARGE, naming the limit and, when it was declared, the body's size.
 */
export function bodyErrors(maxBodyBytes: number, logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const type = (error as { type?: unknown } | null)?.type;
    switch (type) {
      case 'entity.too.large': {
        const body = payloadTooLargeBody(maxBodyBytes, oversizedBodyLength(error));
        res.status(413).type('application/json').send(JSON.stringify(body));
        return;
      }
      case 'entity.parse.failed':
        sendError(res, 400, 'The request body is not valid JSON', 'BAD_REQUEST');
        return;
      case 'entity.verify.failed':
        sendError(res, 400, 'The request body is not valid UTF-8', 'BAD_REQUEST');
        return;
      case 'encoding.unsupported':
        sendError(
          res,
          415,
          'The request body has a content encoding the gateway does not accept (accepted: identity, gzip, deflate, br)',
          'BAD_REQUEST',
        );
        return;
      case 'charset.unsupported':
        sendError(res, 415, 'The request body must be UTF-8', 'BAD_REQUEST');
        return;
      case 'request.aborted':
      case 'request.size.invalid':
        sendError(res, 400, 'The request body was incomplete', 'BAD_REQUEST');
        return;
      default: {
        const status = (error as { status?: unknown } | null)?.status;
        if (typeof status === 'number' && status >= 400 && status < 500) {
          sendError(res, status, 'The request could not be read', 'BAD_REQUEST');
          return;
        }
        logger.error({ err: error }, 'request failed before GraphQL');
        sendError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      }
    }
  };
}

/** Anything else: a JSON 404, not Express's page. */
export const notFound: RequestHandler = (_req, res) => {
  sendError(res, 404, 'Nothing here: GraphQL is served at /graphql', 'NOT_FOUND');
};

/** Throws on a body that is not valid UTF-8 (the parser would quietly replace bad bytes). */
export function assertUtf8(_req: unknown, _res: unknown, buffer: Buffer): void {
  new TextDecoder('utf-8', { fatal: true }).decode(buffer);
}
