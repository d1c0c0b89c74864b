import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';

const KB = 1024;
const MB = 1024 * KB;

/** A size as people read it: MB and KB of 1,024 (as body-parser reads `'2mb'`), one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= KB) return `${(bytes / KB).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** The JSON body of a GraphQL error answer: one error, with its code and details. */
export interface ErrorBody {
  errors: Array<{ message: string; extensions: { code: string } & Record<string, unknown> }>;
}

/**
 * The answer to a body over the limit, in the GraphQL error shape, naming both sizes. `bytes` is
 * the body's size when it is known before reading (its Content-Length); a chunked or compressed
 * body is only known to be larger than the limit once the limit is passed.
 */
export function payloadTooLargeBody(maxBytes: number, bytes: number | null): ErrorBody {
  const limit = formatBytes(maxBytes);
  const size = bytes === null ? null : formatBytes(bytes);
  // Sizes that round to the same figure would read as a contradiction: give bytes instead.
  const message =
    size === null
      ? `The request body is more than ${limit}; at most ${limit} is accepted`
      : size === limit
        ? `The request body is ${bytes} bytes; at most ${maxBytes} bytes (${limit}) is accepted`
        : `The request body is ${size}; at most ${limit} is accepted`;
  return {
    errors: [
      {
        message,
        extensions: {
          code: 'PAYLOAD_TOO_LARGE',
          maxBytes,
          ...(bytes === null ? {} : { bytes }),
        },
      },
    ],
  };
}

/**
 * The size of the body that made body-parser give up with `entity.too.large`, when it is known:
 * the declared length of an uncompressed body. Without one, the parser only counted up to the
 * limit, which says nothing about the whole.
 */
export function oversizedBodyLength(error: unknown): number | null {
  const length = (error as { length?: unknown } | null)?.length;
  return typeof length === 'number' && Number.isFinite(length) ? length : null;
}

/** Whether an error is body-parser's "the body is over the limit". */
export function isBodyTooLarge(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'entity.too.large';
}

/**
 * A subgraph's answer to a body it could not read: 413 PAYLOAD_TOO_LARGE over `maxBodyBytes`,
 * any other client error as 400 BAD_REQUEST, always JSON in the GraphQL error shape, never
 * Express's HTML page. The gateway reads these answers, so they carry no internal detail either.
 */
export function subgraphBodyErrors(maxBodyBytes: number, logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (isBodyTooLarge(error)) {
      const length = oversizedBodyLength(error);
      logger.warn({ length, maxBodyBytes, ip: req.ip }, 'request body over the limit refused');
      res.status(413).json(payloadTooLargeBody(maxBodyBytes, length));
      return;
    }
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({
        errors: [{ message: 'The request could not be read', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }
    logger.error({ err: error }, 'request failed before GraphQL');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  };
}
