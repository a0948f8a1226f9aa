import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { GalleryError } from './index.ts';
import { generation, painters, sha256, tempDir, tempGallery } from './testing/helpers.ts';

const isCode = (code: string) => (err: unknown) => err instanceof GalleryError && err.code === code;

/** A 600×300 JPEG whose EXIF says "rotate 90°": it displays as 300×600. */
const sidewaysPhoto = () =>
  sharp({ create: { width: 600, height: 300, channels: 3, background: '#3a6' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();

test('a generation is stored as file and rows, and reads back whole', async () => {
  const gallery = tempGallery();
  const g = generation(
    painters.redDisc!,
    { prompt: 'red heart, shiny', seed: 9, selfScore: { logProbPerToken: -0.5, candidates: 4 } },
    { jobId: 'job-1', durationMs: 2500 },
  );
  const id = await gallery.addGeneration(g);
  const item = gallery.getItem(id)!;
  assert.equal(item.kind, 'generation');
  assert.equal(item.origin, 'generated');
  assert.equal(item.sha256, sha256(g.png));
  assert.equal(item.mime, 'image/png');
  assert.deepEqual(readFileSync(item.filePath!), Buffer.from(g.png));
  assert.equal(item.thumbPath, null); // 32 px: the file is its own thumbnail
  assert.equal(item.title, 'red heart, shiny');
  assert.equal(item.modelId, g.recipe.modelId);
  assert.deepEqual(item.generation, {
    recipe: g.recipe,
    codes: g.codes,
    jobId: 'job-1',
    provider: 'cpu',
    durationMs: 2500,
  });
  assert.deepEqual(item.score, { logProbPerToken: -0.5, candidates: 4 });
  assert.equal(item.bytes, g.png.byteLength);
  assert.equal(item.deletedAt, null);
  assert.equal(gallery.findBySha(item.sha256), id);
  assert.equal(gallery.getItem(id + 1000), null);
});

test('an infill links to its parent, given or found by the hash in its recipe', async () => {
  const gallery = tempGallery();
  const parentGen = generation(painters.blueSky!, { prompt: 'sky' });
  const parent = await gallery.addGeneration(parentGen);
  const explicit = await gallery.addGeneration(
    generation(
      painters.sunset!,
      { prompt: 'sky, branched' },
      {
        parent: { assetId: parent, op: 'branch', maskSha256: null },
      },
    ),
  );
  const inferred = await gallery.addGeneration(
    generation(painters.greenStripes!, {
      task: 'infill',
      prompt: 'sky with stripes',
      parent: { sha256: sha256(parentGen.png), maskSha256: 'd'.repeat(64), featherPx: 2 },
    }),
  );
  assert.deepEqual(gallery.getItem(inferred)!.parents, [
    { id: parent, op: 'infill', maskSha256: 'd'.repeat(64) },
  ]);
  assert.deepEqual(gallery.getItem(parent)!.children, [
    { id: explicit, op: 'branch' },
    { id: inferred, op: 'infill' },
  ]);
});

test('a generation naming a missing parent or board is refused before its file is written', async () => {
  const gallery = tempGallery();
  const orphan = generation(
    painters.checker!,
    {},
    {
      parent: { assetId: 999, op: 'infill', maskSha256: null },
    },
  );
  await assert.rejects(gallery.addGeneration(orphan), isCode('not-found'));
  assert.equal(gallery.objectPath(sha256(orphan.png)), null);
  await assert.rejects(
    gallery.addGeneration(generation(painters.checker!, {}, { boardId: 5 })),
    isCode('not-found'),
  );
  const bad = generation(painters.checker!);
  await assert.rejects(
    gallery.addGeneration({ ...bad, recipe: { ...bad.recipe, seed: -1 } }),
    isCode('invalid'),
  );
  await assert.rejects(
    gallery.addGeneration({ ...bad, png: new Uint8Array([1, 2, 3]) }),
    isCode('invalid'),
  );
});

test('generating the same bytes again returns the same item, restored from the trash', async () => {
  const gallery = tempGallery();
  const g = generation(painters.sunset!, { prompt: 'replayed' });
  const id = await gallery.addGeneration(g);
  gallery.trash([id]);
  assert.equal(await gallery.addGeneration(g), id);
  assert.equal(gallery.getItem(id)!.deletedAt, null);
  assert.equal(gallery.count({}), 1);
});

test('an imported photo is copied, thumbnailed upright, and imported only once', async () => {
  const gallery = tempGallery();
  const bytes = await sidewaysPhoto();
  const photo = {
    bytes,
    sha256: sha256(bytes),
    mime: 'image/png', // wrong on purpose: the bytes are a JPEG
    width: 300,
    height: 600,
    size: bytes.length,
    exif: { Orientation: 6 },
    origin: 'imported' as const,
  };
  const first = await gallery.addPhoto(photo);
  assert.equal(first.created, true);
  assert.deepEqual(await gallery.addPhoto(photo), { assetId: first.assetId, created: false });
  const item = gallery.getItem(first.assetId)!;
  assert.equal(item.kind, 'photo');
  assert.equal(item.mime, 'image/jpeg');
  assert.ok(item.filePath!.endsWith('.jpg'));
  assert.deepEqual(readFileSync(item.filePath!), bytes);
  assert.deepEqual(item.exif, { Orientation: 6 });
  const thumb = await sharp(item.thumbPath!).metadata();
  assert.deepEqual([thumb.format, thumb.width, thumb.height], ['webp', 128, 256]);
  await assert.rejects(gallery.addPhoto({ ...photo, sha256: 'f'.repeat(64) }), isCode('invalid'));
});

test('a library photo stays in its folder and is linked to its file there', async () => {
  const gallery = tempGallery();
  const root = join(tempDir(), 'Pictures');
  mkdirSync(join(root, 'cats'), { recursive: true });
  const path = join(root, 'cats', 'tabby.jpg');
  const bytes = await sidewaysPhoto();
  writeFileSync(path, bytes);
  const rootId = gallery.addLibraryRoot(root);
  assert.equal(gallery.addLibraryRoot(root + '/'), rootId);
  const { assetId } = await gallery.addPhoto({
    path,
    sha256: sha256(bytes),
    mime: 'image/jpeg',
    width: 300,
    height: 600,
    size: bytes.length,
    exif: null,
    origin: 'library',
  });
  const item = gallery.getItem(assetId)!;
  assert.equal(item.origin, 'library');
  assert.equal(item.filePath, path);
  assert.deepEqual(item.files, [path]);
  assert.equal(item.title, 'tabby.jpg');
  assert.ok(existsSync(item.thumbPath!));
  assert.equal(gallery.objectPath(item.sha256), null); // not copied
  const file = gallery.libraryFile(rootId, 'cats/tabby.jpg')!;
  assert.equal(file.assetId, assetId);
  assert.equal(file.size, bytes.length);
  // The caption job's own upsert of the same file updates that row.
  const fileId = gallery.upsertLibraryFile(rootId, 'cats/tabby.jpg', {
    ...file,
    mtimeMs: 1234.5,
  });
  assert.equal(fileId, file.id);
  assert.equal(gallery.libraryFile(rootId, 'cats/tabby.jpg')!.mtimeMs, 1234.5);
  assert.throws(
    () => gallery.upsertLibraryFile(rootId + 1, 'x.jpg', { ...file }),
    isCode('not-found'),
  );
});

test('star and rating apply to many items; bad ids and ratings are refused', async () => {
  const gallery = tempGallery();
  const a = await gallery.addGeneration(generation(painters.redDisc!, {}, {}, 1));
  const b = await gallery.addGeneration(generation(painters.redDisc!, {}, {}, 2));
  gallery.setStar([a, b], true);
  gallery.setRating([b], 5);
  assert.deepEqual(
    [gallery.getItem(a)!.starred, gallery.getItem(b)!.starred, gallery.getItem(b)!.rating],
    [true, true, 5],
  );
  assert.throws(() => gallery.setRating([a], 6), isCode('invalid'));
  assert.throws(() => gallery.setRating([a], 2.5), isCode('invalid'));
  assert.throws(() => gallery.setStar([a, 12345], false), isCode('not-found'));
  assert.equal(gallery.getItem(a)!.starred, true); // the failed call changed nothing
  assert.throws(() => gallery.trash([0]), isCode('invalid'));
});

test("another tool's generation keeps its prompt and settings and is found by them", async () => {
  const gallery = tempGallery();
  const { png } = generation(painters.greenStripes!);
  const infotext =
    'a cat wearing a hat\nNegative prompt: blurry\nSteps: 20, Seed: 1234, Model: v1-5-pruned';
  const foreign = {
    bytes: png,
    width: 32,
    height: 32,
    prompt: 'a cat wearing a hat',
    negativePrompt: 'blurry',
    settings: { Steps: '20', Seed: '1234', Model: 'v1-5-pruned' },
    infotext,
  };
  const id = await gallery.addForeignGeneration(foreign);
  assert.equal(await gallery.addForeignGeneration(foreign), id);
  const item = gallery.getItem(id)!;
  assert.deepEqual(
    [item.kind, item.origin, item.title, item.modelId, item.generation],
    ['generation', 'imported', 'a cat wearing a hat', 'v1-5-pruned', null],
  );
  assert.deepEqual(item.foreign, {
    tool: 'automatic1111',
    prompt: 'a cat wearing a hat',
    negativePrompt: 'blurry',
    settings: { Steps: '20', Seed: '1234', Model: 'v1-5-pruned' },
    seed: 1234,
    infotext,
    promptGraph: null,
    workflow: null,
  });
  assert.deepEqual(readFileSync(item.filePath!), Buffer.from(png));
  assert.deepEqual(
    gallery.query({ text: 'hat v1' }).items.map((i) => i.id),
    [id],
  );
  assert.deepEqual(
    gallery.query({ kind: 'generation' }).items.map((i) => i.id),
    [id],
  );
  await assert.rejects(
    gallery.addForeignGeneration({ ...foreign, bytes: Buffer.from('GIF89a, not a recipe') }),
    isCode('invalid'),
  );
});

test("filters by model and seed find other tools' generations beside Tessera's, paged in order", async () => {
  const gallery = tempGallery();
  const foreign = (salt: number, settings: Record<string, string>) =>
    gallery.addForeignGeneration({
      bytes: generation(painters.sunset!, {}, {}, salt).png,
      width: 32,
      height: 32,
      prompt: `imported ${salt}`,
      negativePrompt: '',
      settings,
      infotext: '',
    });
  const tessera = (salt: number, seed: number) =>
    gallery.addGeneration(generation(painters.checker!, { seed }, {}, salt));
  const ids = [
    await tessera(1, 12345),
    await foreign(2, { Seed: '12345', Model: 'sd15' }),
    await tessera(3, 7),
    await foreign(4, { Seed: '12345', Model: 'sdxl' }),
    await tessera(5, 12345),
  ];
  const pages = (q: object) => {
    const seen: number[] = [];
    for (let cursor: string | null = null; ;) {
      const page = gallery.query({ ...q, limit: 1, cursor });
      seen.push(...page.items.map((i) => i.id));
      if (page.nextCursor === null) return seen;
      cursor = page.nextCursor;
    }
  };
  const [t1, f2, , f4, t5] = ids as [number, number, number, number, number];
  assert.deepEqual(pages({ seed: 12345 }), [t5, f4, f2, t1]);
  assert.deepEqual(pages({ seed: 12345, sort: 'oldest' }), [t1, f2, f4, t5]);
  assert.deepEqual(pages({ modelId: 'sd15' }), [f2]);
  assert.deepEqual(pages({ modelId: 'sdxl', seed: 12345 }), [f4]);
  assert.equal(gallery.count({ seed: 12345 }), 4);
  assert.deepEqual(pages({ seed: 12345, sort: 'adherence' }).sort(), [t1, f2, f4, t5].sort());
  // Family and task belong to Tessera's recipes only.
  assert.deepEqual(pages({ seed: 12345, family: 'vq-ar' }), [t5, t1]);
});

test("another tool's generation with no prompt is titled by its caption, not left blank", async () => {
  const gallery = tempGallery();
  const id = await gallery.addForeignGeneration({
    bytes: generation(painters.blueSky!).png,
    width: 32,
    height: 32,
    prompt: '',
    negativePrompt: '',
    settings: { Steps: '20', Seed: '3' },
    infotext: 'Steps: 20, Seed: 3',
  });
  gallery.addFileCaption(id, 'Blue hour study');
  assert.equal(gallery.getItem(id)!.title, 'Blue hour study');
});
