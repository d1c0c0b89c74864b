import {
  ConfigError,
  loadConfig,
  MAX_BATCH,
  MAX_READINGS_PER_BATCH,
  MAX_READINGS_PER_EVENT,
  MAX_REQUEST_BYTES,
  parseApiClients,
} from './index';

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

  it('reads attribution and voice-of-the-customer settings, with their defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.attribution).toEqual({ halfLifeDays: 7, lookbackDays: 90 });
    expect(defaults.value).toMatchObject({ helpfulVoteValue: 2, superUserMinHelpfulVotes: 5 });
    const set = loadConfig({
      ATTRIBUTION_HALF_LIFE_DAYS: '2.5',
      ATTRIBUTION_LOOKBACK_DAYS: '30',
      HELPFUL_VOTE_VALUE: '0',
      SUPER_USER_MIN_HELPFUL_VOTES: '10',
    });
    expect(set.attribution).toEqual({ halfLifeDays: 2.5, lookbackDays: 30 });
    expect(set.value).toMatchObject({ helpfulVoteValue: 0, superUserMinHelpfulVotes: 10 });
    expect(() =>
      loadConfig({ ATTRIBUTION_HALF_LIFE_DAYS: '0', ATTRIBUTION_LOOKBACK_DAYS: '1.5' }),
    ).toThrow(/ATTRIBUTION_HALF_LIFE_DAYS: must be more than 0[\s\S]*ATTRIBUTION_LOOKBACK_DAYS/);
  });
});

describe('request-size limits', () => {
  it('size the body limit for the largest batch the intake accepts, and the subgraphs for twice that', () => {
    expect([MAX_BATCH, MAX_READINGS_PER_EVENT, MAX_READINGS_PER_BATCH]).toEqual([
      500, 1000, 50_000,
    ]);
    // 50,000 readings of 200 bytes and 500 events of 8 KB, with 64 KB for the envelope.
    expect(MAX_REQUEST_BYTES).toBe(14_161_536);
    const config = loadConfig({});
    expect(config.gateway.limits.maxBodyBytes).toBe(MAX_REQUEST_BYTES);
    expect(config.signing.maxBodyBytes).toBe(2 * MAX_REQUEST_BYTES);
  });

  it('take a higher gateway limit, the subgraphs following it, and refuse one the caps do not fit in', () => {
    const raised = loadConfig({ GATEWAY_MAX_BODY_BYTES: String(32 * 1024 * 1024) });
    expect(raised.gateway.limits.maxBodyBytes).toBe(32 * 1024 * 1024);
    expect(raised.signing.maxBodyBytes).toBe(64 * 1024 * 1024);
    expect(() => loadConfig({ GATEWAY_MAX_BODY_BYTES: '1048576' })).toThrow(
      /GATEWAY_MAX_BODY_BYTES: must be at least 14161536 .*\(got "1048576"\)/,
    );
    expect(() => loadConfig({ GATEWAY_MAX_BODY_BYTES: String(MAX_REQUEST_BYTES - 1) })).toThrow(
      ConfigError,
    );
  });
});

describe('identity configuration', () => {
  it('defaults the shared-identifier threshold to 3 and refuses one person alone', () => {
    expect(loadConfig({}).identity.sharedThreshold).toBe(3);
    expect(loadConfig({ IDENTITY_SHARED_THRESHOLD: '5' }).identity.sharedThreshold).toBe(5);
    expect(() => loadConfig({ IDENTITY_SHARED_THRESHOLD: '1' })).toThrow(
      /IDENTITY_SHARED_THRESHOLD: must be at least 2 .*\(got "1"\)/,
    );
  });

  it('declares LOYALTY_ID unique by default, takes a list, and names an unknown namespace', () => {
    expect(loadConfig({}).identity.uniqueNamespaces).toEqual(['LOYALTY_ID']);
    expect(
      loadConfig({ IDENTITY_UNIQUE_NAMESPACES: ' LOYALTY_ID, EMAIL ,EMAIL' }).identity
        .uniqueNamespaces,
    ).toEqual(['LOYALTY_ID', 'EMAIL']);
    expect(loadConfig({ IDENTITY_UNIQUE_NAMESPACES: '' }).identity.uniqueNamespaces).toEqual([
      'LOYALTY_ID',
    ]);
    expect(loadConfig({ IDENTITY_UNIQUE_NAMESPACES: 'NONE' }).identity.uniqueNamespaces).toEqual(
      [],
    );
    expect(() => loadConfig({ IDENTITY_UNIQUE_NAMESPACES: 'LOYALTY_ID,FAX' })).toThrow(
      /IDENTITY_UNIQUE_NAMESPACES: unknown namespace "FAX"; known namespaces: LOYALTY_ID, EMAIL/,
    );
  });
});

