import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { generation, painters, sha256, tempDir, tempGallery } from './testing/helpers.ts';

const bigPng = (hue: number) =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: { r: hue, g: 40, b: 90 } } })
    .png()
    .toBuffer();

test('trash hides items, restore brings them back, and the purge clock keeps the first trashing', async () => {
  const gallery = tempGallery();
  const a = await gallery.addGeneration(generation(painters.redDisc!, { prompt: 'kept' }));
  const b = await gallery.addGeneration(generation(painters.blueSky!, { prompt: 'binned' }));
  gallery.trash([b]);
  const trashedAt = gallery.getItem(b)!.deletedAt!;
  assert.deepEqual(
    gallery.query({}).items.map((i) => i.id),
    [a],
  );
  assert.deepEqual(gallery.query({ text: 'binned' }).items, []);
  assert.deepEqual(
    gallery.query({ trashed: true }).items.map((i) => i.id),
    [b],
  );
  await sleep(5);
  gallery.trash([b]);
  assert.equal(gallery.getItem(b)!.deletedAt, trashedAt);
  gallery.restore([b]);
  assert.equal(gallery.getItem(b)!.deletedAt, null);
  assert.equal(gallery.count({}), 2);
});

test('purging deletes old trash rows and their files, but never a library photo or live files', async () => {
  const gallery = tempGallery();
  // An imported photo (object + thumbnail), a generation, and a photo in a library folder.
  const imported = await bigPng(200);
  const photo = await gallery.addPhoto({
    bytes: imported,
    sha256: sha256(imported),
    mime: 'image/png',
    width: 400,
    height: 300,
    size: imported.length,
    exif: null,
    origin: 'imported',
  });
  const gen = await gallery.addGeneration(generation(painters.checker!, { prompt: 'doomed' }));
  const kept = await gallery.addGeneration(generation(painters.sunset!, { prompt: 'kept' }));
  const root = join(tempDir(), 'Pictures');
  mkdirSync(root);
  const libraryBytes = await bigPng(10);
  const libraryPath = join(root, 'mine.png');
  writeFileSync(libraryPath, libraryBytes);
  gallery.addLibraryRoot(root);
  const libraryPhoto = await gallery.addPhoto({
    path: libraryPath,
    sha256: sha256(libraryBytes),
    mime: 'image/png',
    width: 400,
    height: 300,
    size: libraryBytes.length,
    exif: null,
    origin: 'library',
  });
  const photoItem = gallery.getItem(photo.assetId)!;
  const genItem = gallery.getItem(gen)!;
  const libraryItem = gallery.getItem(libraryPhoto.assetId)!;
  gallery.addTags([gen], ['doomed']);
  gallery.setUserCaption(gen, 'to be purged');

  gallery.trash([photo.assetId, gen, libraryPhoto.assetId]);
  // Trashed moments ago: a 30-day purge leaves them alone.
  assert.equal(await gallery.purgeTrash(30 * 86_400_000), 0);
  assert.ok(existsSync(genItem.filePath!));

  assert.equal(await gallery.purgeTrash(0), 3);
  assert.equal(gallery.getItem(gen), null);
  assert.equal(gallery.count({ trashed: true }), 0);
  assert.equal(existsSync(genItem.filePath!), false);
  assert.equal(existsSync(photoItem.filePath!), false);
  assert.equal(existsSync(photoItem.thumbPath!), false);
  assert.equal(existsSync(libraryItem.thumbPath!), false);
  assert.equal(existsSync(libraryPath), true); // the user's own file
  assert.equal(existsSync(gallery.getItem(kept)!.filePath!), true);
  assert.deepEqual(gallery.listTags(), []); // a tag only purged items carried
  assert.deepEqual(gallery.query({ text: 'purged' }).items, []);
  assert.equal(gallery.integrityCheck(), 'ok');
});
