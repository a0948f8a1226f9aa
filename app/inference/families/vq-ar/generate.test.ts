import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SamplingSettings } from '../../engine/logits/sample.ts';
import { decodeCodes, generateCodes } from './generate.ts';
import { ModelLoadError, VqArModel } from './model.ts';

const exportsDir = join(import.meta.dirname, '..', '..', '..', '..', 'native-models', 'exports');
const modelDirs = existsSync(exportsDir)
  ? readdirSync(exportsDir)
      .map((d) => join(exportsDir, d))
      .filter((d) => existsSync(join(d, 'golden.json')))
  : [];

interface GenerateCase {
  task: 'generate';
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  promptIds: number[];
  codes: number[];
  image: { rgbBase64: string; sha256: string };
}

const models: VqArModel[] = [];
before(async () => {
  for (const dir of modelDirs)
    models.push(await VqArModel.load(dir, { provider: 'cpu', threads: 2 }));
});
after(async () => {
  for (const m of models) await m.release();
});

test('the TypeScript loop reproduces every golden image exactly', async () => {
  assert.ok(models.length > 0, 'no exported vq-ar model with golden.json');
  for (const model of models) {
    const golden = JSON.parse(readFileSync(join(model.dir, 'golden.json'), 'utf8')) as {
      cases: (GenerateCase | { task: string })[];
    };
    const cases = golden.cases.filter((c): c is GenerateCase => c.task === 'generate');
    assert.ok(cases.length >= 5);
    for (const c of cases) {
      assert.deepEqual(model.promptIds(c.prompt, c.style), c.promptIds, c.prompt);
      const codes = await generateCodes(model, {
        promptIds: c.promptIds,
        seed: c.seed,
        imageIndex: c.imageIndex,
        settings: c.settings,
      });
      assert.deepEqual(codes, c.codes, `codes of "${c.prompt}" seed ${c.seed}`);
      const rgb = await decodeCodes(model, codes);
      assert.deepEqual(
        Buffer.from(rgb),
        Buffer.from(c.image.rgbBase64, 'base64'),
        `pixels of "${c.prompt}"`,
      );
    }
  }
});

test('a stop request ends the loop after the current code', async () => {
  const model = models[0]!;
  const settings: SamplingSettings = { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null };
  const full = await generateCodes(model, {
    promptIds: model.promptIds('red heart', null),
    seed: 3,
    imageIndex: 0,
    settings,
  });
  const partial = await generateCodes(model, {
    promptIds: model.promptIds('red heart', null),
    seed: 3,
    imageIndex: 0,
    settings,
    onCode: (codes) => codes.length < 10,
  });
  assert.equal(full.length, model.grid ** 2);
  assert.deepEqual(partial, full.slice(0, 10));
});

test('a missing manifest or a damaged graph file is named, not run', async () => {
  await assert.rejects(VqArModel.load(join(exportsDir, 'no-such-model')), (err: Error) => {
    assert.ok(err instanceof ModelLoadError);
    assert.match(err.message, /no manifest.json/);
    return true;
  });
  const copy = mkdtempSync(join(tmpdir(), 'vq-ar-damaged-'));
  try {
    cpSync(models[0]!.dir, copy, { recursive: true });
    const decoder = join(copy, 'decoder.onnx');
    const bytes = readFileSync(decoder);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(decoder, bytes);
    await assert.rejects(
      VqArModel.load(copy),
      /decoder.onnx .* is damaged .* re-copy or re-export/,
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
