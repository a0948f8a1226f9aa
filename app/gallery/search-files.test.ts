/**
 * Search finds photos by the name and folders of their file, and the kind filter tells
 * generations and photos apart, in the page and in its count alike.
 */
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addCaptionedPhoto } from './testing/captioned-photo.ts';
import { generation, painters, tempDir, tempGallery } from './testing/helpers.ts';

test('"astronaut" finds astronaut.jpg, and a folder name finds the photos in it', async () => {
  const gallery = tempGallery();
  const folder = join(tempDir(), 'Pictures', 'space-trip');
  const astronaut = await addCaptionedPhoto(gallery, folder, 'astronaut.jpg', 40, 30);
  const rocket = await addCaptionedPhoto(gallery, folder, 'launch_pad.jpg', 30, 40);
  const made = await gallery.addGeneration(
    generation(Object.values(painters)[0]!, { prompt: 'red heart' }),
  );
  const ids = (text: string, kind?: 'generation' | 'photo') =>
    gallery.query({ text, ...(kind ? { kind } : {}) }).items.map((i) => i.id);

  assert.deepEqual(ids('astronaut'), [astronaut.assetId]);
  assert.deepEqual(ids('astro'), [astronaut.assetId], 'a prefix of the name');
  assert.deepEqual(ids('launch pad'), [rocket.assetId]);
  assert.deepEqual(ids('space trip').sort(), [astronaut.assetId, rocket.assetId].sort());
  assert.equal(gallery.count({ text: 'space' }), 2);

  // Generations and photos apart, and the counts agree with the pages.
  assert.deepEqual(
    gallery.query({ kind: 'generation' }).items.map((i) => i.id),
    [made],
  );
  assert.equal(gallery.count({ kind: 'generation' }), 1);
  assert.equal(gallery.count({ kind: 'photo' }), 2);
  assert.deepEqual(ids('space', 'generation'), []);

  // A rescan that sees the file under a new name is what search then finds.
  const root = gallery.addLibraryRoot(folder);
  const row = gallery.libraryFile(root, 'astronaut.jpg')!;
  renameSync(astronaut.path, join(folder, 'cosmonaut.jpg'));
  gallery.upsertLibraryFile(root, 'cosmonaut.jpg', { ...row, assetId: row.assetId });
  assert.deepEqual(ids('cosmonaut'), [astronaut.assetId]);
});
