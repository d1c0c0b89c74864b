/**
 * Authentication: who is behind a request. An API key names a registered client (a partner or
 * one of the maker's own services); a signed token (JWT) names a person using the app or an
 * employee. Either becomes a {@link Principal}, which the rest of the gateway, and every
 * subgraph through the signed principal header, decides from.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { BaseContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import {
  EMPLOYEE_ROLES,
  PARTNER_RIGHTS,
  type EmployeeRole,
  type Principal,
} from '@experience-graph/access';
import type { ApiClient, TokenTrust } from '@experience-graph/config';
import { VerifiedTokens } from './verified-tokens';

/** What every resolver and plugin of the gateway knows about a request. */
export interface GatewayContext extends BaseContext {
  principal: Principal;
  /** Aborted when the request runs out of time: in-flight subgraph fetches stop with it. */
  abort: AbortController;
}

/** Why a credential was refused, in words for the caller; never the credential itself. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

/** The signature algorithms a token may use; `none` and symmetric ones never. */
export const TOKEN_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
/** Clocks of issuers and the gateway may differ this much (seconds) for `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_ID_LENGTH = 200;
/**
 * Verified tokens kept (see {@link VerifiedTokens}), and for how long at most: a token is
 * served from memory until its own `exp`, never longer than this, so a signing key withdrawn
 * from a JWKS stops working as soon as it would without the cache (jose keeps a fetched JWKS
 * for ten minutes).
 */
const VERIFIED_TOKENS = 10_000;
const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

export interface AuthenticationOptions {
  clients: ApiClient[];
  appTokens: TokenTrust;
  staffTokens: TokenTrust;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

/** A JWT is three base64url parts; an API key never has dots in that shape. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type Verifier = (token: string) => Promise<JWTPayload>;

/** How the tokens of one trust are verified; null when the trust has no key (tokens refused). */
function verifierOf(trust: TokenTrust, now: () => number): Verifier | null {
  let key: KeyObject | JWTVerifyGetKey;
  if (trust.jwksUrl) {
    key = createRemoteJWKSet(new URL(trust.jwksUrl), { timeoutDuration: 5_000 });
  } else if (trust.publicKey) {
    // A KeyObject carries its own type (EC, RSA, Ed25519), so one configured PEM serves the
    // algorithm its type allows, which jose checks against the token's header.
    key = createPublicKey(trust.publicKey);
  } else {
    return null;
  }
  const options = {
    issuer: trust.issuer,
    audience: trust.audience,
    algorithms: TOKEN_ALGORITHMS,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
  };
  return async (token) => {
    const at = { ...options, currentDate: new Date(now()) };
    return typeof key === 'function'
      ? (await jwtVerify(token, key, at)).payload
      : (await jwtVerify(token, key, at)).payload;
  };
}

/** Plain words for each way jose refuses a token. */
function tokenProblem(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return 'The token is meant for another audience';
      case 'iss':
        return 'The token is from an issuer this API does not trust';
      case 'nbf':
        return 'The token is not valid yet';
      case 'iat':
        return 'The token was issued in the future';
      case 'sub':
        return 'The token has no subject';
      case 'exp':
        return 'The token has no expiry';
      default:
        return `The token's ${error.claim} claim is not valid`;
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return `The token's signature algorithm is not accepted (accepted: ${TOKEN_ALGORITHMS.join(', ')})`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return "The token's signature is not valid";
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'No trusted key matches the token';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return "The issuer's keys could not be fetched to verify the token";
  }
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) {
    return 'The token is malformed';
  }
  return 'The token could not be verified';
}

const validId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;

/**
 * Turns a credential into a principal. Rejects with an {@link AuthenticationError} whose message
 * says what is wrong, without repeating the credential. `now` is the clock tokens are checked
 * against (the system's by default).
 */
