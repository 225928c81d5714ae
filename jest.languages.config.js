// `npm run test:languages`: the example app in Python, Java and Go against the bindings in dist/.
// Separate from `npm test` because the toolchains take minutes (and download aws-cdk-lib once).
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/languages'],
  testPathIgnorePatterns: [],
};
