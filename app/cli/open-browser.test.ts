/**
 * Web mode opens the browser at the tokenised address where a desktop can show it, and never
 * in CI or without a display; the address is printed either way.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { within } from '../web/testing/http.ts';
import { browserCommand } from './open-browser.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-open-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('which opener runs where', () => {
  const url = 'http://127.0.0.1:5/?token=t';
  const on = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv) =>
    browserCommand(url, { platform, env });
  assert.deepEqual(on('linux', { DISPLAY: ':0' }), { command: 'xdg-open', args: [url] });
  assert.deepEqual(on('linux', { WAYLAND_DISPLAY: 'wayland-0' }), {
    command: 'xdg-open',
    args: [url],
  });
  assert.deepEqual(on('linux', {}), { skipped: 'no desktop display' });
  assert.deepEqual(on('darwin', {}), { command: 'open', args: [url] });
  assert.deepEqual(on('win32', {}), { command: 'cmd', args: ['/c', 'start', '""', url] });
  assert.deepEqual(on('darwin', { CI: 'true' }), { skipped: 'running in CI' });
  assert.deepEqual(on('linux', { DISPLAY: ':0', CI: '1' }), { skipped: 'running in CI' });
});

/** Runs `tessera serve` with a stand-in xdg-open that records what it was asked to open. */
async function serve(flags: string[], env: NodeJS.ProcessEnv) {
  const bin = join(work, 'bin');
  const opened = join(work, `opened-${flags.join('')}-${Object.keys(env).join('')}.txt`);
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const rest = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['CI', 'DISPLAY', 'WAYLAND_DISPLAY'].includes(k)),
  );
  const child = spawn(
    process.execPath,
    [TESSERA_CLI, 'serve', ...flags, '--home', join(work, 'home')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...rest, PATH: `${bin}:${process.env.PATH ?? ''}`, ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  try {
    await within(
      (async () => {
        while (!/The page may/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
        // The opener is detached: give it a moment to write.
        for (let i = 0; i < 40 && !existsSync(opened); i++)
          await new Promise((r) => setTimeout(r, 50));
      })(),
      30_000,
      'serve to start',
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const url = /open (http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+) in your browser/.exec(stdout)?.[1];
  assert.ok(url !== undefined, `the address is printed: ${stdout}`);
  return { url, stderr, opened: existsSync(opened) ? readFileSync(opened, 'utf8') : null };
}

test('serve --open opens the tokenised address on a desktop', { timeout: 60_000 }, async () => {
  const run = await serve(['--open'], { DISPLAY: ':0' });
  assert.equal(run.opened, run.url);
  assert.match(run.stderr, /Opened the studio in your browser/);
});

test('no browser in CI, without a display, or with --no-open', { timeout: 90_000 }, async () => {
  const ci = await serve(['--open'], { DISPLAY: ':0', CI: 'true' });
  assert.equal(ci.opened, null);
  assert.match(ci.stderr, /Not opening a browser \(running in CI\)/);
  const headless = await serve(['--open'], {});
  assert.equal(headless.opened, null);
  const refused = await serve(['--open', '--no-open'], { DISPLAY: ':0' });
  assert.equal(refused.opened, null);
});
