import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { FileIo } from './atomic-file.ts';
import { openGalleryWith } from './gallery.ts';
import { GalleryError } from './index.ts';
import { sniffImageFormat } from './image-format.ts';
import { generation, painters, sha256, tempDir, tempGallery } from './testing/helpers.ts';

const solid = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } });

test('image formats are recognised by their bytes, not their names', async () => {
  const cases: [Buffer, string][] = [
    [await solid().png().toBuffer(), 'png'],
    [await solid().jpeg().toBuffer(), 'jpg'],
    [await solid().webp().toBuffer(), 'webp'],
    [await solid().gif().toBuffer(), 'gif'],
    [await solid().tiff().toBuffer(), 'tif'],
    [await solid().avif().toBuffer(), 'avif'],
    [Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), 'bmp'],
    [Buffer.from('%PDF-1.7 not an image'), 'bin'],
    [Buffer.alloc(0), 'bin'],
  ];
  for (const [bytes, ext] of cases) assert.equal(sniffImageFormat(bytes).ext, ext);
});

test('bytes are stored once, under their sha256, with the extension their content shows', async () => {
  const gallery = tempGallery();
  const jpeg = await solid().jpeg().toBuffer();
  const first = await gallery.storeBytes(jpeg);
  assert.equal(first.sha256, sha256(jpeg));
  assert.equal(
    first.path,
    join(gallery.dir, 'objects', first.sha256.slice(0, 2), `${first.sha256}.jpg`),
  );
  assert.deepEqual(readFileSync(first.path), jpeg);
  const again = await gallery.storeBytes(new Uint8Array(jpeg));
  assert.deepEqual(again, first);
  assert.deepEqual(readdirSync(join(gallery.dir, 'objects', first.sha256.slice(0, 2))), [
    `${first.sha256}.jpg`,
  ]);
  assert.equal(gallery.objectPath(first.sha256), first.path);
  assert.equal(gallery.objectPath('0'.repeat(64)), null);
});

/** A disk that fills up after `room` bytes of a write. */
function fullDisk(room: number): FileIo {
  return {
    async create(path) {
      const handle = await open(path, 'wx');
      return {
        async writeFile(data) {
          await handle.writeFile(data.subarray(0, room));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
            code: 'ENOSPC',
          });
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
}

test('a full disk fails with disk-full and leaves no partial file and no row', async () => {
  const dir = join(tempDir(), 'library');
  const gallery = openGalleryWith(dir, fullDisk(100));
  try {
    const g = generation(painters.redDisc!, { prompt: 'lost to a full disk' });
    await assert.rejects(
      gallery.addGeneration(g),
      (err: unknown) =>
        err instanceof GalleryError &&
        err.code === 'disk-full' &&
        /free some space/.test(err.message),
    );
    const shard = join(dir, 'objects', sha256(g.png).slice(0, 2));
    assert.deepEqual(existsSync(shard) ? readdirSync(shard) : [], []);
    assert.equal(gallery.findBySha(sha256(g.png)), null);
    assert.equal(gallery.count({ text: 'lost' }), 0);
    await assert.rejects(gallery.storeBytes(g.png), { code: 'disk-full' });
  } finally {
    gallery.close();
  }
});
