// Runs the native-models virtualenv's Python with the given arguments from native-models/,
// so npm scripts work the same on every platform once `npm run setup:python` has run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeModels = join(root, 'native-models');
const python =
  process.platform === 'win32'
    ? join(nativeModels, '.venv', 'Scripts', 'python.exe')
    : join(nativeModels, '.venv', 'bin', 'python');
if (!existsSync(python)) {
  console.error('native-models/.venv is missing: run `npm run setup:python` first.');
  process.exit(1);
}
const args = process.argv.slice(2).map((a) => a.replace(/^native-models\//, ''));
const result = spawnSync(
  python,
  args.map((a) => (a === 'native-models' ? '.' : a)),
  {
    cwd: nativeModels,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
