/**
 * The same tiny converted folder in @huggingface/transformers (MultiModalityCausalLM, the class
 * that runs the published Janus-Pro ONNX folders): it loads, and its greedy `generate_images`
 * makes the picture Tessera's loop makes, pixel for pixel. Guidance is off here because
 * transformers.js builds its unconditional row its own way (every prompt token padded and
 * masked), not Janus's; Janus's rule is held to transformers' Python in reference.test.ts.
 */
import { MultiModalityCausalLM, Tensor, env } from '@huggingface/transformers';
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeCodes, generateCodes } from './generate.ts';
import { JanusModel } from './model.ts';
import { tinyJanusDir, tinyJanusReference } from './testing/tiny-model.ts';

let model: JanusModel;
let peer: MultiModalityCausalLM;
let dir: string;

before(async () => {
  dir = tinyJanusDir();
  model = await JanusModel.load(dir);
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(dir)}/`;
  peer = (await MultiModalityCausalLM.from_pretrained(basename(dir), {
    local_files_only: true,
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: 2, interOpNumThreads: 1 },
  })) as MultiModalityCausalLM; // typed as its base class
});
after(async () => {
  await model.release();
  await peer.dispose();
});

test('transformers.js draws the picture Tessera draws from the same folder, greedy', async () => {
  const count = model.grid ** 2;
  const { layouts } = model;
  for (const { prompt } of tinyJanusReference(dir).images) {
    const ids = model.promptIds(prompt);
    const settings = { cfgScale: 1, temperature: 0, topK: 0, topP: 1, cdk: null };
    const codes = await generateCodes(model, { promptIds: ids, seed: 0, imageIndex: 0, settings });
    const ours = await decodeCodes(model, codes);
    const [image] = await peer.generate_images({
      inputs: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      images_seq_mask: new Tensor('bool', new Uint8Array(ids.length), [1, ids.length]),
      images_emb_mask: new Tensor('bool', new Uint8Array(0), [1, 0, layouts.imageTokens]),
      min_new_tokens: count,
      max_new_tokens: count,
      do_sample: false,
      guidance_scale: 1,
    });
    const { width, height } = model.manifest.image;
    assert.deepEqual([image!.width, image!.height, image!.channels], [width, height, 3]);
    assert.deepEqual(Buffer.from(image!.data), Buffer.from(ours), prompt);
  }
});
