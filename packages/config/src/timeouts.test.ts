import { loadConfig } from './index';

describe('timeouts on the dependencies', () => {
  it('bound every wait on Neo4j and Temporal by default', () => {
    const config = loadConfig({});
    expect(config.neo4j.timeouts).toEqual({
      connectMs: 3_000,
      acquireMs: 5_000,
      retryMs: 6_000,
      statementMs: 30_000,
    });
    expect(config.temporal.callTimeoutMs).toBe(5_000);
  });

  it('take other values', () => {
    const config = loadConfig({
      NEO4J_CONNECTION_TIMEOUT_MS: '1000',
      NEO4J_ACQUISITION_TIMEOUT_MS: '2000',
      NEO4J_RETRY_TIME_MS: '0',
      NEO4J_STATEMENT_TIMEOUT_MS: '15000',
      TEMPORAL_CALL_TIMEOUT_MS: '10000',
    });
    expect(config.neo4j.timeouts).toEqual({
      connectMs: 1_000,
      acquireMs: 2_000,
      retryMs: 0,
      statementMs: 15_000,
    });
    expect(config.temporal.callTimeoutMs).toBe(10_000);
  });

  it('refuse what is not a number of milliseconds, naming the variable', () => {
    expect(() =>
      loadConfig({ NEO4J_RETRY_TIME_MS: 'soon', TEMPORAL_CALL_TIMEOUT_MS: '5' }),
    ).toThrow(
      /NEO4J_RETRY_TIME_MS: .*\(got "soon"\)[\s\S]*TEMPORAL_CALL_TIMEOUT_MS: .*\(got "5"\)/,
    );
  });
});
