/**
 * A converted folder whose graphs keep their weights as ONNX external data (`<graph>.onnx_data`
 * beside each graph, as Janus-Pro-1B's language model must: it is over protobuf's 2 GiB) loads
 * and gives the greedy codes and caption the single-file folder gives, which are transformers'
 * own. A damaged or misnamed weights file is refused at load, with what to do.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { ModelLoadError } from '../types.ts';
import { captionTokens } from './caption.ts';
import { generateCodes } from './generate.ts';
import { JanusModel } from './model.ts';
import { patternImage, tinyJanusReference, tinyJanusVariantDir } from './testing/tiny-model.ts';

const dir = tinyJanusVariantDir('external');
const work = mkdtempSync(join(tmpdir(), 'tessera-janus-external-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("greedy codes and caption from external-data graphs are transformers' own", async () => {
  const ref = tinyJanusReference(dir);
  const model = await JanusModel.load(dir);
  try {
    const lm = model.manifest.graphs.language_model!;
    assert.equal(lm.externalData?.file, 'onnx/language_model.onnx_data');
    for (const image of ref.images) {
      const settings = { cfgScale: image.guidance, temperature: 0, topK: 0, topP: 1, cdk: null };
      const codes = await generateCodes(model, {
        promptIds: image.ids,
        seed: 1,
        imageIndex: 0,
        settings,
      });
      assert.deepEqual(codes, image.codes, image.prompt);
    }
    const picture = patternImage(model.layouts.imageInput.size);
    assert.deepEqual(
      await captionTokens(model, picture, ref.caption.maxTokens),
      ref.caption.tokens,
    );
  } finally {
    await model.release();
  }
});

async function refused(copy: string, message: RegExp): Promise<void> {
  await assert.rejects(JanusModel.load(copy), (err: unknown) => {
    assert.ok(err instanceof ModelLoadError, String(err));
    assert.match(err.message, message);
    return true;
  });
}

test('damaged external weights are refused before any graph runs', async () => {
  const copy = join(work, 'damaged');
  cpSync(dir, copy, { recursive: true });
  appendFileSync(join(copy, 'onnx', 'gen_head.onnx_data'), Buffer.from([0]));
  await refused(copy, /onnx\/gen_head\.onnx_data in .* is damaged .*: re-copy or re-export/);
});

test('external weights the manifest places anywhere but beside their graph are refused', async () => {
  const copy = join(work, 'elsewhere');
  cpSync(dir, copy, { recursive: true });
  const path = join(copy, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
  manifest.graphs.lm_head!.externalData!.file = 'onnx/gen_head.onnx_data';
  writeFileSync(path, JSON.stringify(manifest));
  await refused(
    copy,
    /must sit beside it as onnx\/lm_head\.onnx_data: convert the checkpoint again/,
  );
});
