import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SUPERGRAPH_PATH } from './composition';
import { plannedFetches } from './query-plan';

const supergraph = readFileSync(SUPERGRAPH_PATH, 'utf8');
const operation = (name: string) =>
  readFileSync(path.join(__dirname, 'operations', `${name}.graphql`), 'utf8');

describe('the single customer view', () => {
  it('costs one fetch per subgraph: customers first, then products and campaigns together', () => {
    const fetches = plannedFetches(supergraph, operation('customer-view'));
    expect(fetches).toHaveLength(3);
    expect(fetches[0]).toEqual({ subgraph: 'customers', step: 0 });
    expect(fetches.slice(1).sort((a, b) => a.subgraph.localeCompare(b.subgraph))).toEqual([
      { subgraph: 'campaigns', step: 1 },
      { subgraph: 'products', step: 1 },
    ]);
  });
});

describe('counting planned fetches', () => {
  // The helper itself must see extra fetches, or the test above proves nothing.
  it('sees a second fetch to a subgraph when a field leads back to it', () => {
    const fetches = plannedFetches(
      supergraph,
      `query { customer(id: "x") { devices { serial owner { displayName } } } }`,
    );
    expect(fetches.map((f) => `${f.subgraph}@${f.step}`)).toEqual([
      'customers@0',
      'products@1',
      'customers@2',
    ]);
  });

  it('sees separate fetches to one subgraph at different paths', () => {
    const fetches = plannedFetches(
      supergraph,
      `query { customer(id: "x") { coupons { code } devices { model { campaigns { id name } } } } }`,
    );
    expect(fetches.filter((f) => f.subgraph === 'campaigns')).toHaveLength(2);
  });
});
