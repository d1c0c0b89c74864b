import type { Principal } from '@experience-graph/access';

/**
 * The principals of tokens already verified, by the exact token, each kept no longer than the
 * token is valid (and at most `maxAgeMs`), the least recently used dropped past `maxEntries`.
 * Verifying a signature costs far more than the rest of a small request, and an app or staff
 * client sends the same token with every request until it expires; a token that failed
 * verification is never kept, so it is checked again each time it comes.
 */
export class VerifiedTokens {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new Error('VerifiedTokens keeps at least one token');
    }
  }

  /** The principal of a token verified before and still valid now, or undefined. */
  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (this.now() >= entry.until) return undefined;
    this.entries.set(token, entry);
    return entry.principal;
  }

  /** Keeps a verified token's principal until `expiresAt` (ms since the epoch), if still ahead. */
  remember(token: string, principal: Principal, expiresAt: number): void {
    const now = this.now();
    const until = Math.min(expiresAt, now + this.maxAgeMs);
    this.entries.delete(token);
    if (until <= now) return;
    this.entries.set(token, { principal, until });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  /** How many tokens are kept now. */
  get size(): number {
    return this.entries.size;
  }
}
