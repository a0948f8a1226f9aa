/**
 * `tessera generate --replay` on a file exported from the library: the export gained an XMP
 * packet, but the replay is compared with the original generation (rebuilt from the file's
 * recipe and pixels, by hash), so it is reported identical. A file whose pixels were changed
 * still fails, with exit code 3.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { extractXmp } from '../media/embed-xmp.ts';
import { encodePng, readPngText } from '../media/png.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-replay-exported-'));
const home = join(work, 'home');
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home, '--json'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('an exported generation replays as identical to its original; a changed one does not', async () => {
  const made = tessera('generate', '--prompt', 'green tree', '--seed', '11');
  assert.equal(made.code, 0, made.stderr);
  const item = (
    JSON.parse(made.stdout.trim().split('\n').pop()!) as { results: { item: number }[] }
  ).results[0]!.item;
  const shown = tessera('library', 'show', String(item));
  const original = readFileSync((JSON.parse(shown.stdout) as { filePath: string }).filePath);

  const folder = join(work, 'export');
  assert.equal(tessera('library', 'export', String(item), '--out', folder).code, 0);
  const exported = join(folder, readdirSync(folder)[0]!);
  const bytes = readFileSync(exported);
  assert.notEqual(sha256(bytes), sha256(original), 'the export gained metadata');
  assert.ok(extractXmp(bytes, 'image/png') !== null);

  const replay = tessera('generate', '--replay', exported);
  assert.equal(replay.code, 0, replay.stdout + replay.stderr);
  const report = JSON.parse(replay.stdout.trim().split('\n').pop()!) as {
    identical: boolean;
    originalSha256: string;
  };
  assert.equal(report.identical, true);
  assert.equal(report.originalSha256, sha256(original), 'compared with the original generation');

  // The same recipe over other pixels is not the original: the replay says so.
  const { data, info } = await sharp(exported).raw().toBuffer({ resolveWithObject: true });
  data[0] = data[0]! ^ 0xff;
  const texts = readPngText(bytes);
  const changed = join(work, 'changed.png');
  writeFileSync(
    changed,
    encodePng(data, info.width, info.height, {
      text: { parameters: texts.parameters!, Software: 'Tessera' },
      itext: { tessera: texts.tessera! },
    }),
  );
  const differs = tessera('generate', '--replay', changed);
  assert.equal(differs.code, 3, differs.stderr);
  assert.match(differs.stderr, /differs from the original/);
});
