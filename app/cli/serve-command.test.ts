/**
 * `tessera serve --allow-folder DIR` (repeatable) as a user runs it: the folders it allows are
 * the only ones the page may name, a folder that does not exist stops it with a clear line, and
 * Ctrl-C (SIGTERM here) stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { httpCall, within } from '../web/testing/http.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-serve-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('serve allows exactly the folders named by --allow-folder', { timeout: 60_000 }, async () => {
  const a = join(work, 'a');
  const b = join(work, 'b');
  mkdirSync(a);
  mkdirSync(b);
  const child = spawn(
    process.execPath,
    [
      TESSERA_CLI,
      'serve',
      '--allow-folder',
      a,
      '--allow-folder',
      b,
      '--json',
      '--home',
      join(work, 'home'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const line = await within(
      new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      }),
      30_000,
      'serve to print its address',
    );
    const started = JSON.parse(line) as { url: string; port: number; allowedFolders: string[] };
    assert.deepEqual(started.allowedFolders, [realpathSync(a), realpathSync(b)]);
    const token = new URL(started.url).searchParams.get('token')!;
    const exportTo = async (to: string) =>
      (
        await httpCall(started.port, '/api/invoke/gallery:export', {
          method: 'POST',
          body: { ids: [1], to },
          headers: { 'x-tessera-token': token },
        })
      ).json<{ ok: boolean; error?: { code: string } }>();
    // Inside an allowed folder the path passes the check and reaches the exporter (which
    // finds no item 1); outside, it is refused before anything runs.
    assert.notEqual((await exportTo(join(b, 'x.zip'))).error?.code, 'path-not-allowed');
    assert.equal((await exportTo(join(work, 'x.zip'))).error?.code, 'path-not-allowed');
    assert.ok(!existsSync(join(work, 'x.zip')));
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await within(exited, 20_000, 'serve to stop');
  }
});

test('a folder to allow that does not exist stops serve with one line saying so', () => {
  const r = spawnSync(
    process.execPath,
    [TESSERA_CLI, 'serve', '--allow-folder', join(work, 'missing'), '--home', join(work, 'home')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim(), /^tessera: --allow-folder .*missing: no such folder/);
});
