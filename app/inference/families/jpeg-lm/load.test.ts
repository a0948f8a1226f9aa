import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadFamilyModel } from '../registry.ts';
import { ModelLoadError } from '../types.ts';
import { requireTestModel, TEST_MODEL_DIR } from './testing/test-model.ts';

const copies: string[] = [];
before(() => {
  requireTestModel();
});
after(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

interface Manifest {
  jpeg?: {
    tables: { file: string };
    header: { file: string };
    bpe: { file: string; sha256: string };
  };
  graphs: { decoder: { file: string } };
}

/** A copy of the test model, broken by `damage`. */
function brokenCopy(damage: (dir: string, manifest: Manifest) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'jpeg-lm-broken-'));
  copies.push(dir);
  cpSync(TEST_MODEL_DIR, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  damage(dir, manifest);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return dir;
}

async function loadError(dir: string): Promise<string> {
  try {
    const model = await loadFamilyModel(dir, { provider: 'cpu', threads: 1 });
    await model.release();
  } catch (err) {
    assert.ok(err instanceof ModelLoadError, `expected a ModelLoadError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`${dir} loaded although it is broken`);
}

function flipByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
  writeFileSync(path, bytes);
}

test('the test model loads through the registry', async () => {
  const model = await loadFamilyModel(TEST_MODEL_DIR, { provider: 'cpu', threads: 1 });
  assert.equal(model.manifest.family, 'jpeg-lm');
  await model.release();
});

test('a missing tables file is named', async () => {
  const dir = brokenCopy((d, m) => unlinkSync(join(d, m.jpeg!.tables.file)));
  assert.match(
    await loadError(dir),
    /^tables\.bin is missing from .*: re-copy or re-export the model$/,
  );
});

test('a header or decoder whose hash does not match is named as damaged', async () => {
  let header = '';
  const dir = brokenCopy((d, m) => {
    header = m.jpeg!.header.file;
    flipByte(join(d, header));
  });
  assert.match(
    await loadError(dir),
    new RegExp(
      `^${header.replace('.', '\\.')} in .* is damaged \\(its hash does not match the manifest\\): re-copy or re-export the model$`,
    ),
  );
  const decoder = brokenCopy((d, m) => flipByte(join(d, m.graphs.decoder.file)));
  assert.match(await loadError(decoder), /decoder\.onnx in .* is damaged/);
});

test('a manifest without its jpeg block says what to do', async () => {
  const dir = brokenCopy((_, m) => delete m.jpeg);
  assert.match(
    await loadError(dir),
    /manifest\.json is not a usable model manifest: jpeg: a jpeg-lm model needs a "jpeg" block \(JPEG tables, header and byte BPE\): re-export the model/,
  );
});

test('a byte BPE that does not fit the manifest is refused, even with a matching hash', async () => {
  const dir = brokenCopy((d, m) => {
    const path = join(d, m.jpeg!.bpe.file);
    const bpe = JSON.parse(readFileSync(path, 'utf8')) as { merges: number[][] };
    bpe.merges.push([1, 2]);
    const text = JSON.stringify(bpe);
    writeFileSync(path, text);
    m.jpeg!.bpe.sha256 = createHash('sha256').update(text).digest('hex');
  });
  assert.match(
    await loadError(dir),
    /jpeg-bpe\.json and words\.json in .* give \d+ JPEG tokens .* but the manifest says \d+ .*: re-export the model/,
  );
});
