// Lambda runs Node.js 24; the SDK's notice that this machine's Node.js 20 will lose support in 2027 is noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