describe('the erasure salt', () => {
  it('has a documented local default and refuses a short one without echoing it', () => {
    expect(loadConfig({}).erasure.salt).toBe('experience-graph-local-erasure-salt');
    expect(loadConfig({ ERASURE_SALT: 'a-production-secret-salt' }).erasure.salt).toBe(
      'a-production-secret-salt',
    );
    let error: unknown;
    try {
      loadConfig({ ERASURE_SALT: 'tiny-salt' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'ERASURE_SALT: must be at least 16 characters',
    ]);
  });
});

describe('parseApiClients', () => {
  const key = '0123456789abcdef01234567';
  it('reads each registration, with empty object lists by default', () => {
    expect(
      parseApiClients(
        JSON.stringify([
          { id: 'ads', role: 'adPlatform', key, campaignIds: ['c1'] },
          { id: 'erp', role: 'service', key: `${key}x` },
        ]),
      ),
    ).toEqual([
      { id: 'ads', role: 'adPlatform', key, campaignIds: ['c1'], storeIds: [], skus: [] },
      { id: 'erp', role: 'service', key: `${key}x`, campaignIds: [], storeIds: [], skus: [] },
    ]);
  });

  it('says what is wrong without echoing the key', () => {
    expect(parseApiClients('broken')).toBe(
      'must be a JSON array of client registrations (see .env.example)',
    );
    expect(parseApiClients(JSON.stringify([{ id: 'a', role: 'writer', key }]))).toMatch(
      /^0\.role: /,
    );
    const short = parseApiClients(
      JSON.stringify([{ id: 'a', role: 'carrier', key: 'short-secret' }]),
    );
    expect(short).toBe('0.key: must have at least 24 characters');
    expect(
      parseApiClients(
        JSON.stringify([
          { id: 'a', role: 'carrier', key },
          { id: 'b', role: 'carrier', key },
        ]),
      ),
    ).toBe('b: the key is used by another client');
    let error: unknown;
    try {
      loadConfig({
        GATEWAY_CLIENTS: JSON.stringify([{ id: 'a', role: 'carrier', key: 'short-secret' }]),
      });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'GATEWAY_CLIENTS: 0.key: must have at least 24 characters',
    ]);
    expect(String(error)).not.toContain('short-secret');
  });

  it('defaults to the local service and the demo partners', () => {
    const { clients } = loadConfig({}).gateway;
    expect(clients.map((c) => `${c.id}:${c.role}`)).toEqual([
      'local:service',
      'demo-ad-platform:adPlatform',
      'demo-retailer:retailer',
      'demo-carrier:carrier',
      'demo-device-cloud:deviceCloud',
      'demo-community:community',
    ]);
  });
});

describe('value model settings', () => {
  it('defaults and validates them', () => {
    const config = loadConfig({});
    expect(config.valueModel).toEqual({ horizonDays: 365, schedule: '0 3 * * *' });
    expect(() => loadConfig({ VALUE_MODEL_SCHEDULE: 'nightly' })).toThrow(
      /VALUE_MODEL_SCHEDULE: must be a five-field cron expression/,
    );
    expect(loadConfig({ VALUE_MODEL_SCHEDULE: 'off' }).valueModel.schedule).toBeNull();
    expect(() => loadConfig({ VALUE_HORIZON_DAYS: '0' })).toThrow(/VALUE_HORIZON_DAYS/);
  });
});

describe('intake plausibility', () => {
  it('refuses events before 1990-01-01 by default, and takes an earlier or later real day', () => {
    expect(loadConfig({}).intake).toEqual({ earliestEventDate: '1990-01-01' });
    expect(loadConfig({ INTAKE_EARLIEST_EVENT_DATE: '1970-01-01' }).intake.earliestEventDate).toBe(
      '1970-01-01',
    );
    for (const bad of ['1990-02-30', '01/01/1990', '9999-01-01']) {
      expect(() => loadConfig({ INTAKE_EARLIEST_EVENT_DATE: bad })).toThrow(
        /INTAKE_EARLIEST_EVENT_DATE: must (be|not be in the future)/,
      );
    }
  });
});

describe('relay configuration', () => {
  it('has local defaults and refuses a lease too short for a delivery', () => {
    expect(loadConfig({}).relay).toEqual({
      concurrency: 32,
      pollMs: 100,
      leaseMs: 30_000,
      batchSize: 100,
      host: '127.0.0.1',
      port: 4005,
    });
    expect(loadConfig({ RELAY_CONCURRENCY: '4', RELAY_POLL_MS: '50' }).relay).toMatchObject({
      concurrency: 4,
      pollMs: 50,
    });
    expect(() => loadConfig({ RELAY_LEASE_MS: '500', RELAY_CONCURRENCY: '0' })).toThrow(
      /RELAY_CONCURRENCY: [\s\S]*RELAY_LEASE_MS: must be at least 1000/,
    );
  });
});

describe('console configuration', () => {
  it('listens on loopback port 4006 and sends GraphQL to the local gateway by default', () => {
    expect(loadConfig({}).console).toEqual({
      host: '127.0.0.1',
      port: 4006,
      gatewayUrl: 'http://127.0.0.1:4000/graphql',
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
      devSigningKeyFile: null,
      staffTokens: { issuer: 'experience-graph-local-staff', audience: 'experience-graph' },
    });
    expect(loadConfig({ GATEWAY_PORT: '5000' }).console.gatewayUrl).toBe(
      'http://127.0.0.1:5000/graphql',
    );
    expect(() => loadConfig({ CONSOLE_PORT: 'x' })).toThrow(/CONSOLE_PORT/);
  });

  it('never signs people in with the development key in production', () => {
    expect(
      loadConfig({ CONSOLE_DEV_SIGNING_KEY_FILE: '/keys/dev.pem' }).console.devSigningKeyFile,
    ).toBe('/keys/dev.pem');
    expect(() =>
      loadConfig({ NODE_ENV: 'production', CONSOLE_DEV_SIGNING_KEY_FILE: '/keys/dev.pem' }),
    ).toThrow(/CONSOLE_DEV_SIGNING_KEY_FILE: development sign-in is never on in production/);
  });
});
