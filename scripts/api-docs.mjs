// Regenerates the API reference in docs/api/ from the TSDoc of lib/ (after `npm run build`):
// api-extractor checks the public API against etc/ and writes a doc model; api-documenter turns
// it into markdown. The doc model gets CDK's tags in the spelling api-documenter renders.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const docModel = 'node_modules/.cache/api-extractor/cdk-ivs-playback-key-pair.api.json';
const run = (command, ...args) => execFileSync(`node_modules/.bin/${command}`, args, { stdio: 'inherit' });

run('api-extractor', 'run', '--local');
writeFileSync(docModel, readFileSync(docModel, 'utf8')
  .replace(/@default(?![A-Za-z])/g, '@defaultValue')
  .replace(/@attribute(?![A-Za-z])/g, '')
  .replace(/@resource(?![A-Za-z])/g, 'CloudFormation resource type:'));
run('api-documenter', 'markdown', '--input-folder', 'node_modules/.cache/api-extractor', '--output-folder', 'docs/api');
