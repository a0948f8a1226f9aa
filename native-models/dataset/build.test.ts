import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildDataset, type IndexRecord } from './build.ts';
import { downsampleRgb } from './downsample.ts';
import { readIcons } from './iconify.ts';
import { encodeNpyUint8 } from './npy.ts';
import { renderAll } from './render-pool.ts';

function readNpyShape(path: string): number[] {
  const buf = readFileSync(path);
  assert.equal(buf.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const len = buf.readUInt16LE(8);
  assert.equal((10 + len) % 64, 0, 'header must be 64-byte aligned');
  const header = buf.subarray(10, 10 + len).toString('latin1');
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!;
  return shape
    .split(',')
    .filter((s) => s.trim())
    .map((s) => Number(s));
}

test('npy files carry their shape and exact bytes', () => {
  const data = Uint8Array.from({ length: 24 }, (_, i) => i);
  const npy = encodeNpyUint8(data, [2, 2, 2, 3]);
  assert.deepEqual([...npy.subarray(npy.length - 24)], [...data]);
  assert.throws(() => encodeNpyUint8(data, [5, 5]), /do not fill/);
});

test('downsampling averages 2×2 blocks', () => {
  const rgb = new Uint8Array(4 * 4 * 3);
  rgb.fill(255);
  rgb.set([0, 0, 0], 0); // one black pixel in the top-left block
  const small = downsampleRgb(rgb, 4, 2);
  assert.deepEqual([...small.subarray(0, 3)], [191, 191, 191]);
  assert.deepEqual([...small.subarray(3, 6)], [255, 255, 255]);
});

test('an SVG that aborts the renderer costs only itself', async () => {
  // noto/package makes resvg-js panic and abort its process (docs/models.md §Dataset): the pool
  // survives it.
  const noto = readIcons('noto', 64);
  const poison = noto.find((i) => i.name === 'package')!;
  const good = noto.slice(0, 3);
  const requests = [good[0]!, poison, good[1]!, good[2]!].map((icon, index) => ({
    index,
    svg: icon.svg,
  }));
  const result = await renderAll(requests, 1, () => {});
  assert.deepEqual([...result.rgb.keys()].sort(), [0, 2, 3]);
  assert.match(result.skipped.get(1) ?? '', /renderer process died/);
  assert.equal(result.rgb.get(0)!.length, 64 * 64 * 3);
});

test('a small build is complete, consistent and reproducible', async () => {
  const out = mkdtempSync(join(tmpdir(), 'emoji-v1-'));
  try {
    const options = {
      out,
      sets: ['twemoji', 'fxemoji'],
      limitPerSet: 12,
      processes: 2,
      png: true,
      log: () => {},
    };
    const card = await buildDataset(options);
    const records = readFileSync(join(out, 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as IndexRecord);
    assert.equal(records.length, 24);
    assert.deepEqual(readNpyShape(join(out, 'images-64.npy')), [24, 64, 64, 3]);
    assert.deepEqual(readNpyShape(join(out, 'images-32.npy')), [24, 32, 32, 3]);
    assert.ok(records.every((r) => r.caption.length > 0 && !r.caption.includes('-')));
    assert.equal(card.counts.all!.total, 24);
    assert.equal(card.sets.find((s) => s.set === 'twemoji')!.license, 'CC-BY-4.0');
    const png = readFileSync(join(out, 'png', '32', 'twemoji', `${records[0]!.name}.png`));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    const again = await buildDataset({ ...options, out: join(out, 'again'), png: false });
    assert.deepEqual(again.files, card.files, 'a rebuild must give the same content hashes');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
