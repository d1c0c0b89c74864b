import type { Principal } from '@experience-graph/access';
import { LRUCache } from 'lru-cache';

/**
 * The principals of tokens already verified, by the exact token, each kept no longer than the
 * token is valid (and at most `maxAgeMs`), the least recently used dropped past `maxEntries`.
 * Verifying a signature costs far more than the rest of a small request, and an app or staff
 * client sends the same token with every request until it expires; a token that failed
 * verification is never kept, so it is checked again each time it comes. The bound is
 * lru-cache's; the expiry is checked here against the injected clock.
 */
export class VerifiedTokens {
  private readonly entries: LRUCache<string, { principal: Principal; until: number }>;

  constructor(
    maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new Error('VerifiedTokens keeps at least one token');
    }
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** The principal of a token verified before and still valid now, or undefined. */
  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() < entry.until) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  /** Keeps a verified token's principal until `expiresAt` (ms since the epoch), if still ahead. */
  remember(token: string, principal: Principal, expiresAt: number): void {
    const now = this.now();
    const until = Math.min(expiresAt, now + this.maxAgeMs);
    if (until <= now) {
      this.entries.delete(token);
      return;
    }
    this.entries.set(token, { principal, until });
  }

  /** How many tokens are kept now. */
  get size(): number {
    return this.entries.size;
  }
}
