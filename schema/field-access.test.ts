import { readFileSync } from 'node:fs';
import { SUPERGRAPH_PATH } from './composition';
import { accessCoverageProblems } from './field-access';

describe('access rules', () => {
  const supergraph = readFileSync(SUPERGRAPH_PATH, 'utf8');

  it('cover every root field and every field of the supergraph', () => {
    expect(accessCoverageProblems(supergraph)).toEqual([]);
  });

  it('name a field that has no rule yet', () => {
    const added = supergraph.replace(
      /(type DeviceHealth\b[^{]*\{)/,
      '$1\n  secretSauce: String @join__field(graph: PRODUCTS)\n',
    );
    expect(accessCoverageProblems(added)).toEqual([
      'DeviceHealth.secretSauce has no field rule (packages/access/src/fields.ts)',
    ]);
  });
});
