/**
 * The jest hooks shared by the handler tests that drive the shipped bundle against the IVS
 * stand-in: synthesize the asset once, a fresh stand-in and handler per test, log lines captured.
 */
import * as fs from 'node:fs';
import { IvsStandIn, IvsStandInOptions } from '../../tools/stand-ins/ivs-stand-in';
import { loadShippedHandler, OnEventHandler, synthesizeHandlerAsset } from './shipped-handler';

/** What a test reads from `useShippedHandler()`; the fields change before each test. */
export interface ShippedHandlerRig {
  ivs: IvsStandIn;
  handler: OnEventHandler;
  /** Every console line of the test, in order. */
  logLines: string[];
  /** Restarts the stand-in with other options and loads the handler against it. */
  restart(options: IvsStandInOptions): Promise<void>;
  /** The handler's JSON log lines, parsed. */
  jsonLines(): Array<Record<string, unknown>>;
}

export function useShippedHandler(): ShippedHandlerRig {
  let assemblyDir = '';
  let assetDir = '';
  const rig: ShippedHandlerRig = {
    ivs: undefined as unknown as IvsStandIn,
    handler: undefined as unknown as OnEventHandler,
    logLines: [],
    async restart(options) {
      await rig.ivs.stop();
      rig.ivs = await IvsStandIn.start(options);
      rig.handler = loadShippedHandler(assetDir, rig.ivs);
    },
    jsonLines: () => rig.logLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)),
  };
  beforeAll(() => {
    ({ assemblyDir, assetDir } = synthesizeHandlerAsset());
  });
  beforeEach(async () => {
    rig.ivs = await IvsStandIn.start();
    rig.handler = loadShippedHandler(assetDir, rig.ivs);
    rig.logLines = [];
    for (const method of ['log', 'error'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        rig.logLines.push(args.map(String).join(' '));
      });
    }
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await rig.ivs.stop();
  });
  afterAll(() => {
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  });
  return rig;
}
