// The Node.js major of the handler's Lambda runtime, read from its one definition in
// lib/handler-runtime.ts (the source, so the scripts that need it do not wait for a build).
import { readFileSync } from 'node:fs';

export function handlerNodeMajor() {
  const source = readFileSync(new URL('../lib/handler-runtime.ts', import.meta.url), 'utf8');
  const match = /export const HANDLER_NODE_MAJOR = (\d+);/.exec(source);
  if (!match) throw new Error('lib/handler-runtime.ts no longer defines HANDLER_NODE_MAJOR as a number literal');
  return Number(match[1]);
}
