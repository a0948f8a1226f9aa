/**
 * Infill of a photo keeps the photo: the model works on a square around the mask at its own
 * resolution, and the result is the full-resolution original with only the feathered mask
 * changed, byte for byte everywhere else; from the CLI (a JPEG and a full-size mask) and from the
 * studio's infill job (a PNG opened for infill and a mask painted at the model's resolution),
 * whose result tells the UI the working region and replays exactly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { Channel, RequestOf, ResponseOf, Result } from '../common/contract.ts';
import { samplingOf } from '../common/inference-contract.ts';
import { recipeSchema } from '../common/recipe.ts';
import { openGallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { readPngText } from '../media/png.ts';
import { resolveModel } from '../models/installed.ts';
import { dispatch } from '../server/router.ts';
import { StudioService } from '../server/studio-service.ts';
import { photoLike, rectMask, rgbOf } from './testing/photo-like.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-infill-photo-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pixels farther than `margin` from `rect` (Chebyshev), as flat RGB indices' pixel numbers. */
function outside(width: number, height: number, rect: Rect, margin: number): number[] {
  const far: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (
        x < rect.x - margin ||
        x >= rect.x + rect.width + margin ||
        y < rect.y - margin ||
        y >= rect.y + rect.height + margin
      )
        far.push(y * width + x);
  return far;
}

/** Checks the result against the original: same size, far pixels identical, masked ones changed. */
async function assertKeptOutside(result: Buffer, original: Buffer, rect: Rect, featherPx: number) {
  const meta = await sharp(result).metadata();
  assert.deepEqual([meta.width, meta.height], [451, 300], 'the result has the photo’s own size');
  const got = await rgbOf(result);
  const want = await rgbOf(original);
  const far = outside(451, 300, rect, Math.ceil(featherPx) + 1);
  let differing = 0;
  for (const p of far)
    for (let c = 0; c < 3; c++) if (got[p * 3 + c] !== want[p * 3 + c]) differing++;
  assert.equal(differing, 0, 'every pixel outside the feathered mask is the original’s');
  let changed = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++)
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const i = (y * 451 + x) * 3;
      if (Math.abs(got[i]! - want[i]!) + Math.abs(got[i + 1]! - want[i + 1]!) > 6) changed++;
    }
  assert.ok(changed > (rect.width * rect.height) / 4, `only ${changed} masked pixels changed`);
}

test('tessera infill of a 451×300 JPEG returns the whole photo with only the mask filled', async () => {
  const photo = await photoLike();
  const image = join(work, 'photo.jpg');
  writeFileSync(image, photo.jpeg);
  const rect = { x: 300, y: 60, width: 80, height: 70 };
  const mask = join(work, 'mask.png');
  writeFileSync(mask, await rectMask(451, 300, rect));
  const out = join(work, 'infilled.png');
  const r = spawnSync(
    process.execPath,
    [
      TESSERA_CLI,
      'infill',
      '--image',
      image,
      '--mask',
      mask,
      '--prompt',
      'blue heart',
      '--seed',
      '3',
      '--feather',
      '2',
      '--out',
      out,
      '--json',
      '--home',
      join(work, 'home'),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { size: unknown; region: Rect };
  assert.deepEqual(printed.size, { width: 451, height: 300 });
  const { region } = printed;
  // A square around the mask with context, inside the photo.
  assert.equal(region.width, region.height);
  assert.ok(region.x <= rect.x && region.x + region.width >= rect.x + rect.width);
  assert.ok(region.y <= rect.y && region.y + region.height >= rect.y + rect.height);
  assert.ok(region.width > rect.width && region.width < 451);
  const recipe = recipeSchema.parse(JSON.parse(readPngText(readFileSync(out)).tessera!));
  assert.deepEqual([recipe.width, recipe.height], [451, 300]);
  assert.deepEqual(recipe.parent?.region, { x: region.x, y: region.y, side: region.width });
  await assertKeptOutside(readFileSync(out), photo.jpeg, rect, (2 * region.width) / 32);
});

test('the studio’s infill job of a 451×300 PNG keeps the photo and reports its working region', async () => {
  const home = join(work, 'studio');
  const gallery = openGallery(join(home, 'library'));
  const client = new InferenceClient();
  const events: unknown[] = [];
  const service = new StudioService(home, gallery, client, (_n, payload) => events.push(payload));
  after(async () => {
    await service.idle();
    await client.close();
    gallery.close();
  });
  const call = async <C extends Channel>(channel: C, request: RequestOf<C>) => {
    const r = (await dispatch(service.handlers, channel, request)) as Result<ResponseOf<C>>;
    if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  const model = (await resolveModel(home, undefined)).manifest;
  const size = model.image.width;
  const photo = await photoLike();
  const opened = await call('infill:openFile', {
    from: 'upload',
    name: 'photo.png',
    dataBase64: photo.png.toString('base64'),
  });
  // Painted over the photo as the studio shows it: fitted into the model's square.
  const modelMask = Buffer.alloc(size * size);
  for (let y = 10; y < 16; y++) modelMask.fill(1, y * size + 4, y * size + 10);
  const { jobId } = await call('jobs:submitInfill', {
    modelId: model.id,
    provider: 'cpu',
    prompt: 'red heart',
    style: null,
    seed: 11,
    sampling: { ...samplingOf(model.sampling.defaults), cdk: null },
    sourceSha256: opened.sha256,
    mask: modelMask.toString('base64'),
    featherPx: 1,
    boardId: null,
  });
  await service.idle();
  const [view] = (await call('jobs:list', {})).filter((j) => j.id === jobId);
  assert.equal(view?.status, 'completed', JSON.stringify(view));
  const region = view!.details?.region;
  assert.ok(region !== undefined, 'the job says where the model worked');
  const completed = events.find(
    (e) => (e as { type?: string; jobId?: string }).type === 'completed',
  ) as { details?: { region?: Rect } };
  assert.deepEqual(completed.details?.region, region);
  const item = gallery.getItem(view!.assetIds[0]!)!;
  assert.deepEqual([item.width, item.height], [451, 300]);
  // The model's square holds 451/32 photo pixels per model pixel; the mask covered model columns
  // 4..9 and rows 10..15 of the photo fitted at the centre (offset (32 - 300·32/451)/2 rows).
  const scale = 451 / size;
  const offset = (size - 300 / scale) / 2;
  const rect = {
    x: Math.floor(4 * scale) - 1,
    y: Math.floor((10 - offset) * scale) - 1,
    width: Math.ceil(6 * scale) + 2,
    height: Math.ceil(6 * scale) + 2,
  };
  await assertKeptOutside(readFileSync(item.filePath!), photo.png, rect, region.width / size);

  const replayed = await call('gallery:replay', { id: item.id });
  await service.idle();
  const replay = gallery.jobs.get(replayed.jobId)!;
  assert.equal((replay.result as { identical?: boolean }).identical, true, 'it replays exactly');
});
