// What package.json promises about installing Tessera: the Node versions it names have every
// built-in Tessera calls, the runtime dependencies are the ones the shipped code imports, and
// `npm ci` skips onnxruntime-node's download from outside the registry through a setting npm
// knows (an unknown .npmrc key draws a warning on every npm and npx call).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

type Version = [number, number, number];
const parse = (v: string): Version => {
  const [major = 0, minor = 0, patch = 0] = v.split('.').map(Number);
  return [major, minor, patch];
};
const below = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * Built-ins Tessera calls that not every Node ≥ 20 has, with the first release of each line
 * that has them (the Node changelogs). A line missing here lacks the API altogether.
 */
const NEEDS: Record<string, Record<number, Version>> = {
  'zlib.crc32 (PNG chunks)': { 20: [20, 15, 0], 22: [22, 2, 0] },
  'import.meta.dirname (tests, scripts)': { 20: [20, 11, 0], 21: [21, 2, 0], 22: [22, 0, 0] },
};

/** The lowest version each `||` alternative of the engines range accepts (^X.Y.Z or >=X.Y.Z). */
function lowestAccepted(range: string): { lowest: Version; sameMajorOnly: boolean }[] {
  return range.split('||').map((part) => {
    const m = /^\s*(\^|>=)\s*(\d+(?:\.\d+){0,2})\s*$/.exec(part);
    assert.ok(m, `engines.node "${range}": write each alternative as ^X.Y.Z or >=X.Y.Z`);
    return { lowest: parse(m[2]!), sameMajorOnly: m[1] === '^' };
  });
}

test('every Node version engines.node accepts has the built-ins Tessera calls', () => {
  for (const { lowest, sameMajorOnly } of lowestAccepted(pkg.engines.node))
    for (const [api, firsts] of Object.entries(NEEDS)) {
      const majors = sameMajorOnly ? [lowest[0]] : [lowest[0], lowest[0] + 1, lowest[0] + 2];
      for (const major of majors) {
        const newest = Math.max(...Object.keys(firsts).map(Number));
        const first = firsts[major] ?? (major > newest ? ([major, 0, 0] as Version) : null);
        const from = major === lowest[0] ? lowest : ([major, 0, 0] as Version);
        assert.ok(
          first !== null && below(from, first) >= 0,
          `engines.node "${pkg.engines.node}" accepts Node ${from.join('.')}, which lacks ${api}`,
        );
      }
    }
});

/** Packages imported by code that ships: app/ and bin/, not tests or test support. */
function shippedImports(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'testing', 'fixtures'].includes(entry.name)) walk(path);
        continue;
      }
      if (!/\.(ts|tsx|mjs)$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
      const source = readFileSync(path, 'utf8');
      for (const m of source.matchAll(
        /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g,
      )) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        found.add(
          spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!,
        );
      }
    }
  };
  walk(join(root, 'app'));
  walk(join(root, 'bin'));
  walk(join(root, 'renderer'));
  return found;
}

test('runtime dependencies are exactly what the shipped code imports', () => {
  const imported = shippedImports();
  const unused = Object.keys(pkg.dependencies).filter((name) => !imported.has(name));
  assert.deepEqual(
    unused,
    [],
    'runtime dependencies no shipped code imports: make them devDependencies',
  );
});

test('npm reads the project config without a warning, and onnxruntime-node’s download is denied', () => {
  const r = spawnSync('npm', ['config', 'ls'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Unknown (project|env|cli) config/);
  // npm ≥ 11.x skips the scripts of a denied package; older npm honours the environment
  // variable that .ci/run and the README set.
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  assert.match(
    readFileSync(join(root, '.ci', 'run'), 'utf8'),
    /^export ONNXRUNTIME_NODE_INSTALL=skip$/m,
  );
});
