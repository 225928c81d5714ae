// Cold start end to end: a fresh Node.js process per Lambda start (scripts/bench/cold-start-child.cjs) loads a handler
// and answers one Create against the IVS stand-in by PUTting to the event's ResponseURL; ours (the shipped bundle) next
// to AwsCustomResource's handler from aws-cdk-lib, samples interleaved, on the Lambda runtime's Node.js.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IvsStandIn } from '../../tools/stand-ins/ivs-stand-in';
import {
  asCloudFormationSends,
  bytesAndKb,
  childEnv,
  kb,
  ms,
  OUR_HANDLER,
  p384Pem,
  ratio,
  ROOT,
  RUNS,
  STACK_ID,
  stats,
  table,
  waitForExit,
  WARMUP,
} from './common';
import type { LambdaNode } from './lambda-node';

// Not in aws-cdk-lib's "exports": found from the package root instead.
export const THEIR_HANDLER = path.join(
  path.dirname(require.resolve('aws-cdk-lib/package.json', { paths: [ROOT] })),
  'custom-resource-handlers',
  'dist',
  'custom-resources',
  'aws-custom-resource-handler',
  'index.js',
);
const COLD_START_CHILD = path.join(__dirname, 'cold-start-child.cjs');

interface ColdSample {
  /** Spawn to answer, wall clock, measured here. */
  readonly ms: number;
  /** CPU time (user + system) the child had used when it sent its answer. */
  readonly cpuMs: number;
  readonly modules: number;
  readonly moduleBytes: number;
}

type HandlerKind = 'ours' | 'theirs';

class ColdStartBench {
  private readonly pendingResponses = new Map<string, (body: string) => void>();

