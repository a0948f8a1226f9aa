/**
 * Janus infill and score against transformers on the tiny converted model: the VQ encoder gives
 * the codes transformers' encoder gave for the same picture; the mask snaps to the grid as the
 * reference snaps it; the constrained infill (codes outside the mask forced, the rest picked in
 * raster order under Janus's guidance) gives transformers' codes; log p(text | picture) through
 * the understanding path equals transformers' within 1e-4. Bad masks, a model without the VQ
 * encoder, and a manifest that declares no infill are refused with what to do.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { loadFamilyModel } from '../registry.ts';
import { maskedCells } from '../shared/grid-mask.ts';
import { CapabilityError, InfillMaskError } from '../types.ts';
import { encodeImage, infillCells, infillCodes } from './infill.ts';
import { JanusModel } from './model.ts';
import { scoreTexts } from './score.ts';
import {
  boxMask,
  patternImage,
  tinyJanusDir,
  tinyJanusReference,
  type JanusReference,
} from './testing/tiny-model.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-janus-infill-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('janus-pro infill and score against transformers', () => {
  let model: JanusModel;
  let ref: JanusReference;
  before(async () => {
    const dir = tinyJanusDir();
    ref = tinyJanusReference(dir);
    model = await JanusModel.load(dir);
  });
  after(() => model.release());

  test('the manifest declares constrained infill and token likelihood', () => {
    assert.equal(model.manifest.capabilities.infill, 'constrained');
    assert.equal(model.manifest.capabilities.likelihood, 'tokens');
  });

  test("image_encode gives transformers' codes for the source picture", async () => {
    const picture = new Uint8Array(Buffer.from(ref.infill.pictureRgb, 'base64'));
    assert.deepEqual(await encodeImage(model, picture), ref.infill.sourceCodes);
  });

  test('the mask snaps to the grid cells the reference regenerates', () => {
    const mask = boxMask(ref.infill.box, model.manifest.image.width);
    const cells = infillCells(model, mask);
    assert.deepEqual(
      cells.map((c) => (c ? 1 : 0)),
      ref.infill.cells,
    );
  });

  test("greedy constrained infill gives transformers' codes, the unmasked ones untouched", async () => {
    const { infill } = ref;
    const cells = infill.cells.map((c) => c === 1);
    let runs = 0;
    const codes = await infillCodes(model, {
      promptIds: infill.ids,
      codes: infill.sourceCodes,
      cells,
      seed: 0,
      imageIndex: 0,
      settings: { cfgScale: infill.guidance, temperature: 0, topK: 0, topP: 1, cdk: null },
      afterCode: async () => {
        runs++;
        return true;
      },
    });
    assert.deepEqual(codes, infill.codes);
    assert.equal(runs, cells.filter(Boolean).length, 'one pick per masked cell');
    cells.forEach((masked, k) => {
      if (!masked) assert.equal(codes![k], infill.sourceCodes[k]);
    });
  });

  test('an infill stopped part-way returns null', async () => {
    const cells = ref.infill.cells.map((c) => c === 1);
    const codes = await infillCodes(model, {
      promptIds: ref.infill.ids,
      codes: ref.infill.sourceCodes,
      cells,
      seed: 0,
      imageIndex: 0,
      settings: { cfgScale: 5, temperature: 1, topK: 0, topP: 1, cdk: null },
      afterCode: async (done) => done < 2,
    });
    assert.equal(codes, null);
  });

  test("log p(text | picture) equals transformers' within 1e-4", async () => {
    const ids = ref.score.texts.map((t) => model.encode(t));
    assert.deepEqual(ids, ref.score.ids);
    const picture = patternImage(model.layouts.imageInput.size);
    const scores = await scoreTexts(model, picture, ids);
    scores.forEach((s, i) => {
      assert.ok(Math.abs(s - ref.score.logProbs[i]!) <= 1e-4, `${s} vs ${ref.score.logProbs[i]}`);
    });
    // The picture matters: another one changes every score.
    const other = await scoreTexts(model, patternImage(384).reverse(), ids);
    other.forEach((s, i) => assert.notEqual(s, scores[i]));
  });

  test('an empty mask and a mask of the wrong size are refused with what to do', () => {
    const { width } = model.manifest.image;
    assert.throws(
      () => infillCells(model, new Uint8Array(width * width)),
      (err: unknown) => err instanceof InfillMaskError && /paint the region/.test(err.message),
    );
    assert.throws(
      () => infillCells(model, new Uint8Array(10)),
      /the mask must be 48×48 \(one byte per pixel\), got 10 bytes/,
    );
    assert.deepEqual(maskedCells(boxMask([0, 0, 0.05, 0.05], width), width, 6).indexOf(true), 0);
  });
});

function copyWith(name: string, change: (m: ModelManifest) => void): string {
  const dir = join(work, name);
  cpSync(tinyJanusDir(), dir, { recursive: true });
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
  change(manifest);
  writeFileSync(path, JSON.stringify(manifest));
  return dir;
}

const infillRequest = (dir: string) => {
  const ref = tinyJanusReference(tinyJanusDir()).infill;
  return {
    task: 'infill' as const,
    modelDir: dir,
    provider: 'cpu' as const,
    threads: 2,
    prompt: ref.prompt,
    style: null,
    seed: 0,
    imageIndex: 0,
    sampling: { cfgScale: 5, temperature: 0, topK: 0, topP: 1, cdk: null },
    imageRgb: ref.pictureRgb,
    mask: Buffer.from(boxMask(ref.box, 48)).toString('base64'),
    featherPx: 0,
  };
};

test('a folder without the VQ encoder graph cannot infill, and says how to get one', async () => {
  const dir = copyWith('no-encoder', (m) => {
    delete m.graphs.image_encode;
  });
  const family = await loadFamilyModel(dir, { provider: 'cpu', threads: 2 });
  try {
    await assert.rejects(
      family.infill(infillRequest(dir), { stop: null }, () => {}),
      (err: unknown) =>
        err instanceof CapabilityError &&
        /no image_encode graph, so it cannot infill: convert the checkpoint/.test(err.message),
    );
  } finally {
    await family.release();
  }
});

test('a manifest that declares no infill or no captioning is refused by name', async () => {
  const dir = copyWith('no-infill', (m) => {
    m.capabilities.infill = 'none';
    // Texts are scored by the caption head, so a model that cannot caption cannot score them.
    m.capabilities.caption = false;
  });
  const family = await loadFamilyModel(dir, { provider: 'cpu', threads: 2 });
  try {
    await assert.rejects(
      family.infill(infillRequest(dir), { stop: null }, () => {}),
      /cannot infill/,
    );
    await assert.rejects(family.score('', ['a']), /cannot score texts/);
  } finally {
    await family.release();
  }
});
