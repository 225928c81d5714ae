// `npm run test:handler` (part of `npm test`): the handler's tests, on the Node.js of its Lambda
// runtime (scripts/with-node.mjs lambda): the CloudFormation sequences against the shipped bundle,
// and its unit tests.
const base = require('./jest.config');
const handlerTests = require('./test/support/handler-tests.cjs');

module.exports = {
  ...base,
  testMatch: handlerTests,
  testPathIgnorePatterns: ['/node_modules/'],
};
