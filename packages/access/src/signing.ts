/**
 * Gateway → subgraph trust. The gateway signs every subgraph request with an HMAC-SHA256 over a
 * version tag, the time it signed, a one-time nonce, the principal and the exact body bytes; a
 * subgraph refuses (401, before executing anything) a request that is unsigned, signed with
 * another secret, altered in any of those parts, older than the allowed skew, or replayed.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { principalSchema, type Principal } from './principal';

export const SIGNATURE_HEADERS = {
  principal: 'x-eg-principal',
  signedAt: 'x-eg-signed-at',
  nonce: 'x-eg-nonce',
  signature: 'x-eg-signature',
} as const;

/** How old (or how far ahead of the subgraph's clock) a signed request may be. */
export const DEFAULT_MAX_SKEW_MS = 30_000;

const VERSION = 'v1';

/**
 * Nonces are cut from a block of random bytes drawn 256 at a time: one call into the system's
 * random source per 256 signatures instead of one per signature, each nonce still 16 bytes of
 * it used once.
 */
const NONCE_BYTES = 16;
let nonceBlock = Buffer.alloc(0);
let nonceOffset = 0;
function nextNonce(): string {
  if (nonceOffset + NONCE_BYTES > nonceBlock.length) {
    nonceBlock = randomBytes(NONCE_BYTES * 256);
    nonceOffset = 0;
  }
  const nonce = nonceBlock.toString('hex', nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

function mac(
  secret: string,
  signedAt: string,
  nonce: string,
  principal: string,
  body: Buffer | string,
) {
  const bodyDigest = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret)
    .update(`${VERSION}\n${signedAt}\n${nonce}\n${principal}\n${bodyDigest}`)
    .digest('hex');
}

/** The headers that sign one request body on behalf of a principal. */
export function signRequest(
  secret: string,
  principal: Principal,
  body: string,
  now: number = Date.now(),
): Record<string, string> {
  const encoded = Buffer.from(JSON.stringify(principal)).toString('base64url');
  const signedAt = String(now);
  const nonce = nextNonce();
  return {
    [SIGNATURE_HEADERS.principal]: encoded,
    [SIGNATURE_HEADERS.signedAt]: signedAt,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: `${VERSION}=${mac(secret, signedAt, nonce, encoded, body)}`,
  };
}

export type Verification = { ok: true; principal: Principal } | { ok: false; reason: string };

/**
 * Remembers the nonces of the signatures accepted within the skew window, so that a captured
 * request cannot be sent again. Each subgraph process keeps its own: a replay to another
 * instance within the window is refused only by that instance's memory (see the README).
 */
export class NonceMemory {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}

  /** Records a nonce; false if it was seen within the window. */
  remember(nonce: string, now: number): boolean {
    for (const [old, at] of this.seen) {
      if (now - at <= this.windowMs * 2) break;
      this.seen.delete(old);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    return true;
  }
}

/**
 * Checks the signature headers of a request against its raw body. The reason of a refusal is
 * for the subgraph's log; clients get a bare 401.
 */
export function verifyRequest(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string,
  nonces: NonceMemory,
  options: { now?: number; maxSkewMs?: number } = {},
): Verification {
  const now = options.now ?? Date.now();
  const maxSkew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const one = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const encoded = one(SIGNATURE_HEADERS.principal);
  const signedAt = one(SIGNATURE_HEADERS.signedAt);
  const nonce = one(SIGNATURE_HEADERS.nonce);
  const signature = one(SIGNATURE_HEADERS.signature);
  if (!encoded || !signedAt || !nonce || !signature) return { ok: false, reason: 'unsigned' };
  if (!/^\d{1,16}$/.test(signedAt) || !/^[0-9a-f]{32}$/.test(nonce)) {
    return { ok: false, reason: 'malformed signature headers' };
  }
  const expected = Buffer.from(`${VERSION}=${mac(secret, signedAt, nonce, encoded, body)}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad signature' };
  }
  if (Math.abs(now - Number(signedAt)) > maxSkew) return { ok: false, reason: 'stale signature' };
  if (!nonces.remember(nonce, now)) return { ok: false, reason: 'replayed signature' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'unreadable principal' };
  }
  const principal = principalSchema.safeParse(decoded);
  if (!principal.success) return { ok: false, reason: 'invalid principal' };
  return { ok: true, principal: principal.data };
}
