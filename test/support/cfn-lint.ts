/**
 * cfn-lint over a synthesized template: tools/python/.venv/bin/cfn-lint (pinned in tools/python/requirements.txt,
 * installed by `npm test` or `npm run setup`) with its default rules, errors and warnings, none ignored.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const CFN_LINT = path.join(__dirname, '..', '..', 'tools', 'python', '.venv', 'bin', 'cfn-lint');

/** One finding of cfn-lint. */
export interface CfnLintFinding {
  /** The rule, e.g. `W3005`. */
  readonly rule: string;
  /** `Error`, `Warning` or `Informational`. */
  readonly level: string;
  readonly message: string;
  /** Where, e.g. `Resources/Handler/DependsOn/0`. */
  readonly path: string;
}

/** What cfn-lint finds in `template` (a template's JSON, e.g. `Template.fromStack(stack).toJSON()`) for `region`. */
export function cfnLint(template: unknown, region = 'us-west-2'): CfnLintFinding[] {
  if (!existsSync(CFN_LINT)) {
    throw new Error(
      `${CFN_LINT} is missing: run "npm run setup" (npm test runs it too), which installs tools/python/.venv.`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
  try {
    const file = path.join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template, null, 1));
    const result = spawnSync(CFN_LINT, ['--format', 'json', '--regions', region, '--', file], { encoding: 'utf8' });
    // cfn-lint's exit code is a bit field of what it found (2 errors, 4 warnings, 8 informational); 1 is its own failure.
    if (result.status === null || result.status === 1 || result.status > 15) {
      throw new Error(`cfn-lint failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
    }
    const findings = JSON.parse(result.stdout || '[]') as Array<{
      Rule: { Id: string };
      Level: string;
      Message: string;
      Location: { Path: Array<string | number> };
    }>;
    return findings.map((finding) => ({
      rule: finding.Rule.Id,
      level: finding.Level,
      message: finding.Message,
      path: finding.Location.Path.join('/'),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
