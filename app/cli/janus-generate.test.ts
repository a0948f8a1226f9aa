/**
 * A converted Janus-Pro folder through the `tessera` command line, as a user meets it: imported
 * into the data folder, it generates a picture of its manifest's size, the recipe names the
 * model by its language model's hash, and `--replay` makes the same bytes again.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { Recipe } from '../common/recipe.ts';
import { tinyJanusDir } from '../inference/families/janus-pro/testing/tiny-model.ts';
import { readPngText } from '../media/png.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-janus-cli-'));
const home = join(work, 'home');
after(() => rmSync(work, { recursive: true, force: true }));

function ok(...args: string[]): string {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `tessera ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

test('an imported Janus-Pro folder generates, records its model and replays byte for byte', async () => {
  const dir = tinyJanusDir();
  ok('models', 'import', dir);
  const first = join(work, 'first.png');
  ok(
    'generate',
    '--model',
    'tessera/janus-pro-tiny-random',
    '--prompt',
    'a red heart',
    '--seed',
    '4',
    '--out',
    first,
  );
  const meta = await sharp(first).metadata();
  assert.deepEqual([meta.width, meta.height], [48, 48]);
  const recipe = JSON.parse(readPngText(readFileSync(first)).tessera!) as Recipe;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    graphs: Record<string, { sha256: string }>;
  };
  assert.equal(recipe.family, 'janus-pro');
  assert.equal(recipe.modelSha256, manifest.graphs.language_model!.sha256);
  const again = join(work, 'again.png');
  assert.match(ok('generate', '--replay', first, '--out', again), /byte-identical/);
  assert.ok(readFileSync(first).equals(readFileSync(again)));
  const captioned = JSON.parse(
    ok('caption', first, '--model', 'tessera/janus-pro-tiny-random', '--json'),
  ) as { caption: string; model: string };
  assert.equal(captioned.model, 'tessera/janus-pro-tiny-random');
  assert.ok(captioned.caption.length > 0, 'the understanding path answers');
});
