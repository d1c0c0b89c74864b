// Three tiers, named by file: *.test.ts (pure), *.int.test.ts (real Neo4j and Temporal),
// test/**/*.e2e.test.ts (through the gateway). `npm test` runs them all.
/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const ignored = ['/node_modules/', '/dist/', '/\\.data/'];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      transform,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      transform,
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ignored,
      slowTestThreshold: 30,
    },
    {
      displayName: 'e2e',
      transform,
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e.test.ts'],
      testPathIgnorePatterns: ignored,
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 120_000,
};
