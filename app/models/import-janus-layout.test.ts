/**
 * Importing a converted Janus-Pro folder, whose graphs sit in `onnx/` as in the layout
 * @huggingface/transformers reads: the graphs land in the same subfolder of the installed copy,
 * a second copy of the same weights is refused by its language model's hash, and an `onnx/`
 * subfolder that is a link out of the folder is refused like any link leading outside.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tinyJanusDir } from '../inference/families/janus-pro/testing/tiny-model.ts';
import { importModelFolder, ModelImportError } from './import-model.ts';
import { installedModels, resolveModel } from './installed.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-import-janus-'));
const home = join(work, 'home');
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;
let source: string;

before(() => {
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
  source = join(work, 'janus');
  cpSync(tinyJanusDir(), source, { recursive: true });
});
after(() => {
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  rmSync(work, { recursive: true, force: true });
});

test('a folder with its graphs under onnx/ is imported with the same layout', async () => {
  const imported = await importModelFolder(home, source);
  assert.equal(imported.family, 'janus-pro');
  assert.ok(existsSync(join(imported.dir, 'onnx', 'language_model.onnx')));
  assert.deepEqual(readdirSync(join(imported.dir, 'onnx')).sort(), [
    'gen_head.onnx',
    'gen_img_embeds.onnx',
    'image_decode.onnx',
    'image_encode.onnx',
    'language_model.onnx',
    'lm_head.onnx',
    'prepare_inputs_embeds.onnx',
  ]);
  const listed = (await installedModels(home)).find((m) => m.dir === imported.dir);
  assert.equal(listed?.manifest?.family, 'janus-pro');
  // Found by its language model's hash, the way a recipe names the model that made it.
  const hash = listed!.manifest!.graphs.language_model!.sha256;
  assert.equal((await resolveModel(home, hash.slice(0, 12))).dir, imported.dir);
  await assert.rejects(importModelFolder(home, source), (err: unknown) => {
    assert.ok(err instanceof ModelImportError);
    assert.equal(err.code, 'already-installed');
    return true;
  });
});

test('an onnx/ subfolder linked out of the model folder is refused', async () => {
  const linked = join(work, 'linked');
  cpSync(source, linked, { recursive: true });
  const outside = join(work, 'graphs-elsewhere');
  renameSync(join(linked, 'onnx'), outside);
  symlinkSync(outside, join(linked, 'onnx'));
  const before = readdirSync(join(home, 'models'));
  await assert.rejects(importModelFolder(join(work, 'fresh-home'), linked), (err: unknown) => {
    assert.ok(err instanceof ModelImportError, String(err));
    assert.equal(err.code, 'model-damaged');
    assert.match(err.message, /onnx\/\w+\.onnx in .* is not a file of the model folder/);
    return true;
  });
  assert.deepEqual(readdirSync(join(home, 'models')), before);
});
