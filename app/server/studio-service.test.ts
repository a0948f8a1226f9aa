/**
 * The studio's handlers through the router, with the real embedded model and a real library:
 * a replay queued from an item's recipe reproduces its pixels and tokens exactly and is linked
 * to it as `replay` (generations and infills alike); a replay the installed models cannot make
 * is refused with what to do; a file opened for infill is not imported, yet the infill records
 * it as its parent by hash; a captioning job's per-file list reads back from the library; a
 * model's provider is what onnxruntime lists, kept as a setting, and falls back with a notice;
 * Generate's Model memory setting (`retrieval`) reaches the queued job.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { Channel, RequestOf, ResponseOf, Result } from '../common/contract.ts';
import type { Recipe } from '../common/recipe.ts';
import { openGallery, type ItemDetail } from '../gallery/index.ts';
import { addSampleGeneration } from '../gallery/testing/sample-generation.ts';
import { InferenceClient } from '../inference/client.ts';
import { PROVIDERS, samplingOf } from '../common/inference-contract.ts';
import { providerNotice } from '../common/provider-notice.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../models/installed.ts';
import { dispatch } from './router.ts';
import { StudioService } from './studio-service.ts';

const home = mkdtempSync(join(tmpdir(), 'tessera-service-'));
const gallery = openGallery(join(home, 'library'));
const client = new InferenceClient();
const events: unknown[] = [];
const service = new StudioService(home, gallery, client, (_name, payload) => events.push(payload));
after(async () => {
  await service.idle();
  await client.close();
  gallery.close();
  rmSync(home, { recursive: true, force: true });
});

const model = (await resolveModel(home, undefined)).manifest;
const sampling = { ...samplingOf(model.sampling.defaults), cdk: null };

async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const r = (await dispatch(service.handlers, channel, request)) as Result<ResponseOf<C>>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function refusal(channel: Channel, request: unknown) {
  const r = await dispatch(service.handlers, channel, request);
  assert.equal(r.ok, false, `${channel} should refuse ${JSON.stringify(request)}`);
  return (r as { error: { code: string; message: string } }).error;
}

/** Waits for the queue, then returns the job's one result item. */
async function finished(jobId: string): Promise<ItemDetail> {
  await service.idle();
  const job = gallery.jobs.get(jobId)!;
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const [assetId] = (job.result as { assetIds: number[] }).assetIds;
  return gallery.getItem(assetId!)!;
}

const pixels = async (item: ItemDetail) =>
  (await sharp(item.filePath!).raw().toBuffer({ resolveWithObject: true })).data;

/** The replay matches its original in everything but the note saying it is a replay. */
async function assertReplays(original: ItemDetail, replay: ItemDetail, jobId: string) {
  assert.notEqual(replay.id, original.id);
  assert.deepEqual(await pixels(replay), await pixels(original), 'the same pixels');
  assert.deepEqual(replay.generation!.codes, original.generation!.codes, 'the same tokens');
  const { replayOf, ...recipe } = replay.generation!.recipe;
  assert.equal(replayOf, original.sha256);
  assert.deepEqual(recipe, original.generation!.recipe);
  assert.deepEqual(replay.parents, [{ id: original.id, op: 'replay', maskSha256: null }]);
  const job = gallery.jobs.get(jobId)!;
  assert.deepEqual(
    { identical: (job.result as { identical: boolean }).identical },
    { identical: true },
    'its PNG without the replay note is the original, byte for byte',
  );
  const [view] = (await call('jobs:list', {})).filter((j) => j.id === jobId);
  assert.match(view!.summary ?? '', /byte for byte/);
}

let generated: ItemDetail;

test('a generation replays to the same pixels and tokens, linked to it as a replay', async () => {
  const { jobIds } = await call('jobs:submitGenerate', {
    modelId: model.id,
    provider: 'cpu',
    prompt: 'red heart',
    negativePrompt: '',
    style: 'twemoji',
    seed: 5,
    bestOf: 2,
    count: 1,
    sampling,
    boardId: null,
  });
  generated = await finished(jobIds[0]!);
  assert.equal(generated.generation!.recipe.selfScore?.candidates, 2);
  const { jobId } = await call('gallery:replay', { id: generated.id });
  const replay = await finished(jobId);
  await assertReplays(generated, replay, jobId);
  assert.deepEqual(replay.score, generated.score, 'the best-of-2 winner keeps its score');
  assert.deepEqual(gallery.getItem(generated.id)!.children, [{ id: replay.id, op: 'replay' }]);
  // Replaying again makes the same bytes again: the same item, not a copy.
  const again = await call('gallery:replay', { id: generated.id });
  assert.equal((await finished(again.jobId)).id, replay.id);
});

