/**
 * `npm run bench`: measures, in one run, what the README quotes about the construct's cost, next to
 * aws-cdk-lib's alternatives, and prints markdown tables plus pass/fail against the targets.
 * One module per measurement in scripts/bench/ (CONTRIBUTING.md, "Benchmark"):
 *
 *  1. cold-start.ts: cold start end to end, ours next to AwsCustomResource, on the Lambda runtime's Node.js.
 *  2. lifecycle-events.ts: the IVS calls and time of each lifecycle event, through CloudFormation's sequences, per IVS key API.
 *  3. + 4. synth.ts: the templates for 1 and 3 key pairs, and `cdk synth` time against CfnPlaybackKeyPair.
 *  5. token-bundle.ts: a viewer-token backend bundled for Lambda, next to jose directly; no CDK input.
 *  6. token-performance.ts: that backend's cold start and signing rate next to jose and raw node:crypto, and the
 *     signing rate of participant tokens (IVS Real-Time) next to their raw node:crypto floor.
 *  7. signer-outage.ts: the token signer through a stalled and a throttled Secrets Manager.
 *
 * This file runs them and prints the report with the targets.
 * Run counts: BENCH_RUNS (cold starts per handler, default 21), BENCH_EVENT_RUNS (lifecycle
 * sequences, default 25), BENCH_SYNTH_RUNS (synth runs per stack and validation setting, default 5).
 * BENCH_JSON=<file> also writes the raw samples; BENCH_STRICT=1 exits with 1 when a target fails.
 * Needs `npm run build` first (the npm script does it). Timers: performance.now() only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchColdStart, coldStartReport, THEIR_HANDLER } from './bench/cold-start';
import {
  EVENT_RUNS,
  kb,
  OUR_HANDLER,
  packageVersion,
  passFail,
  progress,
  ratio,
  ROOT,
  RUNS,
  SYNTH_RUNS,
  table,
  WARMUP,
} from './bench/common';
import { lambdaNode } from './bench/lambda-node';
import { BENCHED_APIS, benchLifecycle, EVENT_RULES, lifecycleReport } from './bench/lifecycle-events';
import { benchSynth, perExtraKeyPair, runSynthChild, synthTimeReport, templatesReport } from './bench/synth';
import { benchTokenBundles, cdkInputsFound, tokenBundleReport } from './bench/token-bundle';
import { benchSignerOutage } from './bench/signer-outage';
import { benchTokenPerformance } from './bench/token-performance';

const TARGETS = {
  coldStartRatio: 0.75,
  assetKb: 512,
  resourcesForOneKey: 5,
  resourcesPerExtraKey: 1,
  chainLength: 4,
  synthRatio: 1.1,
};

async function main(): Promise<void> {
  if (!fs.existsSync(OUR_HANDLER) || !fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    throw new Error('Run "npm run build" first: the bench measures the shipped bundle and the compiled lib/.');
  }
  // Before anything slow: a missing Node.js binary should fail the bench at once.
  const node = await lambdaNode();
  const startedAt = performance.now();
  const loadBefore = os.loadavg();
  const assetBytes = fs.statSync(OUR_HANDLER).size;

  progress('templates: the custom resources whose events the cold starts replay');
  const ourTemplate = await runSynthChild('ours', 1, false);
  const theirTemplate = await runSynthChild('awscr', 1, false);

  progress(
    `cold start on Node.js ${node.version}: ${WARMUP} warm-up + ${RUNS} fresh processes per handler, interleaved`,
  );
  const cold = await benchColdStart(
    node,
    ourTemplate.customResource!.properties,
    theirTemplate.customResource!.properties,
  );

  progress('viewer-token backend: bundled with esbuild, run once each');
  const tokenBundles = await benchTokenBundles(node);
  progress('viewer-token backend: cold starts and signing rate next to jose and raw node:crypto');
  const tokenPerformance = await benchTokenPerformance(node);
  progress('token signer: a stalled and a throttled Secrets Manager, one window each');
  const signerOutage = await benchSignerOutage(node);

  progress(
    `lifecycle: ${WARMUP} warm-up + ${EVENT_RUNS} CloudFormation sequences per IVS key API against the stand-in`,
  );
  const lifecycle = await benchLifecycle();

  progress(
    `synth: ${SYNTH_RUNS} fresh processes per stack, with and without template validation, plus the 3-key-pair templates`,
  );
  const synth = await benchSynth({ ours: ourTemplate, awscr: theirTemplate });
  const loadAfter = os.loadavg();

  const coldReport = coldStartReport(cold, node);
  const { coldRatio } = coldReport;
  const lifecycleTables = lifecycleReport(lifecycle);
  const { eventsAtMinimum } = lifecycleTables;
  const synthTables = synthTimeReport(synth);
  const { synthRatio, synthCpuRatio } = synthTables;
  const t = synth.templates;
  const perExtra = (variant: 'ours') => perExtraKeyPair(synth, variant);
  const out: string[] = [
    ...coldReport.lines,
    // The viewer-token backend next to the cold start: both are about what a Lambda function loads.
    ...tokenBundleReport(tokenBundles, node),
    ...tokenPerformance.report,
    ...signerOutage.report,
    ...lifecycleTables.lines,
    ...templatesReport(synth),
    ...synthTables.lines,
  ];

  // targets
  const benchedEvents = EVENT_RULES.length * BENCHED_APIS.length;
  const allAtMinimum = eventsAtMinimum === benchedEvents;
  const targets: [string, string, boolean][] = [
    [
      `Cold start ratio ours / AwsCustomResource ≤ ${TARGETS.coldStartRatio.toFixed(2)} (median)`,
      ratio(coldRatio),
      coldRatio <= TARGETS.coldStartRatio,
    ],
    [`Handler asset ≤ ${TARGETS.assetKb} KB`, kb(assetBytes), assetBytes <= TARGETS.assetKb * 1024],
    [
      `At most ${TARGETS.resourcesForOneKey} resources for one key pair (CDK metadata aside)`,
      String(t.ours[1].resources),
      t.ours[1].resources <= TARGETS.resourcesForOneKey,
    ],
    [
      `One resource per additional key pair`,
      String(perExtra('ours')),
      perExtra('ours') === TARGETS.resourcesPerExtraKey,
    ],
    [
      `Longest dependency chain ending at the key pair ≤ ${TARGETS.chainLength}`,
      t.ours[1].chain.join(' → '),
      t.ours[1].chain.length <= TARGETS.chainLength,
    ],
    [
      'Viewer-token backend bundle holds no input from aws-cdk-lib or constructs',
      cdkInputsFound(tokenBundles.ours),
      tokenBundles.ours.cdkInputs.length === 0,
    ],
    [
      'IVS calls = minimum for every event, both key APIs',
      `${eventsAtMinimum} / ${benchedEvents} events`,
      allAtMinimum,
    ],
    [
      `\`cdk synth\` ratio ours / CfnPlaybackKeyPair ≤ ${TARGETS.synthRatio} (median of the whole command, wall clock)`,
      ratio(synthRatio),
      synthRatio <= TARGETS.synthRatio,
    ],
    [
      `\`cdk synth\` ratio ours / CfnPlaybackKeyPair ≤ ${TARGETS.synthRatio} (median of the whole command, CPU time)`,
      ratio(synthCpuRatio),
      synthCpuRatio <= TARGETS.synthRatio,
    ],
  ];
  targets.push(...tokenPerformance.targets, ...signerOutage.targets);
  out.push('### Targets', '');
  out.push(
    table(
      ['Target', 'Measured', 'Result'],
      targets.map(([name, measured, ok]) => [name, measured, passFail(ok)]),
    ),
  );
  out.push(
    '',
    `Cold starts on Node.js ${node.version} (${path.relative(ROOT, node.binary)}, the major of the handler's Lambda ` +
      `runtime nodejs${node.major}.x); everything else on Node.js ${process.version}. ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), aws-cdk-lib ` +
      `${packageVersion('aws-cdk-lib')}, @aws-sdk/client-ivs ${packageVersion('@aws-sdk/client-ivs')}; load average ` +
      `${loadBefore[0].toFixed(2)} → ${loadAfter[0].toFixed(2)}; bench took ${((performance.now() - startedAt) / 1000).toFixed(0)} s.`,
  );

  process.stdout.write(`${out.join('\n')}\n`);

  if (process.env.BENCH_JSON) {
    fs.writeFileSync(
      process.env.BENCH_JSON,
      `${JSON.stringify(
        {
          coldStartNode: node.version,
          benchNode: process.version,
          assetBytes,
          theirHandlerBytes: fs.statSync(THEIR_HANDLER).size,
          cold,
          tokenBundles,
          tokenPerformance: tokenPerformance.figures,
          signerOutage: signerOutage.figures,
          lifecycle: Object.fromEntries([...lifecycle].map(([api, events]) => [api, Object.fromEntries(events)])),
          synth,
          loadBefore,
          loadAfter,
        },
        undefined,
        2,
      )}\n`,
    );
  }
  if (process.env.BENCH_STRICT === '1' && targets.some(([, , ok]) => !ok)) process.exitCode = 1;
}

main().then(
  () => process.exit(),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
