// `npm run test:handler` (part of `npm test`): the handler's tests (test/handler/), on the Node.js of its Lambda
// runtime (scripts/with-node.mjs lambda): the CloudFormation sequences against the shipped bundle,
// and its unit tests.
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/handler'],
  testPathIgnorePatterns: ['/node_modules/'],
};
