/**
 * The desktop's `tessera-asset:` handler serves a photo captioned where it lies from its own
 * file, and answers a photo that moved or changed with the same JSON 409 as web mode.
 */
import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addCaptionedPhoto } from '../gallery/testing/captioned-photo.ts';
import { tempDir, tempGallery } from '../gallery/testing/helpers.ts';
import { APP_ORIGIN } from './app-origin.ts';
import { createAssetHandler } from './asset-protocol.ts';

test('a captioned photo is served from its path until it moves or changes', async () => {
  const gallery = tempGallery();
  const folder = join(tempDir(), 'photos');
  const handle = createAssetHandler(gallery);
  const photo = await addCaptionedPhoto(gallery, folder, 'astronaut.jpg', 451, 300);
  const small = await addCaptionedPhoto(gallery, folder, 'small.jpg', 200, 100);

  const full = await handle(new Request(`tessera-asset://${photo.sha256}/`));
  assert.equal(full.status, 200);
  assert.equal(full.headers.get('content-type'), 'image/jpeg');
  assert.equal(full.headers.get('access-control-allow-origin'), APP_ORIGIN);
  assert.deepEqual(Buffer.from(await full.arrayBuffer()), photo.bytes);
  for (const p of [photo, small]) {
    const thumb = await handle(new Request(`tessera-asset://${p.sha256}/?size=thumb`));
    assert.equal(thumb.headers.get('content-type'), 'image/webp', 'every photo has a thumbnail');
    await thumb.arrayBuffer();
  }

  const later = new Date(Date.now() + 60_000);
  utimesSync(small.path, later, later);
  assert.equal((await handle(new Request(`tessera-asset://${small.sha256}`))).status, 200);

  writeFileSync(small.path, Buffer.alloc(small.bytes.length, 7)); // same size, other bytes
  const changed = await handle(new Request(`tessera-asset://${small.sha256}`));
  assert.equal(changed.status, 409);
  assert.deepEqual(await changed.json(), {
    ok: false,
    error: {
      code: 'file-changed',
      message: `the photo moved or changed since it was captioned: ${small.path}`,
    },
  });

  rmSync(photo.path);
  const moved = await handle(new Request(`tessera-asset://${photo.sha256}`, { method: 'HEAD' }));
  assert.equal(moved.status, 409);
});
