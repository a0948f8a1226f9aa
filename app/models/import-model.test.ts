/**
 * Importing a model folder with the real shipped model: a valid folder lands in <home>/models,
 * is listed and runs; a folder already installed, one without a manifest, one whose manifest
 * is broken, and one with a missing, truncated or altered graph are refused with what is wrong,
 * and none of them leaves anything behind in the models folder.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InferenceClient } from '../inference/client.ts';
import { importModelFolder, ModelImportError } from './import-model.ts';
import { DEFAULT_MODEL_ID, installedModels, resolveModel } from './installed.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-import-model-'));
const home = join(work, 'home');
const shipped = (await resolveModel(home, DEFAULT_MODEL_ID)).dir;
const client = new InferenceClient();
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;

before(() => {
  // No embedded models here, so the shipped one can be imported as if from a download.
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
});
after(async () => {
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  await client.close();
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the shipped model folder, changed by `damage`. */
function brokenCopy(name: string, damage: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(shipped, dir, { recursive: true });
  damage(dir);
  return dir;
}

async function refused(source: string, code: ModelImportError['code'], message: RegExp) {
  const before = readdirSync(join(home, 'models'));
  await assert.rejects(importModelFolder(home, source), (err: unknown) => {
    assert.ok(err instanceof ModelImportError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
  assert.deepEqual(readdirSync(join(home, 'models')), before, 'nothing is left behind');
}

test('a model folder is copied into <home>/models, listed, and runs', async () => {
  assert.deepEqual(await installedModels(home), []);
  const imported = await importModelFolder(home, shipped);
  assert.equal(imported.id, DEFAULT_MODEL_ID);
  const folder = DEFAULT_MODEL_ID.replace('/', '--');
  assert.match(imported.dir, new RegExp(`models/${folder}-[0-9a-f]{10}$`));
  const [listed] = await installedModels(home);
  assert.equal(listed?.source, 'home');
  assert.equal(listed?.dir, imported.dir);
  // Only the manifest and the files it names travel; the goldens and hf/ export stay behind.
  assert.deepEqual(readdirSync(imported.dir).sort(), [
    'decoder.onnx',
    'manifest.json',
    'vq_decode.onnx',
    'vq_encode.onnx',
    'words.json',
  ]);
  assert.equal(imported.warning, null, 'a 130 MiB model fits this machine');
  assert.deepEqual(
    readFileSync(join(imported.dir, 'decoder.onnx')),
    readFileSync(join(shipped, 'decoder.onnx')),
  );
  const model = await resolveModel(home, DEFAULT_MODEL_ID);
  const end = await client.run({
    task: 'score',
    modelDir: model.dir,
    provider: 'cpu',
    threads: 1,
    imageRgb: Buffer.alloc(32 * 32 * 3, 255).toString('base64'),
    texts: ['red heart'],
  });
  assert.equal(end.type, 'completed', JSON.stringify(end));
});

test('a model already installed is refused', async () => {
  await refused(shipped, 'already-installed', /is already installed \(.*models/);
});

test('a folder without a manifest, or with a broken one, is refused saying what is wrong', async () => {
  const empty = join(work, 'empty');
  mkdirSync(empty);
  await refused(empty, 'not-a-model', /has no manifest\.json: choose a model folder/);
  await refused(join(work, 'absent'), 'not-a-model', /is not a folder/);
  const notJson = brokenCopy('not-json', (d) => writeFileSync(join(d, 'manifest.json'), '{ nope'));
  await refused(notJson, 'model-invalid', /is not valid JSON .*re-export or re-download/);
  const noDecoder = brokenCopy('no-decoder-entry', (d) => {
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    delete m.graphs.decoder;
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
  });
  await refused(
    noDecoder,
    'model-invalid',
    /graphs\.decoder: a vq-ar model needs a "decoder" graph/,
  );
});

test('a missing, truncated or altered file is refused, naming the file', async () => {
  const missing = brokenCopy('missing', (d) => rmSync(join(d, 'vq_decode.onnx')));
  await refused(missing, 'model-damaged', /lacks vq_decode\.onnx, which its manifest names/);
  const truncated = brokenCopy('truncated', (d) => {
    const bytes = readFileSync(join(d, 'decoder.onnx'));
    writeFileSync(join(d, 'decoder.onnx'), bytes.subarray(0, bytes.length - 1000));
  });
  await refused(truncated, 'model-damaged', /decoder\.onnx in .* bytes, but its manifest says/);
  const altered = brokenCopy('altered', (d) => {
    const bytes = readFileSync(join(d, 'words.json'));
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(join(d, 'words.json'), bytes);
  });
  await refused(altered, 'model-damaged', /words\.json in .* does not match its manifest's sha256/);
});
