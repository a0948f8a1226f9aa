/**
 * Exact bits per dimension in the library, with the smoke jetformer export and the embedded
 * vq-ar model through the real queue and inference process: a jetformer generation and infill
 * are stored with their own value, a vq-ar generation with none, photos a jetformer captions are
 * stored with theirs, and "measure" scores any item (a photo fitted into the model's square) and
 * saves each value as soon as it is measured.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { samplingOf } from '../common/inference-contract.ts';
import type { CaptionFolderJob, GenerateJob, InfillJob } from '../common/queue-contract.ts';
import { openGallery, type Gallery } from '../gallery/index.ts';
import { sha256 } from '../gallery/testing/helpers.ts';
import { InferenceClient } from '../inference/client.ts';
import { bitsPerDim } from '../inference/families/jetformer/caption.ts';
import { JetFormerModel } from '../inference/families/jetformer/model.ts';
import { smokeModelDir } from '../inference/families/jetformer/testing/smoke-model.ts';
import { measureLikelihood } from '../library/measure-likelihood.ts';
import { toModelRgb } from '../media/load-image.ts';
import { importModelFolder } from '../models/import-model.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../models/installed.ts';
import { JobRunner } from './runner.ts';
import { photoLike, rgbOf } from './testing/photo-like.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-likelihood-'));
const client = new InferenceClient();
let gallery: Gallery;
let runner: JobRunner;
let jetformerId: string;
let direct: JetFormerModel;

before(async () => {
  jetformerId = (await importModelFolder(work, smokeModelDir())).id;
  direct = await JetFormerModel.load(smokeModelDir(), { provider: 'cpu', threads: 1 });
  gallery = openGallery(join(work, 'library'));
  runner = new JobRunner({ gallery, client, resolveModel: (id) => resolveModel(work, id) });
});
after(async () => {
  gallery.close();
  await direct.release();
  await client.close();
  rmSync(work, { recursive: true, force: true });
});

async function generateWith(modelId: string): Promise<number> {
  const model = await resolveModel(work, modelId);
  const d = model.manifest.sampling.defaults;
  const request: GenerateJob = {
    kind: 'generate',
    modelId,
    provider: 'cpu',
    threads: 1,
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed: 3,
    imageIndex: 0,
    bestOf: 1,
    sampling: { ...samplingOf(d), cdk: null },
    boardId: null,
  };
  const job = gallery.jobs.submit({ kind: 'generate', modelId, request });
  await runner.drain([job.id]);
  const done = gallery.jobs.get(job.id)!;
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  return (done.result as { assetIds: number[] }).assetIds[0]!;
}

const rgbOfFile = async (path: string) =>
  new Uint8Array(await sharp(readFileSync(path)).removeAlpha().raw().toBuffer());

test('a jetformer generation is stored with its exact bits per dimension; a vq-ar one without', async () => {
  const id = await generateWith(jetformerId);
  const item = gallery.getItem(id)!;
  assert.equal(item.likelihood?.modelId, jetformerId);
  const want = await bitsPerDim(direct, await rgbOfFile(item.filePath!), '', null);
  assert.ok(Math.abs(item.likelihood.bitsPerDim - want) < 1e-6, `${item.likelihood.bitsPerDim}`);
  assert.equal(gallery.getItem(await generateWith(DEFAULT_MODEL_ID))!.likelihood, null);
  assert.equal(gallery.query({ sort: 'surprise' }).items[0]!.id, id);
});

test('a jetformer infill of a generation is stored with its own bits per dimension', async () => {
  const parent = await generateWith(jetformerId);
  const source = gallery.getItem(parent)!;
  const model = await resolveModel(work, jetformerId);
  const { width, height } = model.manifest.image;
  const mask = new Uint8Array(width * height);
  for (let y = 8; y < 16; y++) for (let x = 8; x < 16; x++) mask[y * width + x] = 1;
  const d = model.manifest.sampling.defaults;
  const request: InfillJob = {
    kind: 'infill',
    modelId: jetformerId,
    provider: 'cpu',
    threads: 1,
    parentId: parent,
    prompt: 'red heart',
    style: null,
    seed: 9,
    sampling: { ...samplingOf(d), cdk: null },
    mask: Buffer.from(mask).toString('base64'),
    featherPx: 1,
    boardId: null,
  };
  const job = gallery.jobs.submit({ kind: 'infill', modelId: jetformerId, request });
  await runner.drain([job.id]);
  const done = gallery.jobs.get(job.id)!;
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  const child = gallery.getItem((done.result as { assetIds: number[] }).assetIds[0]!)!;
  assert.notEqual(child.sha256, source.sha256);
  const want = await bitsPerDim(direct, await rgbOfFile(child.filePath!), '', null);
  assert.ok(Math.abs(child.likelihood!.bitsPerDim - want) < 1e-6);
});

test('measuring scores a photo as the model sees it and saves what it measured before a failure', async () => {
  const bytes = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 90 } },
  })
    .png()
    .toBuffer();
  const { assetId } = await gallery.addPhoto({
    bytes,
    sha256: sha256(bytes),
    mime: 'image/png',
    width: 64,
    height: 48,
    size: bytes.length,
    exif: null,
    origin: 'imported',
  });
  const model = await resolveModel(work, jetformerId);
  const out = await measureLikelihood(gallery, client, model, [99_999, assetId], 'cpu');
  assert.deepEqual(
    out.failed.map((f) => f.id),
    [99_999],
  );
  assert.match(out.failed[0]!.message, /no library item 99999/);
  const want = await bitsPerDim(direct, await toModelRgb(bytes, 32, 'the photo'), '', null);
  assert.equal(out.measured.length, 1);
  assert.ok(Math.abs(out.measured[0]!.bitsPerDim - want) < 1e-6);
  assert.equal(gallery.getItem(assetId)!.likelihood!.bitsPerDim, out.measured[0]!.bitsPerDim);

  const vqAr = await resolveModel(work, DEFAULT_MODEL_ID);
  await assert.rejects(
    measureLikelihood(gallery, client, vqAr, [assetId], 'cpu'),
    /cannot give an image's exact likelihood: choose a model whose likelihood is exact/,
  );
});

test('photos a jetformer model captions are stored with their bits per dimension as it saw them', async () => {
  const folder = join(work, 'photos');
  mkdirSync(folder);
  const photos: Buffer[] = [];
  for (const [i, background] of [
    { r: 250, g: 200, b: 30 },
    { r: 20, g: 120, b: 220 },
  ].entries()) {
    const png = await sharp({ create: { width: 48, height: 40, channels: 3, background } })
      .png()
      .toBuffer();
    writeFileSync(join(folder, `p${i}.png`), png);
    photos.push(png);
  }
  const request: CaptionFolderJob = {
    kind: 'caption-folder',
    modelId: jetformerId,
    provider: 'cpu',
    threads: 1,
    folder,
    recursive: false,
    includeHidden: false,
    writeXmp: false,
    retryFailed: false,
  };
  const job = gallery.jobs.submit({ kind: 'caption-folder', modelId: jetformerId, request });
  await runner.drain([job.id]);
  assert.equal(gallery.jobs.get(job.id)!.status, 'completed');
  let measured = 0;
  for (const png of photos) {
    const id = gallery.findBySha(sha256(png));
    if (id === null) continue; // the smoke model found no words for it: not a library photo
    const want = await bitsPerDim(direct, await toModelRgb(png, 32, 'the photo'), '', null);
    const got = gallery.getItem(id)!.likelihood;
    assert.equal(got?.modelId, jetformerId);
    assert.ok(Math.abs(got.bitsPerDim - want) < 1e-6, `${got.bitsPerDim} vs ${want}`);
    measured++;
  }
  assert.ok(measured > 0, 'at least one photo was captioned and measured');
});

test('a jetformer infill of a photo keeps every pixel past the feathered mask, and is not measured at its own size', async () => {
  const photo = await photoLike();
  const { assetId } = await gallery.addPhoto({
    bytes: photo.png,
    sha256: sha256(photo.png),
    mime: 'image/png',
    width: photo.width,
    height: photo.height,
    size: photo.png.length,
    exif: null,
    origin: 'imported',
  });
  const rect = { x: 300, y: 60, width: 80, height: 70 };
  const mask = new Uint8Array(photo.width * photo.height);
  for (let y = rect.y; y < rect.y + rect.height; y++)
    mask.fill(1, y * photo.width + rect.x, y * photo.width + rect.x + rect.width);
  const model = await resolveModel(work, jetformerId);
  const request: InfillJob = {
    kind: 'infill',
    modelId: jetformerId,
    provider: 'cpu',
    threads: 1,
    parentId: assetId,
    prompt: 'red heart',
    style: null,
    seed: 4,
    sampling: { ...samplingOf(model.manifest.sampling.defaults), cdk: null },
    mask: Buffer.from(mask).toString('base64'),
    maskWidth: photo.width,
    maskHeight: photo.height,
    featherPx: 2,
    boardId: null,
  };
  const job = gallery.jobs.submit({ kind: 'infill', modelId: jetformerId, request });
  await runner.drain([job.id]);
  const done = gallery.jobs.get(job.id)!;
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  const result = done.result as { assetIds: number[]; region: { width: number } };
  const item = gallery.getItem(result.assetIds[0]!)!;
  assert.deepEqual([item.width, item.height], [photo.width, photo.height]);
  const got = await rgbOf(item.filePath!);
  const want = await rgbOf(photo.png);
  // The feather, in the photo's pixels, is featherPx model pixels scaled up to the region.
  const margin = Math.ceil((2 * result.region.width) / model.manifest.image.width) + 1;
  let differing = 0;
  let changed = 0;
  for (let y = 0; y < photo.height; y++)
    for (let x = 0; x < photo.width; x++) {
      const inside =
        x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
      const near =
        x >= rect.x - margin &&
        x < rect.x + rect.width + margin &&
        y >= rect.y - margin &&
        y < rect.y + rect.height + margin;
      for (let c = 0; c < 3; c++) {
        const i = (y * photo.width + x) * 3 + c;
        if (!near && got[i] !== want[i]) differing++;
        if (inside && got[i] !== want[i]) changed++;
      }
    }
  assert.equal(differing, 0, 'every pixel past the feathered mask is the photo’s own');
  assert.ok(changed > 0, 'the masked region was redrawn');
  assert.equal(item.likelihood, null);
});
