/**
 * Composes the supergraph from the subgraphs' SDL files at build time.
 *
 *   tsx compose.ts          writes supergraph.graphql
 *   tsx compose.ts --check  fails if composition fails or supergraph.graphql is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeSupergraph, SUPERGRAPH_PATH } from './composition';

function main() {
  const check = process.argv.includes('--check');
  const result = composeSupergraph();
  if (!result.ok) {
    console.error(
      `Supergraph composition failed:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`,
    );
    process.exit(1);
  }
  if (check) {
    const current = readFileSync(SUPERGRAPH_PATH, 'utf8');
    if (current !== result.supergraphSdl) {
      console.error(
        'schema/supergraph.graphql is stale: run `npm run compose` and commit the result.',
      );
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
    return;
  }
  writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  console.log(`Wrote ${path.relative(process.cwd(), SUPERGRAPH_PATH)}.`);
}

main();
