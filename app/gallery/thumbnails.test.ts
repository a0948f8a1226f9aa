/** Photos of every size get a thumbnail: the grid never needs a photo's own file to show it. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { addCaptionedPhoto } from './testing/captioned-photo.ts';
import { tempDir, tempGallery } from './testing/helpers.ts';

test('a photo of 256 px or less gets a thumbnail at its own size', async () => {
  const gallery = tempGallery();
  const folder = join(tempDir(), 'photos');
  for (const [w, h] of [
    [40, 30],
    [256, 256],
    [200, 120],
    [451, 300],
  ] as const) {
    const photo = await addCaptionedPhoto(gallery, folder, `p${w}x${h}.jpg`, w, h);
    const item = gallery.getItem(photo.assetId)!;
    assert.notEqual(item.thumbPath, null, `${w}x${h}`);
    assert.ok(existsSync(item.thumbPath!));
    const meta = await sharp(item.thumbPath!).metadata();
    assert.equal(meta.format, 'webp');
    const scale = Math.min(1, 256 / Math.max(w, h));
    assert.equal(meta.width, Math.round(w * scale));
    assert.equal(meta.height, Math.round(h * scale));
  }
});
