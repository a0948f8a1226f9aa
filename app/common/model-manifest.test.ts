import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MANIFEST_VERSION, parseManifest } from './model-manifest.ts';

const exportsDir = join(import.meta.dirname, '..', '..', 'native-models', 'exports');
const shipped = existsSync(exportsDir)
  ? readdirSync(exportsDir).filter((d) => existsSync(join(exportsDir, d, 'manifest.json')))
  : [];

function shippedManifest(): Record<string, unknown> {
  assert.ok(shipped.length > 0, 'no exported model under native-models/exports');
  return JSON.parse(readFileSync(join(exportsDir, shipped[0]!, 'manifest.json'), 'utf8'));
}

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
  graphs.decoder!.file = '../../etc/passwd';
  const result = parseManifest(JSON.stringify(m), 'x/manifest.json');
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error.message, /model folder itself/);
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
