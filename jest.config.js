module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `npm run test:languages` runs these (jest.languages.config.js): they take minutes.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/languages/'],
  // TypeScript first: lib/ is compiled in place, and tests must run the source, not a stale build.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  setupFiles: ['<rootDir>/test/support/environment.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
};
