'use strict';
// One cold start, as a fresh Lambda container would run it: load a custom-resource handler and pass
// it one CloudFormation event. Spawned once per sample by scripts/bench.ts with plain `node` (no
// TypeScript loader), so the process does no more than the Lambda runtime would, and on the
// Node.js major of the handler's Lambda runtime (from tools/node-versions), as Lambda runs it.
//
//   node cold-start-child.cjs <handler file>
//
// The event comes in BENCH_EVENT (JSON). The handler answers by PUTting to the event's ResponseURL,
// which names https://127.0.0.1 without a port (both handlers drop an absent port), so that one
// host is sent to the parent's plain-HTTP listener at BENCH_RESPONSE_PORT instead; every other
// https request is untouched. (The SDK loads `https` at start-up anyway, so requiring it here adds
// nothing the handler would not load.) After the answer, fd 3 gets the count and size of the files
// the handler loaded, the CPU time the process had used when it sent its answer (less sensitive
// than wall time to other load on the machine) and the Node.js version it ran on.
const fs = require('node:fs');

const [handlerFile] = process.argv.slice(2);
const event = JSON.parse(process.env.BENCH_EVENT);

/** CPU time (user + system) this process had used when it sent its answer, in ms. */
let cpuAtAnswerMs;
const markAnswer = () => {
  if (cpuAtAnswerMs === undefined) {
    const { user, system } = process.cpuUsage();
    cpuAtAnswerMs = (user + system) / 1000;
  }
};

const http = require('node:http');
const https = require('node:https');
const port = Number(process.env.BENCH_RESPONSE_PORT);
const httpsRequest = https.request;
https.request = function request(options, ...rest) {
  if (options && typeof options === 'object' && options.hostname === '127.0.0.1' && options.port === undefined) {
    const request = http.request({ ...options, port }, ...rest);
    const end = request.end;
    request.end = function endAndMark(...args) {
      markAnswer();
      return end.apply(this, args);
    };
    return request;
  }
  return httpsRequest.call(this, options, ...rest);
};

const context = {
  functionName: 'bench',
  awsRequestId: event.RequestId,
  logGroupName: '/aws/lambda/bench',
  logStreamName: '2025/01/01/[$LATEST]bench',
  getRemainingTimeInMillis: () => 300_000,
};

const write = (line) => fs.writeSync(3, `${JSON.stringify(line)}\n`);

/** After the answer: which files the handler loaded (JavaScript files in require.cache, this one excluded). */
const reportLoaded = () => {
  const files = Object.keys(require.cache).filter((file) => file !== __filename);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  write({ kind: 'loaded', modules: files.length, bytes, cpuMs: cpuAtAnswerMs, node: process.version });
};

Promise.resolve()
  .then(() => require(require('node:path').resolve(handlerFile)).handler(event, context))
  .then(
    () => {
      reportLoaded();
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
      process.exit(1);
    },
  );
