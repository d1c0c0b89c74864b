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
