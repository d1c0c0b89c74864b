import type { Principal } from '@experience-graph/access';
import { VerifiedTokens } from './verified-tokens';

const person = (id: string): Principal => ({ kind: 'person', id, customerId: id });

describe('VerifiedTokens', () => {
  it("serves a token's principal until the token expires, and not after", () => {
    let now = 1_000_000;
    const tokens = new VerifiedTokens(10, 600_000, () => now);
    tokens.remember('t', person('ana'), now + 5_000);
    expect(tokens.get('t')).toEqual(person('ana'));
    now += 4_999;
    expect(tokens.get('t')).toEqual(person('ana'));
    now += 1;
    expect(tokens.get('t')).toBeUndefined();
    // Gone for good: not served again even if the clock went back.
    now -= 10_000;
    expect(tokens.get('t')).toBeUndefined();
  });

  it('keeps a token no longer than its maximum age, however late it expires', () => {
    let now = 0;
    const tokens = new VerifiedTokens(10, 60_000, () => now);
    tokens.remember('t', person('ana'), now + 3_600_000);
    now += 59_999;
    expect(tokens.get('t')).toEqual(person('ana'));
    now += 1;
    expect(tokens.get('t')).toBeUndefined();
  });

  it('does not keep a token that has already expired', () => {
    const tokens = new VerifiedTokens(10, 60_000, () => 5_000);
    tokens.remember('t', person('ana'), 5_000);
    expect(tokens.get('t')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('holds at most its bound, dropping the least recently used first', () => {
    const tokens = new VerifiedTokens(2, 60_000, () => 0);
    tokens.remember('a', person('a'), 10_000);
    tokens.remember('b', person('b'), 10_000);
    expect(tokens.get('a')).toEqual(person('a'));
    tokens.remember('c', person('c'), 10_000);
    expect(tokens.size).toBe(2);
    expect(tokens.get('b')).toBeUndefined();
    expect(tokens.get('a')).toEqual(person('a'));
    expect(tokens.get('c')).toEqual(person('c'));
  });

  it('tells tokens apart by every character', () => {
    const tokens = new VerifiedTokens(10, 60_000, () => 0);
    tokens.remember('header.payload.signature', person('ana'), 10_000);
    expect(tokens.get('header.payload.signaturf')).toBeUndefined();
    expect(tokens.get('header.payload.signatur')).toBeUndefined();
  });
});
