/**
 * Two projects: `unit` (in-process, *.test.ts) and `integration` (*.int.test.ts, real
 * nats-server and redis-server started by test/harness on free loopback ports).
 */
const shared = {
  transform: { '^.+\\.ts$': '<rootDir>/test/harness/esbuild-transform.js' },
  moduleNameMapper: { '^@switchboard/sdk$': '<rootDir>/src/index.ts', '^@switchboard/sdk/(.+)$': '<rootDir>/src/entries/$1.ts' },
  testEnvironment: 'node',
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.int.test.ts'] },
  ],
};
