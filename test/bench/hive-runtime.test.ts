import { NonceMemory, verifyRequest } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';
import { signingPlugin, supergraphFor } from './hive-runtime';

const config = loadConfig({});
const service = config.gateway.clients.find((client) => client.role === 'service');
const partner = config.gateway.clients.find((client) => client.role !== 'service');

const contextOf = (authorization: string | null) => ({
  request: {
    headers: { get: (name: string) => (name === 'authorization' ? authorization : null) },
  },
});

describe('supergraphFor', () => {
  it("points every subgraph of the supergraph at the bench's URL and changes nothing else", () => {
    const urls = {
      products: 'http://127.0.0.1:5001/graphql',
      customers: 'http://127.0.0.1:5002/graphql',
      campaigns: 'http://127.0.0.1:5003/graphql',
    };
    const sdl = supergraphFor(urls);
    for (const [name, url] of Object.entries(urls)) {
      expect(sdl).toContain(`@join__graph(name: "${name}", url: "${url}")`);
    }
    expect(sdl).not.toMatch(/url: "http:\/\/127\.0\.0\.1:400\d/);
  });
});

describe('signingPlugin', () => {
  const plugin = signingPlugin(config);

  it('gives a request the principal of a service API key, and refuses any other credential', () => {
    const extend = jest.fn();
    plugin.onContextBuilding({
      context: contextOf(`Bearer ${service?.key}`),
      extendContext: extend,
    });
    expect(extend).toHaveBeenCalledWith({ principal: { kind: 'service', id: service?.id } });
    for (const credential of [null, 'Bearer wrong', `Bearer ${partner?.key}`]) {
      expect(() =>
        plugin.onContextBuilding({ context: contextOf(credential), extendContext: extend }),
      ).toThrow('Unknown API key');
    }
  });

  it('signs the exact body of a subgraph fetch so that a subgraph accepts it', () => {
    const body = JSON.stringify({ query: '{ _service { sdl } }' });
    const setOptions = jest.fn();
    const principal = { kind: 'service' as const, id: 'local' };
    plugin.onFetch({
      options: { body, headers: { 'Content-Type': 'application/json' } },
      setOptions,
      context: { principal },
    });
    const sent = setOptions.mock.calls[0]?.[0] as { body: string; headers: Record<string, string> };
    expect(sent.body).toBe(body);
    expect(sent.headers['Content-Type']).toBe('application/json');
    const verdict = verifyRequest(
      config.signing.secret,
      sent.headers,
      sent.body,
      new NonceMemory(30_000),
    );
    expect(verdict).toEqual({ ok: true, principal });
    expect(
      verifyRequest(config.signing.secret, sent.headers, `${body} `, new NonceMemory(30_000)).ok,
    ).toBe(false);
  });

  it('refuses to send a subgraph fetch without a principal rather than send it unsigned', () => {
    expect(() =>
      plugin.onFetch({ options: { body: '{}' }, setOptions: jest.fn(), context: {} }),
    ).toThrow('without a principal');
  });
});
