/**
 * The janus-pro loop against transformers: on a tiny random JanusForConditionalGeneration
 * converted by native-models, Tessera's tokenizer gives the prompt ids transformers' tokenizer
 * gave, its greedy image codes under Janus's guidance are the codes transformers' own
 * `generate(generation_mode="image")` made, and its greedy caption is transformers' caption.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { captionTokens } from './caption.ts';
import { decodeCodes, generateCodes, unconditionalRow } from './generate.ts';
import { JanusModel } from './model.ts';
import {
  patternImage,
  tinyJanusDir,
  tinyJanusReference,
  type JanusReference,
} from './testing/tiny-model.ts';

const greedy = (cfgScale: number) => ({ cfgScale, temperature: 0, topK: 0, topP: 1, cdk: null });

describe('janus-pro against transformers', () => {
  let model: JanusModel;
  let ref: JanusReference;
  before(async () => {
    const dir = tinyJanusDir();
    ref = tinyJanusReference(dir);
    model = await JanusModel.load(dir);
  });
  after(() => model.release());

  test('the prompt ids are the ones transformers tokenised', () => {
    for (const image of ref.images) assert.deepEqual(model.promptIds(image.prompt), image.ids);
  });

  test('a prompt longer than the model reads is refused with what to do', () => {
    const most = model.manifest.tokenizer.maxTokens;
    assert.throws(
      () => model.promptIds('heart '.repeat(most)),
      /tokens with Janus's template; .* reads at most \d+: shorten it/,
    );
  });

  test("the unconditional row keeps only the prompt's first and last tokens", () => {
    assert.deepEqual(unconditionalRow([0, 7, 8, 9, 4], 2), [0, 2, 2, 2, 4]);
  });

  test('greedy codes with guidance are the codes transformers generated', async () => {
    for (const image of ref.images) {
      const codes = await generateCodes(model, {
        promptIds: image.ids,
        seed: 1,
        imageIndex: 0,
        settings: greedy(image.guidance),
      });
      assert.equal(codes.length, model.grid ** 2);
      assert.deepEqual(codes, image.codes, image.prompt);
    }
  });

  test('a resumed generation replays its saved codes and finishes the same', async () => {
    const image = ref.images[0]!;
    const settings = { ...greedy(image.guidance), temperature: 1, topP: 0.9 };
    const full = await generateCodes(model, {
      promptIds: image.ids,
      seed: 5,
      imageIndex: 0,
      settings,
    });
    const resumed = await generateCodes(model, {
      promptIds: image.ids,
      seed: 5,
      imageIndex: 0,
      settings,
      resumeFrom: full.slice(0, 10),
    });
    assert.deepEqual(resumed, full);
  });

  test('image_decode gives an RGB picture of the manifest size', async () => {
    const rgb = await decodeCodes(model, ref.images[0]!.codes);
    const { width, height } = model.manifest.image;
    assert.equal(rgb.length, width * height * 3);
    assert.ok(new Set(rgb).size > 16, 'a decoded picture is not flat');
  });

  test('the greedy caption is the caption transformers generated', async () => {
    const picture = patternImage(model.layouts.imageInput.size);
    const tokens = await captionTokens(model, picture, ref.caption.maxTokens);
    assert.deepEqual(tokens, ref.caption.tokens);
  });
});