test("Generate's Model memory setting reaches the queued jobs; without one the request has none", async () => {
  const submit = (retrieval?: 'auto' | 'off') =>
    call('jobs:submitGenerate', {
      modelId: model.id,
      provider: 'cpu',
      prompt: 'green leaf',
      negativePrompt: '',
      style: null,
      seed: 11,
      bestOf: 1,
      count: 1,
      sampling,
      boardId: null,
      ...(retrieval === undefined ? {} : { retrieval }),
    });
  const off = await submit('off');
  const plain = await submit();
  const requests = (jobIds: string[]) =>
    jobIds.map((id) => gallery.jobs.get(id)!.request as { retrieval?: unknown });
  assert.deepEqual(
    requests(off.jobIds).map((r) => r.retrieval),
    ['off'],
  );
  assert.deepEqual(
    requests(plain.jobIds).map((r) => Object.hasOwn(r, 'retrieval')),
    [false],
  );
  // The shipped model has no memory: either way it is given no document, and the recipe says so.
  const [a, b] = [await finished(off.jobIds[0]!), await finished(plain.jobIds[0]!)];
  assert.equal(a.generation!.recipe.retrieval, undefined);
  assert.equal(a.sha256, b.sha256, 'the same image as without the setting');
});

test('an infill replays from its kept mask and source', async () => {
  const mask = new Uint8Array(model.image.width * model.image.height);
  for (let i = 0; i < mask.length / 2; i++) mask[i] = 1;
  const { jobId } = await call('jobs:submitInfill', {
    modelId: model.id,
    provider: 'cpu',
    prompt: 'blue heart',
    style: 'twemoji',
    seed: 9,
    sampling,
    parentId: generated.id,
    mask: Buffer.from(mask).toString('base64'),
    featherPx: 2,
    boardId: null,
  });
  const infill = await finished(jobId);
  assert.deepEqual(
    infill.parents.map((p) => [p.id, p.op]),
    [[generated.id, 'infill']],
  );
  const replayed = await call('gallery:replay', { id: infill.id });
  await assertReplays(infill, await finished(replayed.jobId), replayed.jobId);
});

test('a replay the installed models cannot make is refused with what to do', async () => {
  const add = (salt: number, recipe: Partial<Recipe>) => addSampleGeneration(gallery, salt, recipe);
  const otherVersion = await add(1, { modelId: DEFAULT_MODEL_ID });
  const changed = await refusal('gallery:replay', { id: otherVersion });
  assert.equal(changed.code, 'model-changed');
  assert.match(
    changed.message,
    new RegExp(`installed ${DEFAULT_MODEL_ID} has decoder [0-9a-f]{10}`),
  );
  assert.match(changed.message, /Import the version that made it/);

  const elsewhere = await add(2, { modelId: 'someone/photo-model' });
  const missing = await refusal('gallery:replay', { id: elsewhere });
  assert.equal(missing.code, 'model-not-installed');
  assert.match(
    missing.message,
    /someone\/photo-model \(decoder aaaaaaaaaa\), which is not installed/,
  );

  const noMask = await add(3, {
    modelSha256: model.graphs.decoder!.sha256,
    task: 'infill',
    parent: { sha256: generated.sha256, maskSha256: 'c'.repeat(64), featherPx: 2 },
  });
  assert.equal((await refusal('gallery:replay', { id: noMask })).code, 'mask-missing');

  const bytes = await sharp({
    create: { width: 8, height: 8, channels: 3, background: '#ff0000' },
  })
    .png()
    .toBuffer();
  const { assetId: photo } = await gallery.addPhoto({
    bytes,
    sha256: (await gallery.storeBytes(bytes)).sha256,
    mime: 'image/png',
    width: 8,
    height: 8,
    size: bytes.length,
    exif: null,
    origin: 'imported',
  });
  assert.equal((await refusal('gallery:replay', { id: photo })).code, 'not-replayable');
  assert.equal((await refusal('gallery:replay', { id: 99_999 })).code, 'not-found');
  assert.equal(gallery.jobs.list({ statuses: ['queued'] }).length, 0, 'nothing was queued');
});

