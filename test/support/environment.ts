// The tests run on Node.js 22 and 24 (engines; the handler's on the Lambda runtime's 24). The SDK's notice that an
// older Node.js will lose its support is noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
