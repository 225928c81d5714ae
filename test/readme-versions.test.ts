/**
 * Every version of this package that the README names, for npm, PyPI, Maven and Go, is package.json's, so that the
 * install instructions stay right when the version changes (`npm version` changes package.json only).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Where each registry's spelling of the package carries a version (the version is every capture group). */
const FORMS: Record<string, RegExp[]> = {
  npm: [/cdk-ivs-playback-key-pair-([^\s/]+?)\.tgz/g, /cdk-ivs-playback-key-pair@([^\s`'"]+)/g],
  PyPI: [
    /cdk_ivs_playback_key_pair-([^\s-]+?)(?:-py3-none-any\.whl|\.tar\.gz)/g,
    /cdk-ivs-playback-key-pair==([^\s`'"]+)/g,
  ],
  Maven: [
    /<artifactId>cdk-ivs-playback-key-pair<\/artifactId>\s*<version>([^<]*)<\/version>/g,
    /cdk-ivs-playback-key-pair\/([^/\s]+)\/cdk-ivs-playback-key-pair-([^\s/]+?)(?:-[a-z]+)?\.(?:jar|pom)/g,
    /io\.github\.cdkivsplaybackkeypair:cdk-ivs-playback-key-pair:([^\s`'"]+)/g,
  ],
  Go: [/cdkivsplaybackkeypair@v([^\s`'"]+)/g, /cdkivsplaybackkeypair v(\S+)/g],
};

function versionsOf(patterns: RegExp[]): string[] {
  return patterns.flatMap((pattern) => [...readme.matchAll(pattern)].flatMap(([, ...captures]) => captures));
}

test.each(Object.keys(FORMS))("the README's %s versions of the package are package.json's", (registry) => {
  const versions = versionsOf(FORMS[registry]);
  expect(versions.length).toBeGreaterThan(0); // each install instruction names its version
  expect(versions.filter((found) => found !== version)).toEqual([]);
});

test("every version on a README line that names the package is package.json's", () => {
  const spellings = /cdk-ivs-playback-key-pair|cdk_ivs_playback_key_pair|cdkivsplaybackkeypair/;
  const lines = readme.split('\n').filter((line) => spellings.test(line));
  const others = lines.flatMap((line) =>
    [...line.matchAll(/(?<![\d.])\d+\.\d+\.\d+(?:-(?:alpha|beta|rc|dev)[0-9A-Za-z.]*)?(?![\d.])/g)]
      .map(([found]) => found)
      .filter((found) => found !== version)
      .map((found) => `${found} in: ${line.trim()}`),
  );
  expect(others).toEqual([]);
});