  private constructor(
    private readonly node: LambdaNode,
    private readonly standIn: IvsStandIn,
    private readonly responseServer: Server,
    private readonly ourProperties: Record<string, unknown>,
    private readonly theirProperties: Record<string, unknown>,
  ) {
    responseServer.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const id = new URL(req.url ?? '/', 'http://x').searchParams.get('sample') ?? '';
        const settle = this.pendingResponses.get(id);
        this.pendingResponses.delete(id);
        res.writeHead(200).end();
        settle?.(body);
      });
    });
  }

  static async start(
    node: LambdaNode,
    ourProperties: Record<string, unknown>,
    theirProperties: Record<string, unknown>,
  ): Promise<ColdStartBench> {
    const standIn = await IvsStandIn.start();
    const responseServer = createServer();
    await new Promise<void>((resolve) => responseServer.listen(0, '127.0.0.1', resolve));
    return new ColdStartBench(node, standIn, responseServer, ourProperties, theirProperties);
  }

  async stop(): Promise<void> {
    await this.standIn.stop();
    this.responseServer.closeAllConnections();
    await new Promise<void>((resolve) => this.responseServer.close(() => resolve()));
  }

  /** One fresh process, one Create with a fresh P-384 key; returns spawn-to-answer time. */
  async sample(kind: HandlerKind): Promise<ColdSample> {
    const sampleId = randomUUID();
    const pem = p384Pem();
    const event = kind === 'ours' ? this.ourEvent(pem, sampleId) : this.theirEvent(pem, sampleId);
    const env = childEnv({
      ...this.standIn.clientEnvironment(),
      BENCH_EVENT: JSON.stringify(event),
      BENCH_RESPONSE_PORT: String((this.responseServer.address() as AddressInfo).port),
    });
    const handlerFile = kind === 'ours' ? OUR_HANDLER : THEIR_HANDLER;

    let answered!: (at: number, answer: unknown) => void;
    const answer = new Promise<{ at: number; answer: unknown }>(
      (resolve) => (answered = (at, value) => resolve({ at, answer: value })),
    );
    this.pendingResponses.set(sampleId, (body) => answered(performance.now(), JSON.parse(body)));

    const started = performance.now();
    const child = spawn(this.node.binary, [COLD_START_CHILD, handlerFile], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let fd3 = '';
    const lines: unknown[] = [];
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk) => {
      fd3 += chunk;
      let newline: number;
      while ((newline = fd3.indexOf('\n')) >= 0) {
        const line = JSON.parse(fd3.slice(0, newline)) as { kind: string };
        fd3 = fd3.slice(newline + 1);
        lines.push(line);
      }
    });
    const code = await waitForExit(child);
    const timeout = setTimeout(() => answered(Number.NaN, undefined), 1000);
    const result = await answer;
    clearTimeout(timeout);
    this.pendingResponses.delete(sampleId);

    const loaded = lines.find((line) => (line as { kind: string }).kind === 'loaded') as
      { modules: number; bytes: number; cpuMs: number; node: string } | undefined;
    this.checkAnswer(kind, code, result.answer, stderr);
    if (loaded?.node !== this.node.version)
      throw new Error(`${kind} cold start ran on Node.js ${loaded?.node}, not ${this.node.version}`);
    this.checkCallsAndReset(kind);
    return {
      ms: result.at - started,
      cpuMs: loaded?.cpuMs ?? Number.NaN,
      modules: loaded?.modules ?? Number.NaN,
      moduleBytes: loaded?.bytes ?? Number.NaN,
    };
  }

  /** The event CloudFormation sends our handler for the synthesized resource. */
  private ourEvent(pem: string, sampleId: string): object {
    return {
      RequestType: 'Create',
      ServiceToken:
        'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-IvsPlaybackKeyPairProviderHandler-AbCdEf',
      ResponseURL: `https://127.0.0.1/cfn-response?sample=${sampleId}`,
      StackId: STACK_ID,
      RequestId: sampleId,
      LogicalResourceId: 'Key0',
      ResourceType: 'Custom::IvsPlaybackKeyPair',
      ResourceProperties: asCloudFormationSends({
        ...this.ourProperties,
        ServiceToken:
          'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-IvsPlaybackKeyPairProviderHandler-AbCdEf',
        PublicKeyMaterial: pem,
      }),
    };
  }

  /** The event CloudFormation sends AwsCustomResource's Lambda for the synthesized resource. */
  private theirEvent(pem: string, sampleId: string): object {
    const create = JSON.parse(String(this.theirProperties.Create)) as { parameters: Record<string, unknown> };
    create.parameters.publicKeyMaterial = pem;
    return {
      RequestType: 'Create',
      ServiceToken:
        'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-AWS679f53fac002430cb0da5b7982bd22-AbCdEf',
      ResponseURL: `https://127.0.0.1/cfn-response?sample=${sampleId}`,
      StackId: STACK_ID,
      RequestId: sampleId,
      LogicalResourceId: 'Key0',
      ResourceType: 'Custom::AWS',
      ResourceProperties: asCloudFormationSends({
        ...this.theirProperties,
        ServiceToken:
          'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-AWS679f53fac002430cb0da5b7982bd22-AbCdEf',
        Create: JSON.stringify(create),
      }),
    };
  }

  private checkAnswer(kind: HandlerKind, code: number | null, answer: unknown, stderr: string): void {
    const arn = /^arn:aws:ivs:us-east-1:123456789012:playback-key\/[A-Za-z0-9]+$/;
    const body = answer as { Status?: string; PhysicalResourceId?: string } | undefined;
    const physicalId = body?.Status === 'SUCCESS' ? body.PhysicalResourceId : undefined;
    if (code !== 0 || !physicalId || !arn.test(physicalId)) {
      throw new Error(
        `${kind} cold start did not answer with a key pair ARN (exit ${code}): ${JSON.stringify(answer)}\n${stderr}`,
      );
    }
  }

  /** Exactly one successful ImportPlaybackKeyPair, then an empty account for the next sample (3-key quota). */
  private checkCallsAndReset(kind: HandlerKind): void {
    const calls = this.standIn.calls.map((call) => `${call.operation} ${call.status}`);
    if (calls.length !== 1 || calls[0] !== 'ImportPlaybackKeyPair 200') {
      throw new Error(`${kind} cold start made unexpected IVS calls: ${calls.join(', ')}`);
    }
    for (const keyPair of this.standIn.keyPairs()) this.standIn.deleteBehindTheBack(keyPair.arn);
    this.standIn.resetCalls();
  }
}

