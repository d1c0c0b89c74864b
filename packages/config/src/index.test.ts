import { ConfigError, loadConfig } from './index';

describe('loadConfig', () => {
  it('gives the documented local defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.neo4j.uri).toBe('bolt://127.0.0.1:7687');
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.gateway.port).toBe(4000);
    expect(config.gateway.subgraphUrls.customers).toBe('http://127.0.0.1:4002/graphql');
  });

  it('treats empty variables as unset and lets explicit subgraph URLs win', () => {
    const config = loadConfig({
      NEO4J_URI: '',
      PRODUCTS_URL: 'https://products.internal/graphql',
      GATEWAY_CORS_ORIGINS: 'https://app.example, https://admin.example',
    });
    expect(config.neo4j.uri).toBe('bolt://127.0.0.1:7687');
    expect(config.gateway.subgraphUrls.products).toBe('https://products.internal/graphql');
    expect(config.gateway.corsOrigins).toEqual(['https://app.example', 'https://admin.example']);
  });

  it('reports every bad variable by name with the value it got', () => {
    let error: unknown;
    try {
      loadConfig({ NEO4J_URI: 'http://x', GATEWAY_PORT: 'abc', TEMPORAL_ADDRESS: 'nohost' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/NEO4J_URI: must start with bolt:\/\/.*\(got "http:\/\/x"\)/);
    expect(problems).toMatch(/GATEWAY_PORT: .*\(got "abc"\)/);
    expect(problems).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
  });
});
