import { NonceMemory, SIGNATURE_HEADERS, signRequest, verifyRequest } from './signing';
import type { Principal } from './principal';

const secret = 'a-secret-of-at-least-thirty-two-characters';
const principal: Principal = { kind: 'person', id: 'cust-ana', customerId: 'cust-ana' };
const body = '{"query":"{ customer(id: \\"cust-ana\\") { id } }"}';

describe('gateway to subgraph signatures', () => {
  it('accept a request signed with the secret, once', () => {
    const nonces = new NonceMemory(30_000);
    const headers = signRequest(secret, principal, body, 1_000_000);
    expect(verifyRequest(secret, headers, body, nonces, { now: 1_000_500 })).toEqual({
      ok: true,
      principal,
    });
    expect(verifyRequest(secret, headers, body, nonces, { now: 1_000_600 })).toEqual({
      ok: false,
      reason: 'replayed signature',
    });
  });

  it('refuse unsigned, forged, tampered and stale requests', () => {
    const nonces = new NonceMemory(30_000);
    const at = { now: 2_000_000 };
    const headers = signRequest(secret, principal, body, 2_000_000);
    expect(verifyRequest(secret, {}, body, nonces, at)).toEqual({ ok: false, reason: 'unsigned' });
    const forged = signRequest(
      'another-secret-of-thirty-two-characters!',
      principal,
      body,
      2_000_000,
    );
    expect(verifyRequest(secret, forged, body, nonces, at).ok).toBe(false);
    expect(verifyRequest(secret, headers, body.replace('ana', 'ben'), nonces, at).ok).toBe(false);
    const admin = Buffer.from(JSON.stringify({ kind: 'service', id: 'x' })).toString('base64url');
    expect(
      verifyRequest(secret, { ...headers, [SIGNATURE_HEADERS.principal]: admin }, body, nonces, at)
        .ok,
    ).toBe(false);
    expect(
      verifyRequest(
        secret,
        { ...headers, [SIGNATURE_HEADERS.signedAt]: '2000001' },
        body,
        nonces,
        at,
      ).ok,
    ).toBe(false);
    expect(verifyRequest(secret, headers, body, nonces, { now: 2_000_000 + 30_001 })).toEqual({
      ok: false,
      reason: 'stale signature',
    });
  });

  it('gives every signature a nonce of its own, across many blocks of random bytes', () => {
    const nonces = new Set<string>();
    const memory = new NonceMemory(30_000);
    for (let i = 0; i < 2_000; i++) {
      const headers = signRequest(secret, principal, body, 1_000_000);
      const nonce = headers[SIGNATURE_HEADERS.nonce] ?? '';
      expect(nonce).toMatch(/^[0-9a-f]{32}$/);
      nonces.add(nonce);
      if (i % 500 === 0) {
        expect(verifyRequest(secret, headers, body, memory, { now: 1_000_000 }).ok).toBe(true);
      }
    }
    expect(nonces.size).toBe(2_000);
  });
});
