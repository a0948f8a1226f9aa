import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { jpegLmManifest } from './testing/shipped-models.ts';
import { resolveModel } from './installed.ts';

const home = mkdtempSync(join(tmpdir(), 'tessera-installed-'));
after(() => rmSync(home, { recursive: true, force: true }));

function install(folder: string, manifest: Record<string, unknown>): void {
  mkdirSync(join(home, 'models', folder), { recursive: true });
  writeFileSync(join(home, 'models', folder, 'manifest.json'), JSON.stringify(manifest));
}

test('jpeg-lm models resolve beside vq-ar; families this build cannot run are refused', async () => {
  install('jl', jpegLmManifest());
  assert.equal((await resolveModel(home, 'tessera/jpeg-lm-test')).manifest.family, 'jpeg-lm');
  assert.equal(
    (await resolveModel(home, undefined)).manifest.family,
    'vq-ar',
    'the default stays vq-ar',
  );
  install('jf', { ...jpegLmManifest(), id: 'tessera/jetformer-test', family: 'jetformer' });
  await assert.rejects(
    resolveModel(home, 'tessera/jetformer-test'),
    /cannot be used|cannot run yet/,
  );
});
