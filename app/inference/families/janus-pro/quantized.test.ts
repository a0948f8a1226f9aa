/**
 * The converter's q4 and int8 folders (the language model's graphs quantised, under the file
 * names transformers.js reads for those dtypes) load and run in Tessera: greedy image codes under
 * Janus's guidance and the greedy caption equal what onnxruntime's Python chain makes from the
 * same graphs. How far those stray from fp32 is the converter's parity report, held to its
 * bounds in native-models/tests/test_janus_quantize.py. transformers.js loads the q4 folder with
 * each graph's dtype and draws the picture Tessera draws.
 */
import { MultiModalityCausalLM, Tensor, env } from '@huggingface/transformers';
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { after, describe, test } from 'node:test';
import { captionTokens } from './caption.ts';
import { decodeCodes, generateCodes } from './generate.ts';
import { JanusModel } from './model.ts';
import {
  patternImage,
  tinyJanusReference,
  tinyJanusVariantDir,
  type JanusVariant,
} from './testing/tiny-model.ts';

const greedy = (cfgScale: number) => ({ cfgScale, temperature: 0, topK: 0, topP: 1, cdk: null });

for (const variant of ['q4', 'int8'] satisfies JanusVariant[]) {
  describe(`janus-pro ${variant}`, () => {
    const dir = tinyJanusVariantDir(variant);
    const ref = tinyJanusReference(dir);
    let model: JanusModel;
    after(() => model?.release());

    test('loads its quantised graphs by the names and dtypes its manifest records', async () => {
      model = await JanusModel.load(dir);
      for (const role of ['language_model', 'lm_head', 'gen_head']) {
        const g = model.manifest.graphs[role]!;
        assert.equal(g.dtype, variant);
        assert.equal(g.file, `onnx/${role}_${variant}.onnx`);
      }
      assert.equal(model.manifest.graphs.image_decode!.dtype, 'fp32');
    });

    test('greedy codes with guidance are the codes onnxruntime made from the same graphs', async () => {
      for (const [i, image] of ref.images.entries()) {
        const codes = await generateCodes(model, {
          promptIds: image.ids,
          seed: 1,
          imageIndex: 0,
          settings: greedy(image.guidance),
        });
        assert.deepEqual(codes, ref.onnx!.codes[i], image.prompt);
      }
    });

    test('the greedy caption is the one onnxruntime made from the same graphs', async () => {
      const picture = patternImage(model.layouts.imageInput.size);
      const tokens = await captionTokens(model, picture, ref.caption.maxTokens);
      assert.deepEqual(tokens, ref.onnx!.caption);
    });
  });
}

test('transformers.js loads the q4 folder by its dtypes and draws the picture Tessera draws', async () => {
  const dir = tinyJanusVariantDir('q4');
  const model = await JanusModel.load(dir);
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(dir)}/`;
  // Each graph at the dtype its manifest records: transformers.js reads language_model_q4.onnx
  // for 'q4' and image_decode.onnx for 'fp32'.
  const dtype = Object.fromEntries(
    Object.entries(model.manifest.graphs).map(([role, g]) => [role, g.dtype ?? 'fp32']),
  ) as Record<string, 'q4' | 'fp32'>;
  const peer = (await MultiModalityCausalLM.from_pretrained(basename(dir), {
    local_files_only: true,
    dtype,
    device: 'cpu',
    session_options: { intraOpNumThreads: 2, interOpNumThreads: 1 },
  })) as MultiModalityCausalLM;
  try {
    const count = model.grid ** 2;
    const ids = model.promptIds(tinyJanusReference(dir).images[0]!.prompt);
    const settings = { cfgScale: 1, temperature: 0, topK: 0, topP: 1, cdk: null };
    const codes = await generateCodes(model, { promptIds: ids, seed: 0, imageIndex: 0, settings });
    const [image] = await peer.generate_images({
      inputs: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      images_seq_mask: new Tensor('bool', new Uint8Array(ids.length), [1, ids.length]),
      images_emb_mask: new Tensor('bool', new Uint8Array(0), [1, 0, model.layouts.imageTokens]),
      min_new_tokens: count,
      max_new_tokens: count,
      do_sample: false,
      guidance_scale: 1,
    });
    assert.deepEqual(Buffer.from(image!.data), Buffer.from(await decodeCodes(model, codes)));
  } finally {
    await peer.dispose();
    await model.release();
  }
});
