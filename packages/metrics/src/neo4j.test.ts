import { neo4jStatementMetrics, statementName } from './neo4j';
import { createServiceMetrics } from './registry';
import { parseSamples, sampleSum } from './scrape';

describe('Neo4j statement metrics', () => {
  it('names a statement by its text, whatever its layout', () => {
    const name = statementName('MATCH (d:Device {serial: $serial})\n  RETURN d');
    expect(name).toMatch(/^cypher:[0-9a-f]{8}$/);
    expect(statementName('  MATCH (d:Device {serial: $serial}) RETURN d ')).toBe(name);
    expect(statementName('MATCH (c:Customer) RETURN c')).not.toBe(name);
  });

  it('times each statement by name, mode and outcome, and says which text a name is', async () => {
    const metrics = createServiceMetrics('products', { processMetrics: false });
    const observe = neo4jStatementMetrics(metrics);
    const cypher = 'MATCH (d:Device {serial: $serial}) RETURN d';
    expect(await observe({ cypher, mode: 'read' }, async () => [1, 2])).toEqual([1, 2]);
    await expect(
      observe({ cypher, mode: 'read' }, () => Promise.reject(new Error('Neo4j away'))),
    ).rejects.toThrow('Neo4j away');
    await observe({ cypher: 'CREATE (n)', mode: 'transaction' }, async () => null);

    const name = statementName(cypher);
    const samples = parseSamples(await metrics.registry.metrics());
    const count = (labels: Record<string, string>) =>
      sampleSum(samples, 'eg_neo4j_statement_duration_seconds_count', labels);
    expect(count({ statement: name, mode: 'read', outcome: 'ok' })).toBe(1);
    expect(count({ statement: name, mode: 'read', outcome: 'error' })).toBe(1);
    expect(count({ mode: 'transaction', outcome: 'ok' })).toBe(1);
    expect(sampleSum(samples, 'eg_neo4j_statement_info', { statement: name, text: cypher })).toBe(
      1,
    );
  });

  it('folds statements past its bound into other', async () => {
    const metrics = createServiceMetrics('products', { processMetrics: false });
    const observe = neo4jStatementMetrics(metrics, { maxStatements: 1 });
    await observe({ cypher: 'RETURN 1', mode: 'read' }, async () => null);
    await observe({ cypher: 'RETURN 2', mode: 'read' }, async () => null);
    const samples = parseSamples(await metrics.registry.metrics());
    expect(
      sampleSum(samples, 'eg_neo4j_statement_duration_seconds_count', { statement: 'other' }),
    ).toBe(1);
    expect(sampleSum(samples, 'eg_neo4j_statement_info', { text: 'RETURN 2' })).toBe(0);
    expect(sampleSum(samples, 'eg_neo4j_statement_info', { text: 'RETURN 1' })).toBe(1);
  });
});