test('a file opened for infill stays out of the library; the result names it by hash', async () => {
  const folder = join(home, 'outside');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'sunset.png');
  await sharp({ create: { width: 48, height: 40, channels: 3, background: '#ff8800' } })
    .png()
    .toFile(path);
  const before = gallery.count({});
  const opened = await call('infill:openFile', { from: 'path', path });
  assert.deepEqual(
    { name: opened.name, width: opened.width, height: opened.height, mime: opened.mime },
    { name: 'sunset.png', width: 48, height: 40, mime: 'image/png' },
  );
  // The same bytes uploaded (web mode) are the same source.
  const { readFile } = await import('node:fs/promises');
  const uploaded = await call('infill:openFile', {
    from: 'upload',
    name: 'sunset.png',
    dataBase64: (await readFile(path)).toString('base64'),
  });
  assert.equal(uploaded.sha256, opened.sha256);
  assert.equal(gallery.count({}), before, 'opening a file imports nothing');

  const mask = Buffer.alloc(model.image.width * model.image.height, 1);
  const { jobId } = await call('jobs:submitInfill', {
    modelId: model.id,
    provider: 'cpu',
    prompt: 'sun',
    style: null,
    seed: 4,
    sampling,
    sourceSha256: opened.sha256,
    mask: mask.toString('base64'),
    featherPx: 0,
    boardId: null,
  });
  const result = await finished(jobId);
  assert.equal(gallery.count({}), before + 1, 'only the result is in the library');
  assert.equal(gallery.findBySha(opened.sha256), null);
  assert.equal(result.generation!.recipe.parent!.sha256, opened.sha256);
  assert.deepEqual(result.parents, []);

  const replayed = await call('gallery:replay', { id: result.id });
  await assertReplays(result, await finished(replayed.jobId), replayed.jobId);

  writeFileSync(join(folder, 'notes.png'), 'not an image at all');
  const bad = await refusal('infill:openFile', { from: 'path', path: join(folder, 'notes.png') });
  assert.equal(bad.code, 'unreadable-image');
  assert.match(bad.message, /notes\.png is not an image Tessera can read/);
  const absent = await refusal('infill:openFile', { from: 'path', path: join(folder, 'x.png') });
  assert.match(absent.message, /x\.png .*vanished|x\.png/);
  const both = await refusal('jobs:submitInfill', {
    modelId: model.id,
    provider: 'cpu',
    prompt: 'sun',
    style: null,
    seed: 4,
    sampling,
    mask: mask.toString('base64'),
    featherPx: 0,
    boardId: null,
  });
  assert.match(both.message, /exactly one image/);
});

test("a captioning job's per-file results read back from the library, paged", async () => {
  const folder = join(home, 'photos');
  mkdirSync(folder, { recursive: true });
  for (const [name, color] of [
    ['a.png', '#ffcc00'],
    ['b.png', '#33aa33'],
    ['c.png', '#3388ff'],
  ] as const)
    await sharp({ create: { width: 32, height: 32, channels: 3, background: color } })
      .png()
      .toFile(join(folder, name));
  writeFileSync(join(folder, 'd.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  const { jobId } = await call('jobs:submitCaptionFolder', {
    modelId: model.id,
    provider: 'cpu',
    folder,
    recursive: false,
    writeXmp: false,
    retryFailed: false,
  });
  await service.idle();
  assert.equal(gallery.jobs.get(jobId)!.status, 'completed');
  const first = await call('jobs:files', { jobId, limit: 3 });
  assert.equal(first.files.length, 3);
  assert.deepEqual(first.counts, {
    captioned: 3,
    suggestion: 0,
    skipped: 0,
    failed: 1,
    problem: 0,
  });
  const rest = await call('jobs:files', { jobId, limit: 3, after: first.next! });
  assert.equal(rest.next, null);
  const all = [...first.files, ...rest.files];
  assert.deepEqual(all.map((f) => f.path.slice(folder.length + 1)).sort(), [
    'a.png',
    'b.png',
    'c.png',
    'd.jpg',
  ]);
  assert.ok(all.filter((f) => f.status === 'captioned').every((f) => (f.caption ?? '') !== ''));
  // Each captioned photo names its library item's hash (its thumbnail); the broken file none.
  for (const f of all) {
    const bytes = f.status === 'captioned' ? readFileSync(f.path) : null;
    const expected = bytes === null ? null : createHash('sha256').update(bytes).digest('hex');
    assert.equal(f.sha256, expected, f.path);
  }
  const failed = await call('jobs:files', { jobId, status: 'failed' });
  assert.deepEqual(
    failed.files.map((f) => f.path),
    [join(folder, 'd.jpg')],
  );
  assert.match(failed.files[0]!.message ?? '', /damaged|not a readable image|truncated/);
  assert.equal((await refusal('jobs:files', { jobId: 'nope' })).code, 'not-found');
});

