// `npm start`: builds the studio, then opens the desktop app where Electron's binary is
// installed, and otherwise serves the same UI on 127.0.0.1 (web mode) and says so, with the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable, without triggering electron's on-demand download. */
function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  try {
    const relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const binary = join(dir, 'dist', relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const build = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'electron.config.ts', ...(binary === null ? ['--only', 'renderer'] : [])],
  { cwd: root, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
const child =
  binary !== null
    ? spawn(binary, [join(root, 'out', 'main', 'main.mjs'), ...args], {
        cwd: root,
        stdio: 'inherit',
      })
    : (console.log(
        'Electron is not installed on this machine: starting web mode instead (the same studio, in your browser).',
      ),
      // Web mode opens the browser at the tokenised address where a desktop can show it
      // (`npm start -- --no-open` does not); the address is printed either way.
      spawn(
        process.execPath,
        [
          join(root, 'bin', 'tessera.mjs'),
          'serve',
          ...(args.includes('--no-open') ? [] : ['--open']),
          ...args,
        ],
        {
          cwd: root,
          stdio: 'inherit',
        },
      ));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
