// `npm test`'s jest suite (run with `npx jest`, or `npx jest test/x.test.ts` for one file): every fast test on the
// Node.js running npm. The two other configs reuse it for the suites that need something else: jest.handler.config.js
// (test/handler/ on the Lambda runtime's Node.js) and jest.languages.config.js (minutes of Python, Java and Go).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `npm run test:languages` runs test/languages/ (jest.languages.config.js): it takes minutes.
  // `npm run test:handler` runs test/handler/ on the handler's Lambda runtime's Node.js (jest.handler.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/languages/', '<rootDir>/test/handler/'],
  // TypeScript first: lib/ is compiled in place, and tests must run the source, not a stale build.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  setupFiles: ['<rootDir>/test/support/environment.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
};
