// One jest run for the whole workspace: workspace packages resolve to their TypeScript
// sources, so tests need no build step except generated grammars (made by `pnpm build`).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }] },
  moduleNameMapper: {
    '^@discret/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/apps/*/test/**/*.test.ts', '<rootDir>/tooling/test/**/*.test.ts'],
  testTimeout: 60000,
  // Jest's default is one worker per core minus one: a single worker on a 2-core machine, so the
  // long network tests, which mostly wait (two minutes of live sync through NATs), would run
  // one after another with everything else. Two workers overlap them with the rest.
  maxWorkers: 2,
};
