import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MANIFEST_VERSION, parseManifest } from './model-manifest.ts';
import {
  EXPORTS_DIR,
  jpegLmManifest,
  shippedModelDirs,
  shippedVqArManifest,
} from '../models/testing/shipped-models.ts';

const exportsDir = EXPORTS_DIR;
const shipped = shippedModelDirs();
const shippedManifest = shippedVqArManifest;

const problem = (m: unknown): string => {
  const result = parseManifest(JSON.stringify(m), 'x/manifest.json');
  return result.ok ? '' : result.error.message;
};

test('every shipped manifest validates', () => {
  assert.ok(shipped.length > 0, 'the embedded default model must be committed');
  for (const dir of shipped) {
    const text = readFileSync(join(exportsDir, dir, 'manifest.json'), 'utf8');
    const result = parseManifest(text, `${dir}/manifest.json`);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
  }
});

test('a manifest from a newer Tessera is refused with what to do', () => {
  const m = shippedManifest();
  m.manifestVersion = MANIFEST_VERSION + 1;
  const result = parseManifest(JSON.stringify(m), 'new/manifest.json');
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error.message, /newer Tessera.*update Tessera/);
});

test('a vq-ar manifest without its tokenizer graphs is refused', () => {
  const m = shippedManifest();
  const graphs = m.graphs as Record<string, unknown>;
  delete graphs.vq_decode;
  const result = parseManifest(JSON.stringify(m), 'x/manifest.json');
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error.message, /graphs\.vq_decode: a vq-ar model needs/);
});

test('graph files may not point outside the model folder', () => {
  const m = shippedManifest();
  const graphs = m.graphs as Record<string, { file: string }>;
  for (const file of ['../../etc/passwd', '/etc/passwd', 'onnx/../../x.onnx', 'onnx\\x.onnx']) {
    graphs.decoder!.file = file;
    const result = parseManifest(JSON.stringify(m), 'x/manifest.json');
    assert.equal(result.ok, false, file);
    assert.match(result.ok ? '' : result.error.message, /must be a path inside the model folder/);
    assert.doesNotMatch(result.ok ? '' : result.error.message, /passwd|x\.onnx/);
  }
  // A published layout keeps its graphs in a subfolder.
  graphs.decoder!.file = 'onnx/decoder.onnx';
  assert.equal(parseManifest(JSON.stringify(m), 'x/manifest.json').ok, true);
});

test('unknown families and broken JSON give readable errors', () => {
  const m = shippedManifest();
  m.family = 'diffusion-xl';
  const unknown = parseManifest(JSON.stringify(m), 'x/manifest.json');
  assert.equal(unknown.ok, false);
  assert.match(unknown.ok ? '' : unknown.error.message, /family/);
  const broken = parseManifest('{"manifestVersion": 1,', 'y/manifest.json');
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : broken.error.message, /y\/manifest.json is not valid JSON/);
});

test('a jpeg-lm manifest validates with its jpeg and hf blocks, and needs the jpeg block', () => {
  const m = jpegLmManifest();
  assert.equal(problem(m), '');
  const parsed = parseManifest(JSON.stringify(m), 'x/manifest.json');
  assert.ok(
    parsed.ok && parsed.value.jpeg?.bpe.offset === 2246 && parsed.value.hf?.folder === 'hf',
  );
  delete m.jpeg;
  assert.match(problem(m), /jpeg: a jpeg-lm model needs a "jpeg" block .*: re-export the model/);
});

