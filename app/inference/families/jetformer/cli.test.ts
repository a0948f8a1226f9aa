/**
 * The smoke jetformer export through the `tessera` command line, as any other model: imported,
 * generated through the queue into the library (best of 2), replayed byte for byte from the
 * PNG's recipe, captioned, and its exact bits per dimension printed by `tessera score`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { bitsPerDim } from './caption.ts';
import { JetFormerModel } from './model.ts';
import { smokeModelDir } from './testing/smoke-model.ts';
import { TESSERA_CLI } from '../../../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-jetformer-cli-'));
const home = join(work, 'home');
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(...args: string[]): string {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, `tessera ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('generate (best of 2), replay, caption and exact bits per dimension through the CLI', async () => {
  const dir = smokeModelDir();
  const id = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { id: string }).id;
  tessera('models', 'import', dir);
  const out = join(work, 'heart.png');
  tessera(
    'generate',
    '--model',
    id,
    '--prompt',
    'red heart',
    '--seed',
    '5',
    '--best-of',
    '2',
    '--out',
    out,
  );
  const shown = tessera('library', 'show', '1');
  assert.match(shown, new RegExp(`model ${id}`));
  // The generation was stored with its exact bits per dimension, and sorts first by surprise.
  const stored = new RegExp(`([\\d.]+) bits/dim under ${id}: how surprising`).exec(shown);
  assert.ok(stored !== null, shown);
  const listed = JSON.parse(tessera('library', 'list', '--sort', 'surprise', '--json')) as {
    items: { id: number }[];
  };
  assert.deepEqual(
    listed.items.map((i) => i.id),
    [1],
  );
  const again = join(work, 'again.png');
  assert.match(tessera('generate', '--replay', out, '--out', again), /byte-identical/);
  assert.deepEqual(readFileSync(again), readFileSync(out));
  const caption = JSON.parse(tessera('caption', out, '--model', id, '--json')) as {
    caption: string;
  };
  assert.ok(caption.caption.length > 0);

  const printed = JSON.parse(tessera('score', '--image', out, '--model', id, '--json')) as {
    bitsPerDim: number;
  };
  const rgb = new Uint8Array(await sharp(out).removeAlpha().raw().toBuffer());
  const model = await JetFormerModel.load(dir, { provider: 'cpu', threads: 1 });
  try {
    const direct = await bitsPerDim(model, rgb, '', null);
    assert.ok(Math.abs(printed.bitsPerDim - direct) < 1e-6, `${printed.bitsPerDim} vs ${direct}`);
    // The library's value is the one `tessera score` prints for the same file.
    assert.ok(Math.abs(Number(stored[1]) - direct) < 1e-4, `${stored[1]} vs ${direct}`);
  } finally {
    await model.release();
  }
});
