// Two projects: `unit` needs nothing running; `integration` starts the Pub/Sub and
// Bigtable emulators (and the local BigQuery server) once, in its global setup.
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // teeny-request (under @google-cloud/bigquery) loads node-fetch 3 with a dynamic import(),
  // which Jest's CommonJS runtime refuses; compile it to require() of the CommonJS node-fetch 2.
  transformIgnorePatterns: ['/node_modules/(?!teeny-request/)'],
  moduleNameMapper: { '^node-fetch$': '<rootDir>/node_modules/node-fetch/lib/index.js' },
};
module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/integration-env.ts'],
    },
  ],
};
