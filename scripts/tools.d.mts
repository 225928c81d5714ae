// Types of tools.mjs, for the TypeScript scripts that import it (scripts/bench/).
/** Installs Node.js `major` into tools/node-versions/<major>/ unless it is there; returns its bin directory. */
export function ensureNodeVersion(major: number): string;
/** Installs the Python tools into tools/python/.venv unless it holds exactly requirements.txt already. */
export function ensurePythonTools(): void;
/** Installs tools/lint unless its lockfile is installed. */
export function ensureLintTools(): void;
/** Everything `npm test` needs besides node_modules. */
export function ensureTestTools(): void;
/** Re-runs the current script on the handler's Node.js when the running Node.js is older than engines allows. */
export function runOnSupportedNode(): void;
/** process.env with `bin` first on PATH. */
export function envWithPath(bin: string): NodeJS.ProcessEnv;
