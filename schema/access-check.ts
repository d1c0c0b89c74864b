/** `npm run access:check`: fails the build while the access tables do not cover the supergraph. */
import { readFileSync } from 'node:fs';
import { SUPERGRAPH_PATH } from './composition';
import { accessCoverageProblems } from './field-access';

const problems = accessCoverageProblems(readFileSync(SUPERGRAPH_PATH, 'utf8'));
if (problems.length > 0) {
  console.error(
    `The access rules do not cover the schema:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  process.exit(1);
}
console.log('Every field of the supergraph has an access rule.');