test('a jpeg block that does not fit the image or the vocabulary is refused with what to do', () => {
  const tiles = jpegLmManifest();
  (tiles.jpeg as { mcusPerRow: number }).mcusPerRow = 4;
  assert.match(
    problem(tiles),
    /jpeg.mcus: 4 MCUs of 16 px, 4 per row, do not tile a 32×32 image: re-export/,
  );
  const vocab = jpegLmManifest();
  (vocab.jpeg as { bpe: { offset: number } }).bpe.offset = 2000;
  assert.match(
    problem(vocab),
    /jpeg.bpe: JPEG tokens \[2000, 2281\) must end the vocabulary of 2527/,
  );
  const file = jpegLmManifest();
  (file.jpeg as { tables: { file: string } }).tables.file = '../tables.bin';
  assert.match(problem(file), /jpeg files must sit in the model folder itself/);
  const recipe = jpegLmManifest();
  (recipe.jpeg as { subsampling: string }).subsampling = '4:4:4';
  assert.match(problem(recipe), /jpeg.subsampling/);
});

test('a retrieval block and the retrieval capability go together, and fit the grid', () => {
  const m = shippedManifest();
  const caps = m.capabilities as Record<string, unknown>;
  const block = {
    memory: { file: 'memory.json', sha256: 'a'.repeat(64) },
    codes: { file: 'memory-codes.bin', sha256: 'b'.repeat(64), dtype: 'uint16', shape: [10, 64] },
    documents: 10,
    query: 'caption-tfidf',
    topK: 1,
  };
  assert.equal(problem({ ...m, capabilities: { ...caps, retrieval: true }, retrieval: block }), '');
  assert.match(
    problem({ ...m, capabilities: { ...caps, retrieval: true } }),
    /no "retrieval" block/,
  );
  assert.match(
    problem({ ...m, capabilities: { ...caps, retrieval: false }, retrieval: block }),
    /does not declare the capability/,
  );
  assert.match(
    problem({
      ...m,
      capabilities: { ...caps, retrieval: true },
      retrieval: { ...block, codes: { ...block.codes, shape: [10, 16] } },
    }),
    /not 10 grids of 8×8/,
  );
  assert.match(
    problem({
      ...m,
      capabilities: { ...caps, retrieval: true },
      retrieval: { ...block, memory: { file: '../memory.json', sha256: 'a'.repeat(64) } },
    }),
    /must sit in the model folder/,
  );
});

test('a caption slot must hold the longest caption the tokenizer writes', () => {
  const m = shippedManifest();
  const tokenizer = m.tokenizer as Record<string, unknown>;
  assert.equal(problem({ ...m, tokenizer: { ...tokenizer, captionSlot: 16 } }), '');
  assert.match(
    problem({ ...m, tokenizer: { ...tokenizer, captionSlot: 8 } }),
    /slot of 8 tokens cannot hold the tokenizer's 16-token captions: re-export/,
  );
  assert.match(problem({ ...m, tokenizer: { ...tokenizer, captionSlot: 0 } }), /captionSlot/);
});

test('sampling.defaults.bestOf: 1 when a manifest does not say, refused outside 1 to 16', () => {
  const m = shippedManifest();
  const defaults = (m.sampling as { defaults: Record<string, unknown> }).defaults;
  delete defaults.bestOf;
  const parsed = parseManifest(JSON.stringify(m), 'x/manifest.json');
  assert.equal(parsed.ok && parsed.value.sampling.defaults.bestOf, 1);
  defaults.bestOf = 4;
  const four = parseManifest(JSON.stringify(m), 'x/manifest.json');
  assert.equal(four.ok && four.value.sampling.defaults.bestOf, 4);
  for (const bad of [0, 17, 2.5]) {
    defaults.bestOf = bad;
    assert.match(problem(m), /sampling\.defaults\.bestOf/);
  }
});

test('training.resolvedConfig: the shipped manifests carry their config resolved, and it is an object', () => {
  for (const m of [shippedManifest(), jpegLmManifest()]) {
    const training = m.training as Record<string, unknown>;
    const resolved = training.resolvedConfig as Record<string, unknown>;
    assert.equal(typeof resolved.name, 'string');
    assert.equal(problem(m), '');
    training.resolvedConfig = 'cpu-11h';
    assert.match(problem(m), /training\.resolvedConfig/);
  }
});
