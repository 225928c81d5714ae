// The tests that run the custom-resource handler: `npm run test:handler` runs them on the Node.js
// of the handler's Lambda runtime (jest.handler.config.js); the rest of `npm test` skips them.
module.exports = ['<rootDir>/test/lifecycle-sequences.test.ts', '<rootDir>/test/handler.test.ts'];
