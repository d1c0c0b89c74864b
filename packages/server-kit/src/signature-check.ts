import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { NonceMemory, verifyRequest } from '@experience-graph/access';
import {
  MAX_REQUEST_BYTES,
  SUBGRAPH_BODY_HEADROOM,
  type SigningConfig as ConfiguredSigning,
} from '@experience-graph/config';

/**
 * The shared secret of gateway signatures, how old one may be and how large a body is read
 * (`config.signing`).
 */
export interface SigningConfig extends Omit<ConfiguredSigning, 'maxBodyBytes'> {
  /**
   * The largest body read, in bytes; by default what the gateway's default limit needs
   * (`config.signing.maxBodyBytes` follows a configured one).
   */
  maxBodyBytes?: number;
  /**
   * Only for the benchmark that measures what access control costs: no signature is checked,
   * every request acts as the local service, and no operation or field rule is applied. No
   * entry point sets it.
   */
  benchmarkWithoutAccessChecks?: boolean;
}

/** The largest body a subgraph reads, in bytes, with these signing settings. */
export function subgraphBodyLimit(signing: SigningConfig): number {
  return signing.maxBodyBytes ?? MAX_REQUEST_BYTES * SUBGRAPH_BODY_HEADROOM;
}

/** The body a refused request gets: the same whatever the reason, which only the log names. */
export const UNAUTHENTICATED_BODY = {
  errors: [
    {
      message: 'Only the gateway may call this subgraph',
      extensions: { code: 'UNAUTHENTICATED' },
    },
  ],
};

/**
 * Middleware that lets through only requests the gateway signed: it reads the raw body, checks
 * the signature over those exact bytes, and only then parses JSON. The verified principal is
 * left in `res.locals.principal`. Each instance remembers its own nonces, so a captured request
 * cannot be replayed to it. A body over {@link subgraphBodyLimit} is not read: the parser's
 * `entity.too.large` error goes to the app's error handler (a 413 from `subgraphBodyErrors`).
 */
export function requireGatewaySignature(signing: SigningConfig, logger: Logger): RequestHandler[] {
  const nonces = new NonceMemory(signing.maxAgeMs);
  const verify: RequestHandler = (req, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyRequest(signing.secret, req.headers, raw, nonces, {
      maxSkewMs: signing.maxAgeMs,
    });
    if (!verdict.ok) {
      logger.warn(
        { reason: verdict.reason, ip: req.ip },
        'unsigned or badly signed request refused',
      );
      res.status(401).json(UNAUTHENTICATED_BODY);
      return;
    }
    res.locals['principal'] = verdict.principal;
    // The signature covers the body only, so an operation may come in nothing else (no GET).
    if (req.method !== 'POST') {
      res
        .status(405)
        .set('allow', 'POST')
        .json({
          errors: [{ message: 'Send operations with POST', extensions: { code: 'BAD_REQUEST' } }],
        });
      return;
    }
    if (raw.length === 0) {
      req.body = {};
    } else if (req.is('application/json')) {
      try {
        req.body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        res.status(400).json({
          errors: [{ message: 'The body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
        return;
      }
    } else {
      req.body = raw.toString('utf8');
    }
    next();
  };
  return [express.raw({ type: () => true, limit: subgraphBodyLimit(signing) }), verify];
}