test("a model's provider is chosen from what onnxruntime lists, kept, and falls back with a notice", async () => {
  const { providers } = await call('models:providers', {});
  assert.ok(providers.some((p) => p.name === 'cpu' && p.bundled));
  assert.ok(providers.every((p) => (PROVIDERS as readonly string[]).includes(p.name)));
  const listed = (await call('models:list', {})).find((m) => m.id === model.id);
  assert.equal(listed!.provider, 'cpu');
  assert.equal(listed!.decoderSha256, model.graphs.decoder!.sha256);

  // A provider this build does not have (on Linux, DirectML or Core ML) is kept, with a notice.
  const missing = PROVIDERS.find((p) => !providers.some((x) => x.name === p))!;
  const chosen = await call('models:setProvider', { modelId: model.id, provider: missing });
  assert.equal(chosen.provider, missing);
  assert.match(chosen.notice ?? '', /is not in this build of onnxruntime .*will run on the CPU/);
  const again = new StudioService(home, gallery, client, () => {});
  const kept = (await dispatch(again.handlers, 'models:list', {})) as {
    ok: true;
    value: ResponseOf<'models:list'>;
  };
  const keptModel = kept.value.find((m) => m.id === model.id)!;
  assert.equal(keptModel.provider, missing, 'the choice is kept in settings.json');
  assert.equal(providerNotice('cuda', [{ name: 'cuda', bundled: false }])?.includes('CPU'), true);
  assert.equal(providerNotice('cpu', []), null);
  assert.equal(
    (await refusal('models:setProvider', { modelId: 'nobody/none', provider: 'cpu' })).code,
    'model-unavailable',
  );

  // New jobs ask for it (as the studio sends the model's provider) and run on the CPU, saying so.
  events.length = 0;
  const { jobIds } = await call('jobs:submitGenerate', {
    modelId: model.id,
    provider: keptModel.provider,
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed: 2,
    bestOf: 1,
    count: 1,
    sampling,
    boardId: null,
  });
  const item = await finished(jobIds[0]!);
  assert.equal(item.generation!.recipe.provider, 'cpu');
  assert.ok(
    events.some(
      (e) =>
        (e as { type?: string }).type === 'notice' &&
        /could not start.*running on the CPU instead/.test((e as { message: string }).message),
    ),
    'the job says it ran on the CPU instead',
  );
  await call('models:setProvider', { modelId: model.id, provider: 'cpu' });
});

test('importing a model folder: the shipped model is already installed, a stray folder is not a model', async () => {
  const shipped = await refusal('models:import', {
    path: (await resolveModel(home, DEFAULT_MODEL_ID)).dir,
  });
  assert.equal(shipped.code, 'already-installed');
  assert.match(shipped.message, /ships with Tessera/);
  const stray = await refusal('models:import', { path: join(home, 'photos') });
  assert.equal(stray.code, 'not-a-model');
  assert.match(stray.message, /has no manifest\.json/);
});

test('files handed over by the studio (dropped onto the Library) are imported from their bytes', async () => {
  const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#0a7' } })
    .png()
    .toBuffer();
  events.length = 0;
  const first = await call('gallery:importUpload', {
    name: '/somewhere/leaf.png',
    dataBase64: png.toString('base64'),
  });
  assert.deepEqual(
    { path: first.path, status: first.status, message: first.message },
    { path: 'leaf.png', status: 'imported', message: null },
  );
  assert.equal(gallery.getItem(first.assetId!)!.kind, 'photo');
  assert.deepEqual(events, [{ assetIds: [first.assetId] }]);
  const again = await call('gallery:importUpload', {
    name: 'leaf.png',
    dataBase64: png.toString('base64'),
  });
  assert.deepEqual([again.status, again.assetId], ['exists', first.assetId]);
  const junk = await call('gallery:importUpload', {
    name: 'notes.txt',
    dataBase64: Buffer.from('shopping list').toString('base64'),
  });
  assert.equal(junk.status, 'failed');
  assert.match(junk.message ?? '', /is not an image Tessera can read/);
});