export interface ColdStartResult {
  readonly ours: ColdSample[];
  readonly theirs: ColdSample[];
}

export async function benchColdStart(
  node: LambdaNode,
  ourProperties: Record<string, unknown>,
  theirProperties: Record<string, unknown>,
): Promise<ColdStartResult> {
  const bench = await ColdStartBench.start(node, ourProperties, theirProperties);
  try {
    for (let i = 0; i < WARMUP; i++) {
      await bench.sample('ours');
      await bench.sample('theirs');
    }
    const result: ColdStartResult = { ours: [], theirs: [] };
    for (let i = 0; i < RUNS; i++) {
      // Alternate the order so drift in machine load hits both alike.
      const order: HandlerKind[] = i % 2 ? ['theirs', 'ours'] : ['ours', 'theirs'];
      for (const kind of order) result[kind].push(await bench.sample(kind));
    }
    return result;
  } finally {
    await bench.stop();
  }
}

/** The cold-start table, and the ratio of the medians the target reads. */
export function coldStartReport(cold: ColdStartResult, node: LambdaNode): { lines: string[]; coldRatio: number } {
  const out: string[] = [];
  const assetBytes = fs.statSync(OUR_HANDLER).size;
  const theirHandlerBytes = fs.statSync(THEIR_HANDLER).size;
  // 1. cold start
  const ourCold = stats(cold.ours.map((s) => s.ms));
  const theirCold = stats(cold.theirs.map((s) => s.ms));
  const ourCpu = stats(cold.ours.map((s) => s.cpuMs));
  const theirCpu = stats(cold.theirs.map((s) => s.cpuMs));
  const coldRatio = ourCold.median / theirCold.median;
  const coldRatioP90 = ourCold.p90 / theirCold.p90;
  const theirModules = cold.theirs[0];
  const ourModules = cold.ours[0];
  out.push(
    `### Cold start end to end on Node.js ${node.version} (Lambda runtime nodejs${node.major}.x): CloudFormation event in → ` +
      `response PUT received, one Create (${RUNS} runs each, interleaved)`,
    '',
  );
  out.push(
    table(
      [
        'Handler',
        'Lambda starts per event',
        'Code Lambda loads',
        'JS files / bytes loaded',
        'Median',
        'p90',
        'Min',
        'CPU time to answer, median',
      ],
      [
        [
          '`PlaybackKeyPair` (this package)',
          '1',
          `asset \`index.js\`: ${bytesAndKb(assetBytes)}`,
          `${ourModules.modules} / ${kb(ourModules.moduleBytes)}`,
          ms(ourCold.median),
          ms(ourCold.p90),
          ms(ourCold.min),
          ms(ourCpu.median),
        ],
        [
          '`AwsCustomResource` (aws-cdk-lib)',
          '1',
          `handler \`index.js\`: ${bytesAndKb(theirHandlerBytes)} + \`@aws-sdk/client-ivs\` from the runtime`,
          `${theirModules.modules} / ${kb(theirModules.moduleBytes)}`,
          ms(theirCold.median),
          ms(theirCold.p90),
          ms(theirCold.min),
          ms(theirCpu.median),
        ],
        [
          '**Ratio ours / AwsCustomResource**',
          '',
          '',
          '',
          `**${ratio(coldRatio)}**`,
          ratio(coldRatioP90),
          ratio(ourCold.min / theirCold.min),
          ratio(ourCpu.median / theirCpu.median),
        ],
      ],
    ),
  );
  out.push(
    '',
    'Spawn to answer, wall clock, timed in the parent when the PUT to the ResponseURL arrives, for both: ' +
      'each answers CloudFormation itself from its one Lambda function. Each sample is a Create against ' +
      'the local IVS stand-in with a fresh P-384 key and made exactly one ImportPlaybackKeyPair. CPU time is the ' +
      "child's own (user + system, Node start-up included), which other load on the machine barely moves.",
    '',
  );

  return { lines: out, coldRatio };
}
