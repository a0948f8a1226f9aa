import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { EMBEDDING_DIMS, dot, embeddingFromRgb, imageEmbedding } from './image-embedding.ts';
import { GalleryError, openGallery, type Gallery } from './index.ts';
import { paint, painters, sha256, tempGallery, type Painter } from './testing/helpers.ts';

const SIZE = 96;
const scaled =
  (p: Painter): Painter =>
  (x, y) =>
    p(Math.floor((x * 32) / SIZE), Math.floor((y * 32) / SIZE));
const raw = (p: Painter) =>
  sharp(paint(SIZE, SIZE, scaled(p)), { raw: { width: SIZE, height: SIZE, channels: 3 } });

async function importPhoto(gallery: Gallery, bytes: Buffer): Promise<number> {
  const { assetId } = await gallery.addPhoto({
    bytes,
    sha256: sha256(bytes),
    mime: 'image/jpeg',
    width: SIZE,
    height: SIZE,
    size: bytes.length,
    exif: null,
    origin: 'imported',
  });
  return assetId;
}

test('the descriptor is a unit vector that tells pictures apart', async () => {
  const flat = embeddingFromRgb(new Uint8Array(32 * 32 * 3).fill(128));
  assert.equal(flat.length, EMBEDDING_DIMS);
  assert.ok(Math.abs(dot(flat, flat) - 1) < 1e-5);
  const disc = (await imageEmbedding(await raw(painters.redDisc!).png().toBuffer()))!;
  const sky = (await imageEmbedding(await raw(painters.blueSky!).png().toBuffer()))!;
  assert.ok(Math.abs(dot(disc, disc) - 1) < 1e-5);
  assert.ok(dot(disc, sky) < 0.6, `disc vs sky ${dot(disc, sky)}`);
  assert.equal(await imageEmbedding(Buffer.from('not an image')), null);
});

test('"more like this" ranks a near-duplicate first and skips trashed items', async () => {
  const gallery = tempGallery();
  const original = await importPhoto(
    gallery,
    await raw(painters.redDisc!).jpeg({ quality: 95 }).toBuffer(),
  );
  // The same picture, brightened and recompressed hard: what a re-save or a screenshot does.
  const nearDuplicate = await importPhoto(
    gallery,
    await raw(painters.redDisc!).modulate({ brightness: 1.08 }).jpeg({ quality: 40 }).toBuffer(),
  );
  // Same colours, other layout: the red disc moved to a corner.
  const moved: Painter = (x, y) => (x ** 2 + y ** 2 < 100 ? [220, 30, 40] : [250, 250, 250]);
  const sameColours = await importPhoto(gallery, await raw(moved).jpeg().toBuffer());
  const others = [];
  for (const name of ['blueSky', 'greenStripes', 'checker', 'sunset'])
    others.push(await importPhoto(gallery, await raw(painters[name]!).jpeg().toBuffer()));

  const ranked = gallery.similar(original, 10);
  assert.equal(ranked[0]!.id, nearDuplicate);
  assert.ok(ranked[0]!.score > 0.95, `near-duplicate score ${ranked[0]!.score}`);
  assert.equal(ranked[1]!.id, sameColours);
  assert.equal(ranked.length, 6);
  assert.ok(!ranked.some((r) => r.id === original));
  for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.score >= ranked[i]!.score);
  assert.deepEqual(
    gallery.similar(original, 2).map((r) => r.id),
    [nearDuplicate, sameColours],
  );

  gallery.trash([nearDuplicate]);
  assert.equal(gallery.similar(original, 1)[0]!.id, sameColours);
  assert.throws(
    () => gallery.similar(original, 0),
    (err: unknown) => err instanceof GalleryError && err.code === 'invalid',
  );
  assert.throws(
    () => gallery.similar(9999, 5),
    (err: unknown) => err instanceof GalleryError && err.code === 'not-found',
  );
  assert.ok(others.every((id) => ranked.some((r) => r.id === id)));
});

test('"more like this" sees items added by another process and forgets purged ones', async () => {
  const gallery = tempGallery();
  const original = await importPhoto(gallery, await raw(painters.checker!).png().toBuffer());
  const other = await importPhoto(gallery, await raw(painters.sunset!).png().toBuffer());
  assert.deepEqual(
    gallery.similar(original, 5).map((r) => r.id),
    [other],
  );

  const second = openGallery(gallery.dir);
  let copy: number;
  try {
    copy = await importPhoto(second, await raw(painters.checker!).jpeg({ quality: 70 }).toBuffer());
  } finally {
    second.close();
  }
  assert.deepEqual(
    gallery.similar(original, 5).map((r) => r.id),
    [copy, other],
  );

  gallery.trash([copy]);
  await gallery.purgeTrash(0);
  const third = await importPhoto(gallery, await raw(painters.greenStripes!).png().toBuffer());
  assert.deepEqual(new Set(gallery.similar(original, 5).map((r) => r.id)), new Set([other, third]));
});

test('descriptors missing (a library from before schema 40) are computed from the files', async () => {
  const gallery = tempGallery();
  const a = await importPhoto(gallery, await raw(painters.redDisc!).png().toBuffer());
  const b = await importPhoto(
    gallery,
    await raw(painters.redDisc!).jpeg({ quality: 60 }).toBuffer(),
  );
  const db = new Database(gallery.dbPath);
  db.exec('DELETE FROM embeddings');
  db.close();
  assert.deepEqual(gallery.similar(a, 5), []);
  assert.equal(await gallery.indexMissingEmbeddings(1), 1);
  assert.equal(await gallery.indexMissingEmbeddings(), 1);
  assert.equal(await gallery.indexMissingEmbeddings(), 0);
  assert.equal(gallery.similar(a, 5)[0]!.id, b);
});
