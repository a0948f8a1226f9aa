// `npm test`: every test in the repository, TypeScript then Python, with one summary line.
// Prepares what the tests need first (the Python venv and the emoji-v1 dataset), so a fresh
// clone needs nothing but `npm ci` before it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  process.stdout.write(output);
  return { status: result.status ?? 1, output, seconds: (Date.now() - started) / 1000 };
}

/** *.test.ts files under the given folders (Node 20's --test does not expand globs). */
export function findTests(folders) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts')) found.push(path.slice(root.length + 1));
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(join(root, folder));
  return found.sort();
}

function step(title) {
  console.log(`\n== ${title}`);
}

step('Python environment');
if (run('bash', ['native-models/scripts/setup-venv.sh']).status !== 0) process.exit(1);

step('Dataset emoji-v1');
if (!existsSync(join(root, 'native-models', '.cache', 'emoji-v1', 'images-32.npy'))) {
  if (run('node', ['--import', 'tsx', 'native-models/dataset/build.ts']).status !== 0)
    process.exit(1);
} else {
  console.log('native-models/.cache/emoji-v1 is built');
}

step('TypeScript tests (node --test)');
const ts = run('node', [
  '--import',
  'tsx',
  '--test',
  // Two files at a time: most of a file's time is spent waiting on the child processes it
  // starts (the CLI, the inference process, Chromium), so a second file fills the idle core.
  '--test-concurrency=2',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/file-durations-reporter.mjs',
  '--test-reporter-destination=stdout',
  ...findTests(['app', 'renderer', 'e2e', 'native-models/dataset', 'scripts']),
]);
const tsPass = Number(/^ℹ pass (\d+)/m.exec(ts.output)?.[1] ?? 0);
const tsFail = Number(/^ℹ fail (\d+)/m.exec(ts.output)?.[1] ?? (ts.status === 0 ? 0 : 1));

step('Python tests (pytest)');
// Test files spread over worker processes (pytest-xdist), each file whole in one worker so its
// module fixtures (a smoke model trained and exported once) are built once: most of the suite
// trains and exports on one thread, so a second worker fills the second core.
const workers = String(Math.max(1, Math.min(availableParallelism(), 4)));
const py = run('node', [
  'scripts/run-python.mjs',
  '-m',
  'pytest',
  '-q',
  '-p',
  'no:cacheprovider',
  '-n',
  workers,
  '--dist',
  'loadfile',
]);
const count = (word) =>
  Number(new RegExp(`(\\d+) ${word}`).exec(py.output.split('\n').slice(-5).join('\n'))?.[1] ?? 0);
// pytest exits 5 when it collects nothing: that is a failure of this suite, never a pass.
const pyFail =
  count('failed') + count('error') + (py.status !== 0 && count('failed') === 0 ? 1 : 0);

const passed = tsPass + count('passed');
const failed = tsFail + pyFail;
console.log(`\nTypeScript ${ts.seconds.toFixed(0)} s, Python ${py.seconds.toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed, ${count('skipped')} skipped`);
process.exit(ts.status === 0 && py.status === 0 ? 0 : 1);
