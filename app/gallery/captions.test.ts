import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { GalleryError, type Gallery } from './index.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { sha256, tempDir, tempGallery } from './testing/helpers.ts';

const MODEL = DEFAULT_MODEL_ID;
const OTHER = 'acme/captioner-2';
const isCode = (code: string) => (err: unknown) => err instanceof GalleryError && err.code === code;

/** A photo file in a new library folder, added as a library item. */
async function libraryPhoto(gallery: Gallery, folder: string, shade: number) {
  const root = join(tempDir(), folder);
  mkdirSync(root);
  const bytes = await sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: shade, g: 100, b: 50 } },
  })
    .png()
    .toBuffer();
  const path = join(root, 'photo.png');
  writeFileSync(path, bytes);
  const rootId = gallery.addLibraryRoot(root);
  const hash = sha256(bytes);
  const { assetId } = await gallery.addPhoto({
    path,
    sha256: hash,
    mime: 'image/png',
    width: 40,
    height: 30,
    size: bytes.length,
    exif: null,
    origin: 'library',
  });
  const fileId = gallery.libraryFile(rootId, 'photo.png')!.id;
  return { rootId, sha256: hash, assetId, fileId };
}

const roles = (gallery: Gallery, id: number) =>
  gallery.getItem(id)!.captions.map((c) => `${c.role}:${c.source}:${c.text}`);

test("a user's caption is never displaced by a model's", async () => {
  const gallery = tempGallery();
  const p = await libraryPhoto(gallery, 'a', 10);
  const first = gallery.setUserCaption(p.assetId, 'my cat');
  const second = gallery.setUserCaption(p.assetId, ' my cat, asleep ');
  assert.notEqual(first, second);
  assert.deepEqual(roles(gallery, p.assetId), [
    'current:user:my cat, asleep',
    'suggestion:user:my cat',
  ]);
  const captionId = gallery.saveCaption({
    ...p,
    modelId: MODEL,
    text: 'a cat',
    role: 'current',
    conflict: null,
  });
  assert.deepEqual(roles(gallery, p.assetId), [
    'current:user:my cat, asleep',
    'suggestion:model:a cat',
    'suggestion:user:my cat',
  ]);
  assert.deepEqual(gallery.captionResult(p.sha256, MODEL), {
    status: 'done',
    error: null,
    attempts: 1,
    captionId,
    captionRole: 'suggestion',
  });
  assert.equal(gallery.query({}).items[0]!.title, 'my cat, asleep');
  // Typing an earlier caption again reuses it.
  assert.equal(gallery.setUserCaption(p.assetId, 'my cat'), first);
});

test('a model caption leads where no person wrote one; a rerun updates it in place', async () => {
  const gallery = tempGallery();
  const p = await libraryPhoto(gallery, 'b', 20);
  const id = gallery.saveCaption({
    ...p,
    modelId: MODEL,
    text: 'a dog',
    role: 'current',
    conflict: null,
  });
  const other = gallery.saveCaption({
    ...p,
    modelId: OTHER,
    text: 'a puppy',
    role: 'current',
    conflict: null,
  });
  assert.deepEqual(roles(gallery, p.assetId), ['current:model:a puppy', 'suggestion:model:a dog']);
  assert.equal(
    gallery.saveCaption({
      ...p,
      modelId: MODEL,
      text: 'a brown dog',
      role: 'current',
      conflict: null,
    }),
    id,
  );
  assert.deepEqual(roles(gallery, p.assetId), [
    'current:model:a brown dog',
    'suggestion:model:a puppy',
  ]);
  assert.equal(gallery.captionResult(p.sha256, MODEL)!.attempts, 2);
  assert.deepEqual(
    gallery.query({ text: 'puppy' }).items.map((i) => i.id),
    [p.assetId],
  );
  // The partial unique index itself: one model caption per item per model, any number of others.
  const db = new Database(gallery.dbPath);
  try {
    const insert = db.prepare(
      `INSERT INTO captions (asset_id, text, source, model_id, role, created_at)
       VALUES (?, 'again', ?, ?, 'suggestion', 0)`,
    );
    assert.throws(() => insert.run(p.assetId, 'model', MODEL), /UNIQUE constraint failed/);
    insert.run(p.assetId, 'user', null);
    insert.run(p.assetId, 'user', null);
    assert.throws(
      () => db.prepare(`UPDATE captions SET role = 'current' WHERE id = ?`).run(other),
      /UNIQUE constraint failed/,
    );
  } finally {
    db.close();
  }
  assert.equal(gallery.getItem(p.assetId)!.captions.length, 4);
});

test("accepting a suggestion makes it the current caption and the user's own", async () => {
  const gallery = tempGallery();
  const p = await libraryPhoto(gallery, 'c', 30);
  gallery.setUserCaption(p.assetId, 'mine');
  const suggestion = gallery.saveCaption({
    ...p,
    modelId: MODEL,
    text: 'better words',
    role: 'suggestion',
    conflict: 'the file already has a description',
  });
  gallery.acceptSuggestion(suggestion);
  const captions = gallery.getItem(p.assetId)!.captions;
  assert.deepEqual(
    captions.map((c) => [c.id === suggestion, c.role, c.source, c.modelId]),
    [
      [true, 'current', 'user', MODEL],
      [false, 'suggestion', 'user', null],
    ],
  );
  // A reset of the model's captions keeps what the user chose, and its result.
  assert.equal(gallery.resetModelCaptions({ modelId: MODEL }), 0);
  assert.equal(gallery.captionResult(p.sha256, MODEL)!.captionId, suggestion);
  assert.throws(() => gallery.acceptSuggestion(9999), isCode('not-found'));
});

