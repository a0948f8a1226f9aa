import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SamplingSettings } from '../../engine/logits/sample.ts';
import { Prng } from '../../engine/rng.ts';
import { McuGrammar } from './grammar.ts';
import { runMcus, type McuRun } from './loop.ts';
import { JpegLmModel } from './model.ts';
import { requireTestModel } from './testing/test-model.ts';

let model: JpegLmModel;
/** The test model with at most 4 tokens per MCU, so markers are forced mid-image. */
let tight: JpegLmModel;
before(async () => {
  model = await JpegLmModel.load(requireTestModel());
  const context = model.manifest.graphs.decoder!.kv!.context;
  tight = Object.create(model, {
    grammar: {
      value: new McuGrammar(model.vocab, model.jpeg.mcus, 4, context, model.grammar.entropy),
    },
  }) as JpegLmModel;
});
after(async () => {
  await model?.release();
});

const settings: SamplingSettings = { cfgScale: 3, temperature: 1, topK: 0, topP: 1, cdk: null };
const sampleAll = (captionIds: number[], s = settings): McuRun => ({
  captionIds,
  known: new Array<null>(model.jpeg.mcus).fill(null),
  seed: 11,
  imageIndex: 0,
  settings: s,
});

/** Draws taken while `fn` runs. */
async function countDraws<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const uniform = Prng.prototype.uniform;
  let draws = 0;
  Prng.prototype.uniform = function (this: Prng) {
    draws++;
    return uniform.call(this);
  };
  try {
    return [await fn(), draws];
  } finally {
    Prng.prototype.uniform = uniform;
  }
}

/** The body cut after each marker: one list per MCU. */
function mcusOf(body: readonly number[]): number[][] {
  const out: number[][] = [[]];
  for (const t of body) {
    out[out.length - 1]!.push(t);
    if (t >= model.grammar.marker(0) && t <= model.grammar.marker(model.jpeg.mcus - 1))
      out.push([]);
  }
  return out.slice(0, -1);
}

test('every sampled position takes one draw, forced markers included; known MCUs take none', async () => {
  const caption = model.promptIds('red apple', null);
  const [run, draws] = await countDraws(() => runMcus(tight, sampleAll(caption)));
  const mcus = mcusOf(run.body);
  assert.equal(mcus.length, model.jpeg.mcus);
  mcus.forEach((tokens, m) => {
    assert.equal(tokens.at(-1), tight.grammar.marker(m), `MCU ${m} ends with its marker`);
    assert.ok(tokens.length <= 5, `MCU ${m}: at most 4 data tokens, then the marker`);
  });
  assert.ok(
    mcus.some((t) => t.length === 5),
    'some marker should have been forced',
  );
  assert.equal(draws, run.body.length);

  // Teacher-force MCU 0 (as infill does): only the other MCUs' positions draw.
  const known = [mcus[0]!, ...new Array<null>(model.jpeg.mcus - 1).fill(null)];
  const [infill, infillDraws] = await countDraws(() =>
    runMcus(tight, { ...sampleAll(caption), known }),
  );
  assert.deepEqual(infill.body.slice(0, mcus[0]!.length), mcus[0]);
  assert.equal(infillDraws, infill.body.length - mcus[0]!.length);
});

test('without a caption there is no guidance, whatever the CFG scale or CD-K', async () => {
  const unguided = await runMcus(tight, sampleAll([], { ...settings, cfgScale: 1 }));
  const asked = await runMcus(tight, sampleAll([], settings));
  assert.deepEqual(asked.body, unguided.body);
  // CD-K would pick among ties (its two rows equal); without a caption it is plain sampling.
  const cdk = { ...settings, cdk: { alpha: 0.1, k: 8, tau: 1 } };
  const contrastive = await runMcus(tight, sampleAll([], cdk));
  assert.deepEqual(contrastive.body, unguided.body);
  // The same run with a caption: guidance does change it (so the comparison above can fail).
  const caption = model.promptIds('red apple', null);
  const guided = await runMcus(model, sampleAll(caption));
  const plain = await runMcus(model, sampleAll(caption, { ...settings, cfgScale: 1 }));
  assert.notDeepEqual(guided.body, plain.body, 'with a caption, CFG 3 should change the image');
});
