import { readFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './composition';

describe('the supergraph', () => {
  const result = composeSupergraph();

  it('composes from the subgraph schemas', () => {
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('is committed as composed: schema/supergraph.graphql is not stale (run `npm run compose`)', () => {
    expect(result.ok && result.supergraphSdl === readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(true);
  });
});
