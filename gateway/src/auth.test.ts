import type { Request } from 'express';
import { AuthenticationError, createAuthenticator, credentialOf } from './auth';

const trust = (issuer: string) => ({ issuer, audience: 'eg', jwksUrl: null, publicKey: null });
const authenticate = createAuthenticator({
  clients: [
    {
      id: 'svc',
      role: 'service',
      key: 'service-key-0123456789abcdef',
      campaignIds: [],
      storeIds: [],
      skus: [],
    },
    {
      id: 'shop',
      role: 'retailer',
      key: 'retailer-key-0123456789abcdef',
      campaignIds: [],
      storeIds: ['store-1'],
      skus: [],
      linkNamespaces: ['LOYALTY_ID'],
    },
    {
      id: 'social',
      role: 'community',
      key: 'community-key-0123456789abcdef',
      campaignIds: [],
      storeIds: [],
      skus: ['LJ-200'],
    },
  ],
  appTokens: trust('app'),
  staffTokens: trust('staff'),
});

const request = (headers: Record<string, string>) =>
  ({ get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;

describe('createAuthenticator', () => {
  it('turns a service key into a service and a partner key into its registration', async () => {
    await expect(authenticate('service-key-0123456789abcdef')).resolves.toEqual({
      kind: 'service',
      id: 'svc',
    });
    await expect(authenticate('retailer-key-0123456789abcdef')).resolves.toEqual({
      kind: 'partner',
      id: 'shop',
      role: 'retailer',
      reach: { campaignIds: [], storeIds: ['store-1'], skus: [] },
      linkNamespaces: ['LOYALTY_ID'],
    });
    // Without its own list, a partner links by its role's namespaces.
    await expect(authenticate('community-key-0123456789abcdef')).resolves.toMatchObject({
      linkNamespaces: ['SOCIAL_HANDLE'],
    });
  });

  it('refuses unknown keys and tokens of a trust with no key, without repeating them', async () => {
    await expect(authenticate('nope-0123456789')).rejects.toThrow(
      new AuthenticationError('The API key is not valid'),
    );
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = `${b64({ alg: 'ES256' })}.${b64({ iss: 'app', sub: 'x' })}.c2ln`;
    await expect(authenticate(token)).rejects.toThrow(/no key to verify them is configured/);
    await expect(
      authenticate(`${b64({ alg: 'ES256' })}.${b64({ iss: 'other' })}.c2ln`),
    ).rejects.toThrow(/issuer this API does not trust/);
  });
});

describe('credentialOf', () => {
  it('reads Bearer in any case, or x-api-key, and says what is wrong otherwise', () => {
    expect(credentialOf(request({ authorization: 'bearer abc' }))).toBe('abc');
    expect(credentialOf(request({ authorization: 'BEARER  abc ' }))).toBe('abc');
    expect(credentialOf(request({ 'x-api-key': 'k' }))).toBe('k');
    expect(credentialOf(request({ authorization: 'Basic abc' }))).toEqual({
      problem: expect.stringMatching(/Bearer/),
    });
    expect(credentialOf(request({}))).toEqual({ problem: expect.stringMatching(/required/) });
  });
});

describe('createAuthenticator with signed tokens', () => {
  const setUp = async () => {
    const { generateKeyPair, exportSPKI, SignJWT } = await import('jose');
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const pem = await exportSPKI(publicKey);
    let now = Date.UTC(2026, 0, 1);
    const authenticate = createAuthenticator(
      {
        clients: [],
        appTokens: { issuer: 'app', audience: 'eg', jwksUrl: null, publicKey: pem },
        staffTokens: { issuer: 'staff', audience: 'eg', jwksUrl: null, publicKey: pem },
      },
      () => now,
    );
    const sign = (claims: Record<string, unknown>, issuer: string, subject: string, ttlS: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(issuer)
        .setAudience('eg')
        .setSubject(subject)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(Math.floor(now / 1000) + ttlS)
        .sign(privateKey);
    return { authenticate, sign, advance: (ms: number) => (now += ms) };
  };

  it('accepts a token again and again while it is valid, and refuses it once it has expired', async () => {
    const { authenticate, sign, advance } = await setUp();
    const token = await sign({}, 'app', 'cust-ana', 60);
    const ana = { kind: 'person', id: 'cust-ana', customerId: 'cust-ana' };
    await expect(authenticate(token)).resolves.toEqual(ana);
    advance(59_000);
    await expect(authenticate(token)).resolves.toEqual(ana);
    // Past exp, within the 30 s clock tolerance, it is still accepted, as before any caching...
    advance(20_000);
    await expect(authenticate(token)).resolves.toEqual(ana);
    // ...and refused beyond it, though it was accepted a moment ago.
    advance(11_000);
    await expect(authenticate(token)).rejects.toThrow(
      new AuthenticationError('The token has expired'),
    );
  });

  it('gives each token its own principal and refuses a tampered copy of an accepted one', async () => {
    const { authenticate, sign } = await setUp();
    const expert = await sign({ roles: ['expert'] }, 'staff', 'e-1', 3_600);
    const support = await sign({ roles: ['support'] }, 'staff', 'e-2', 3_600);
    await expect(authenticate(expert)).resolves.toEqual({
      kind: 'employee',
      id: 'e-1',
      roles: ['expert'],
    });
    await expect(authenticate(support)).resolves.toEqual({
      kind: 'employee',
      id: 'e-2',
      roles: ['support'],
    });
    const [header, , signature] = expert.split('.');
    const claims = Buffer.from(
      JSON.stringify({ iss: 'staff', aud: 'eg', sub: 'e-1', roles: ['admin'], exp: 4e9 }),
    ).toString('base64url');
    await expect(authenticate(`${header}.${claims}.${signature}`)).rejects.toThrow(
      /signature is not valid/,
    );
    // The principal served for a known token cannot be changed by whoever received it.
    const principal = await authenticate(expert);
    expect(Object.isFrozen(principal)).toBe(true);
  });
});