test('failures are counted per file and model; success clears the error', async () => {
  const gallery = tempGallery();
  const p = await libraryPhoto(gallery, 'd', 40);
  gallery.saveCaptionFailure({ ...p, modelId: MODEL, error: 'out of memory' });
  gallery.saveCaptionFailure({ ...p, modelId: MODEL, error: 'out of memory again' });
  assert.deepEqual(gallery.captionResult(p.sha256, MODEL), {
    status: 'failed',
    error: 'out of memory again',
    attempts: 2,
    captionId: null,
    captionRole: null,
  });
  assert.deepEqual(gallery.captionResultCounts(MODEL), { done: 0, failed: 1 });
  gallery.saveCaption({ ...p, modelId: MODEL, text: 'a tree', role: 'current', conflict: null });
  assert.deepEqual(
    { ...gallery.captionResult(p.sha256, MODEL), captionId: null },
    { status: 'done', error: null, attempts: 3, captionId: null, captionRole: 'current' },
  );
  assert.deepEqual(gallery.captionResultCounts(MODEL), { done: 1, failed: 0 });
  assert.equal(gallery.captionResult(p.sha256, OTHER), null);
});

test('caption and result are written together or not at all', async () => {
  const gallery = tempGallery();
  const p = await libraryPhoto(gallery, 'e', 50);
  const base = { ...p, modelId: MODEL, text: 'x', role: 'current' as const, conflict: null };
  assert.throws(() => gallery.saveCaption({ ...base, fileId: 777 }), isCode('not-found'));
  assert.throws(() => gallery.saveCaption({ ...base, sha256: 'e'.repeat(64) }), isCode('invalid'));
  assert.throws(() => gallery.saveCaption({ ...base, text: '  ' }), isCode('invalid'));
  // The result row fails after the caption row was written: the caption must not stay.
  const db = new Database(gallery.dbPath);
  db.exec(`CREATE TRIGGER simulated_failure BEFORE INSERT ON caption_results
           BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
  assert.throws(() => gallery.saveCaption(base), /simulated failure/);
  db.exec('DROP TRIGGER simulated_failure');
  db.close();
  assert.deepEqual(gallery.getItem(p.assetId)!.captions, []);
  assert.equal(gallery.captionResult(p.sha256, MODEL), null);
  gallery.saveCaption(base);
  assert.equal(gallery.getItem(p.assetId)!.captions.length, 1);
});

test('a reset removes model captions of one folder or one model, never user captions', async () => {
  const gallery = tempGallery();
  const a = await libraryPhoto(gallery, 'f', 60);
  const b = await libraryPhoto(gallery, 'g', 70);
  for (const p of [a, b]) {
    gallery.saveCaption({
      ...p,
      modelId: MODEL,
      text: 'model one',
      role: 'current',
      conflict: null,
    });
    gallery.saveCaption({
      ...p,
      modelId: OTHER,
      text: 'model two',
      role: 'suggestion',
      conflict: null,
    });
  }
  gallery.setUserCaption(b.assetId, 'written by hand');
  gallery.saveCaptionFailure({ ...a, modelId: 'acme/broken', error: 'crashed' });
  assert.deepEqual(gallery.captionResultCounts(MODEL, a.rootId), { done: 1, failed: 0 });

  assert.equal(gallery.resetModelCaptions({ rootId: a.rootId }), 2);
  assert.deepEqual(gallery.getItem(a.assetId)!.captions, []);
  assert.equal(gallery.captionResult(a.sha256, MODEL), null);
  assert.equal(gallery.captionResult(a.sha256, 'acme/broken'), null);
  assert.equal(gallery.getItem(b.assetId)!.captions.length, 3); // the other folder is untouched

  assert.equal(gallery.resetModelCaptions({ modelId: OTHER }), 1);
  assert.deepEqual(roles(gallery, b.assetId), [
    'current:user:written by hand',
    'suggestion:model:model one',
  ]);
  assert.deepEqual(gallery.captionResultCounts(MODEL), { done: 1, failed: 0 });
  assert.deepEqual(gallery.captionResultCounts(OTHER), { done: 0, failed: 0 });
  assert.equal(gallery.resetModelCaptions({}), 1);
  assert.deepEqual(roles(gallery, b.assetId), ['current:user:written by hand']);
});

test("a file's own description outranks model captions and never a user's", async () => {
  const gallery = tempGallery();
  const p = await libraryPhoto(gallery, 'h', 80);
  gallery.saveCaption({
    ...p,
    modelId: MODEL,
    text: 'a red square',
    role: 'current',
    conflict: null,
  });
  const fromFile = gallery.addFileCaption(p.assetId, 'Sunset over the harbour, 2019');
  assert.equal(gallery.addFileCaption(p.assetId, 'Sunset over the harbour, 2019'), fromFile);
  assert.deepEqual(roles(gallery, p.assetId), [
    'current:file:Sunset over the harbour, 2019',
    'suggestion:model:a red square',
  ]);
  // A model rerun stays a suggestion under the file's caption.
  gallery.saveCaption({
    ...p,
    modelId: OTHER,
    text: 'an orange square',
    role: 'current',
    conflict: null,
  });
  assert.equal(gallery.getItem(p.assetId)!.captions[0]!.id, fromFile);
  gallery.setUserCaption(p.assetId, 'Harbour at dusk');
  gallery.addFileCaption(p.assetId, 'Another embedded text');
  assert.deepEqual(roles(gallery, p.assetId).slice(0, 2), [
    'current:user:Harbour at dusk',
    'suggestion:file:Another embedded text',
  ]);
  assert.equal(gallery.resetModelCaptions({}), 2);
  assert.equal(gallery.getItem(p.assetId)!.captions.length, 3);
  assert.throws(() => gallery.addFileCaption(p.assetId, ' '), isCode('invalid'));
});
