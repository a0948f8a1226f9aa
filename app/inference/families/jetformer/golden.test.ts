import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bitsPerDim, captionImage, scoreImage } from './caption.ts';
import { generateTokens } from './generate.ts';
import type { GmmSettings } from './guided.ts';
import { infillImage } from './infill.ts';
import { JetFormerModel } from './model.ts';
import { toU8 } from './pixels.ts';
import { psnr } from './testing/psnr.ts';
import { smokeModelDir } from './testing/smoke-model.ts';

/** What the reference loop and this one may differ by (docs: soft tokens 1e-3, PSNR ≥ 45 dB). */
const TOKEN_TOLERANCE = 1e-3;
const MIN_PSNR = 45;

interface GenerateCase {
  task: 'generate';
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  settings: GmmSettings;
  promptIds: number[];
  components: number[];
  softTokensF32Base64: string;
  image: { rgbBase64: string };
}
interface CaptionCase {
  task: 'caption';
  sourceRgbBase64: string;
  caption: string;
  scoreTexts: string[];
  scores: number[];
}
interface LikelihoodCase {
  task: 'likelihood';
  sourceRgbBase64: string;
  prompt: string;
  style: string;
  bitsPerDim: number;
}
interface InfillCase {
  task: 'infill';
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  featherPx: number;
  settings: GmmSettings;
  sourceRgbBase64: string;
  maskBase64: string;
  components: number[];
  softTokensF32Base64: string;
  image: { rgbBase64: string };
}
type Case = GenerateCase | CaptionCase | LikelihoodCase | InfillCase;

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

let model: JetFormerModel;
let cases: Case[] = [];
before(async () => {
  const dir = smokeModelDir();
  model = await JetFormerModel.load(dir, { provider: 'cpu', threads: 2 });
  cases = (JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { cases: Case[] }).cases;
});
after(() => model.release());

test('generation matches the reference loop: components, soft tokens and the image', async () => {
  const gen = cases.filter((c): c is GenerateCase => c.task === 'generate');
  assert.ok(gen.length >= 3, 'the goldens hold guided, unguided and tempered cases');
  for (const c of gen) {
    assert.deepEqual(model.captionIds(c.prompt, c.style), c.promptIds);
    const out = await generateTokens(model, {
      captionIds: c.promptIds,
      seed: c.seed,
      imageIndex: c.imageIndex,
      settings: c.settings,
    });
    assert.ok(out !== null);
    assert.deepEqual(out.components, c.components, `${c.prompt}: components`);
    const want = new Float32Array(bytes(c.softTokensF32Base64).buffer.slice(0));
    let worst = 0;
    for (let i = 0; i < want.length; i++)
      worst = Math.max(worst, Math.abs(out.tokens[i]! - want[i]!));
    assert.ok(worst <= TOKEN_TOLERANCE, `${c.prompt}: soft tokens differ by ${worst}`);
    const image = toU8(await model.decode(out.tokens));
    const p = psnr(image, bytes(c.image.rgbBase64));
    assert.ok(p >= MIN_PSNR, `${c.prompt}: image PSNR ${p.toFixed(1)} dB`);
  }
});

test('greedy captions and caption scores match the reference loop', async () => {
  const caps = cases.filter((c): c is CaptionCase => c.task === 'caption');
  assert.ok(caps.length > 0);
  for (const c of caps) {
    const rgb = bytes(c.sourceRgbBase64);
    assert.equal(await captionImage(model, rgb), c.caption);
    const scored = await scoreImage(model, rgb, c.scoreTexts);
    scored.logProbs.forEach((total, i) => {
      const mean = total / scored.tokens[i]!;
      assert.ok(Math.abs(mean - c.scores[i]!) <= 1e-4, `score of "${c.scoreTexts[i]}": ${mean}`);
    });
  }
});

test('exact bits per dimension match the reference loop', async () => {
  const lik = cases.filter((c): c is LikelihoodCase => c.task === 'likelihood');
  assert.ok(lik.length > 0);
  for (const c of lik) {
    const bits = await bitsPerDim(model, bytes(c.sourceRgbBase64), c.prompt, c.style);
    assert.ok(Math.abs(bits - c.bitsPerDim) <= 1e-4, `${bits} vs ${c.bitsPerDim}`);
  }
});

test('infill matches the reference loop, and every pixel past the feather keeps its bytes', async () => {
  const infills = cases.filter((c): c is InfillCase => c.task === 'infill');
  assert.ok(infills.length > 0);
  const { width, height } = model.manifest.image;
  const d = model.gmm.arDims;
  const c = model.gmm.tokenDim;
  for (const g of infills) {
    const source = bytes(g.sourceRgbBase64);
    const mask = bytes(g.maskBase64);
    const out = await infillImage(
      model,
      {
        task: 'infill',
        modelDir: model.dir,
        provider: 'cpu',
        threads: 2,
        prompt: g.prompt,
        style: g.style,
        seed: g.seed,
        imageIndex: g.imageIndex,
        sampling: { cfgScale: 1, temperature: 1, topK: 0, topP: 1, cdk: null },
        imageRgb: '',
        mask: g.maskBase64,
        featherPx: g.featherPx,
      },
      source,
      mask,
      g.settings,
      async () => true,
    );
    assert.ok(out !== null);
    const want = new Float32Array(bytes(g.softTokensF32Base64).buffer.slice(0));
    let worst = 0;
    for (let i = 0; i < model.gmm.tokens; i++)
      for (let j = 0; j < d; j++)
        worst = Math.max(worst, Math.abs(out.ar[i * d + j]! - want[i * c + j]!));
    assert.ok(worst <= TOKEN_TOLERANCE, `infill soft tokens differ by ${worst}`);
    const p = psnr(out.rgb, bytes(g.image.rgbBase64));
    assert.ok(p >= MIN_PSNR, `infill image PSNR ${p.toFixed(1)} dB`);
    // Past the feather (farther than featherPx + 1 from every masked pixel) the source's bytes.
    let kept = 0;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let near = false;
        for (let q = 0; q < mask.length && !near; q++)
          if (mask[q] !== 0)
            near = Math.hypot((q % width) - x, Math.floor(q / width) - y) < g.featherPx + 1;
        if (near) continue;
        kept++;
        for (let ch = 0; ch < 3; ch++) {
          const i = (y * width + x) * 3 + ch;
          assert.equal(out.rgb[i], source[i], `pixel ${x},${y}`);
        }
      }
    assert.ok(kept > (width * height) / 2, `${kept} pixels past the feather`);
  }
});