export function createAuthenticator(
  options: AuthenticationOptions,
  now: () => number = Date.now,
): (credential: string) => Promise<Principal> {
  // Keys are looked up by their SHA-256, so a comparison cannot leak a key's prefix by timing.
  const byDigest = new Map(options.clients.map((c) => [digest(c.key), c]));
  const trusts = [
    {
      kind: 'app' as const,
      trust: options.appTokens,
      verify: verifierOf(options.appTokens, now),
    },
    {
      kind: 'staff' as const,
      trust: options.staffTokens,
      verify: verifierOf(options.staffTokens, now),
    },
  ];
  const verified = new VerifiedTokens(VERIFIED_TOKENS, VERIFIED_TOKEN_MAX_AGE_MS, now);

  const fromClient = (client: ApiClient): Principal => {
    if (client.role === 'service') return { kind: 'service', id: client.id };
    return {
      kind: 'partner',
      id: client.id,
      role: client.role,
      reach: { campaignIds: client.campaignIds, storeIds: client.storeIds, skus: client.skus },
      linkNamespaces: client.linkNamespaces ?? [...PARTNER_RIGHTS[client.role].linkNamespaces],
    };
  };

  const fromToken = async (token: string): Promise<Principal> => {
    const known = verified.get(token);
    if (known) return known;
    const { principal, exp } = await verifyToken(token);
    // One object answers every request with this token: none may change it for the others.
    if (principal.kind === 'employee') Object.freeze(principal.roles);
    Object.freeze(principal);
    // Kept until exp itself, not exp plus the clock tolerance: past exp, the token is verified
    // afresh, as it always was, and refused once the tolerance is spent too.
    verified.remember(token, principal, exp * 1000);
    return principal;
  };

  /** The token's principal and its expiry (jose requires a numeric `exp`), or a refusal. */
  const verifyToken = async (token: string): Promise<{ principal: Principal; exp: number }> => {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new AuthenticationError('The token is malformed');
    }
    const match = trusts.find((t) => t.trust.issuer === issuer);
    if (!match)
      throw new AuthenticationError('The token is from an issuer this API does not trust');
    if (!match.verify) {
      throw new AuthenticationError(
        `Tokens of ${match.kind === 'app' ? 'the app' : 'staff'} are not accepted: no key to verify them is configured`,
      );
    }
    let payload: JWTPayload;
    try {
      payload = await match.verify(token);
    } catch (error) {
      throw new AuthenticationError(tokenProblem(error));
    }
    if (!validId(payload.sub)) throw new AuthenticationError('The token has no valid subject');
    const exp = Number(payload.exp);
    if (match.kind === 'app') {
      return { principal: { kind: 'person', id: payload.sub, customerId: payload.sub }, exp };
    }
    const claimed = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : [];
    const roles = EMPLOYEE_ROLES.filter((role: EmployeeRole) => claimed.includes(role));
    if (roles.length === 0) {
      throw new AuthenticationError(
        `The staff token names no role (roles: ${EMPLOYEE_ROLES.join(', ')})`,
      );
    }
    return { principal: { kind: 'employee', id: payload.sub, roles }, exp };
  };

  return async (credential) => {
    const client = byDigest.get(digest(credential));
    if (client) return fromClient(client);
    if (JWT_SHAPE.test(credential)) return fromToken(credential);
    throw new AuthenticationError('The API key is not valid');
  };
}

/** The credential of a request: `Authorization: Bearer <credential>` (any case) or `x-api-key`. */
export function credentialOf(req: Request): string | { problem: string } {
  const header = req.get('authorization');
  if (header !== undefined) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      return { problem: 'The Authorization header must be "Bearer <API key or token>"' };
    }
    return match[1];
  }
  const key = req.get('x-api-key')?.trim();
  if (key) return key;
  return {
    problem:
      'An API key or token is required: send Authorization: Bearer <API key or token>, or x-api-key',
  };
}

/** Answers 401 in the GraphQL error shape, with the challenge HTTP asks for. */
export function sendUnauthenticated(res: Response, message: string): void {
  res
    .status(401)
    .set('WWW-Authenticate', 'Bearer')
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }));
}

/**
 * Express middleware: authenticates every GraphQL request and puts its principal in
 * `res.locals.principal`. Health endpoints are mounted elsewhere and stay open.
 */
export function authenticate(options: AuthenticationOptions) {
  const authenticator = createAuthenticator(options);
  return (req: Request, res: Response, next: NextFunction) => {
    // Preflight requests carry no credentials; CORS answers them before this runs.
    const credential = credentialOf(req);
    if (typeof credential !== 'string') {
      sendUnauthenticated(res, credential.problem);
      return;
    }
    authenticator(credential).then(
      (principal) => {
        res.locals['principal'] = principal;
        next();
      },
      (error: unknown) => {
        if (error instanceof AuthenticationError) sendUnauthenticated(res, error.message);
        else next(error);
      },
    );
  };
}
