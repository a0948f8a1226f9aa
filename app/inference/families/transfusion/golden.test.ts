/**
 * The TypeScript loop against the Python reference loop's goldens (reference_loop.py, same
 * graphs and PRNG): generations and a resampled RePaint infill to ≥ 45 dB PSNR with the same
 * number of network calls, identical greedy captions, equal caption scores.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scoreImage, captionImage } from './caption.ts';
import { denoise, type DiffusionSettings } from './denoise.ts';
import { TransfusionModel } from './model.ts';
import { patchify, patchifyMask, unpatchify } from './patches.ts';
import { psnr } from './testing/psnr.ts';
import { EMBEDDED_DIR } from '../../../models/installed.ts';
import { requireTestModel } from './testing/test-model.ts';

interface Case {
  task: 'generate' | 'infill' | 'caption';
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  settings: DiffusionSettings;
  prefixIds: number[];
  sourceRgbBase64: string;
  keepMaskBase64: string;
  latentF32Base64: string;
  calls: number;
  image: { rgbBase64: string; sha256: string };
  caption: string;
  scoreTexts: string[];
  scores: number[];
}

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const f32 = (b64: string) => new Float32Array(bytes(b64).slice().buffer);

/** The test model (the smoke export) and every shipped transfusion export: each ships goldens. */
const shipped = readdirSync(EMBEDDED_DIR)
  .filter((name) => name.startsWith('transfusion-'))
  .map((name) => join(EMBEDDED_DIR, name));

for (const dir of [requireTestModel(), ...shipped]) goldensOf(dir);

function goldensOf(dir: string) {
  const cases = (JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { cases: Case[] })
    .cases;

  describe(`transfusion goldens of ${dir.split('/').pop()}`, () => {
    let model: TransfusionModel;
    before(async () => {
      model = await TransfusionModel.load(dir);
    });
    after(() => model.release());

    for (const c of cases.filter((x) => x.task === 'generate')) {
      it(`generates "${c.prompt}" seed ${c.seed} at ${c.settings.steps} steps like Python`, async () => {
        const ids = model.captionIds(c.prompt, c.style);
        const sp = model.manifest.specialTokens;
        assert.deepEqual([sp.bos, ...ids, sp.boi], c.prefixIds);
        const out = (await denoise(model, {
          captionIds: ids,
          seed: c.seed,
          imageIndex: c.imageIndex,
          settings: c.settings,
        }))!;
        assert.equal(out.calls, c.calls);
        const size = model.manifest.image.width;
        const image = unpatchify(out.x, size, model.manifest.image.patch!);
        const want = bytes(c.image.rgbBase64);
        const db = psnr(image, want);
        assert.ok(db >= 45, `image PSNR ${db.toFixed(1)} dB < 45`);
        const latent = f32(c.latentF32Base64);
        let worst = 0;
        for (let i = 0; i < latent.length; i++)
          worst = Math.max(worst, Math.abs(latent[i]! - out.x[i]!));
        assert.ok(worst < 1e-3, `latent differs by ${worst}`);
      });
    }

    for (const c of cases.filter((x) => x.task === 'infill')) {
      it(`infills the centre of "${c.prompt}" with RePaint resampling ${c.settings.resample} like Python`, async () => {
        const size = model.manifest.image.width;
        const patch = model.manifest.image.patch!;
        const source = bytes(c.sourceRgbBase64);
        const out = (await denoise(model, {
          captionIds: model.captionIds(c.prompt, c.style),
          seed: c.seed,
          imageIndex: c.imageIndex,
          settings: c.settings,
          known: {
            x0: patchify(source, size, patch),
            keep: patchifyMask(bytes(c.keepMaskBase64), size, patch),
          },
        }))!;
        assert.equal(out.calls, c.calls);
        const db = psnr(unpatchify(out.x, size, patch), bytes(c.image.rgbBase64));
        assert.ok(db >= 45, `infill PSNR ${db.toFixed(1)} dB < 45`);
      });
    }

    for (const [n, c] of cases.filter((x) => x.task === 'caption').entries()) {
      it(`captions test image ${n} greedily and scores its texts like Python`, async () => {
        const image = bytes(c.sourceRgbBase64);
        assert.equal(await captionImage(model, image, null), c.caption);
        const scored = await scoreImage(model, image, c.scoreTexts);
        scored.logProbs.forEach((lp, i) => {
          const mean = lp / scored.tokens[i]!;
          assert.ok(Math.abs(mean - c.scores[i]!) < 1e-4, `score ${i}: ${mean} vs ${c.scores[i]}`);
        });
      });
    }
  });
}
