import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SamplingSettings } from '../../engine/logits/sample.ts';
import { captionCodes } from './caption.ts';
import { decodeCodes, generateCodes } from './generate.ts';
import {
  encodeImage,
  infillCodes,
  InfillMaskError,
  maskToSegments,
  type Segment,
} from './infill.ts';
import { ModelLoadError, VqArModel } from './model.ts';
import { shippedModelDir } from '../../../models/testing/shipped-models.ts';

const exportsDir = join(import.meta.dirname, '..', '..', '..', '..', 'native-models', 'exports');
// The shipped model always; any other export (a candidate not yet shipped) on request:
// TESSERA_GOLDEN_EXPORTS=dir[:dir...] node --import tsx --test <this file>
const modelDirs = [
  shippedModelDir('vq-ar'),
  ...(process.env.TESSERA_GOLDEN_EXPORTS ?? '').split(':').filter((d) => d !== ''),
];

interface GenerateCase {
  task: 'generate';
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  promptIds: number[];
  /** Exports with a retrieval memory record the document each case was given. */
  retrieval?: boolean;
  document?: number | null;
  documentIds?: number[];
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
      // Retrieval picks the same document as the Python reference, with the same tokens.
      const doc = model.document(c.prompt, c.retrieval === false ? 'off' : 'auto');
      assert.equal(doc?.index ?? null, c.document ?? null, `document for "${c.prompt}"`);
      assert.deepEqual(
        model.documentIds(doc),
        c.documentIds ?? [],
        `document ids of "${c.prompt}"`,
      );
      const codes = await generateCodes(model, {
        promptIds: c.promptIds,
        documentIds: model.documentIds(doc),
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

interface InfillCase {
  task: 'infill';
  sourceImage: { rgbBase64: string };
  sourceCodes: number[];
  maskRect: [number, number, number, number];
  segments: Segment[];
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  codes: number[];
  image: { rgbBase64: string };
}

test('infill and captions reproduce their goldens exactly', async () => {
  for (const model of models) {
    const golden = JSON.parse(readFileSync(join(model.dir, 'golden.json'), 'utf8')) as {
      cases: { task: string }[];
    };
    const infills = golden.cases.filter((c): c is InfillCase => c.task === 'infill');
    assert.ok(infills.length >= 1);
    for (const c of infills) {
      const source = new Uint8Array(Buffer.from(c.sourceImage.rgbBase64, 'base64'));
      const codes = await encodeImage(model, source);
      assert.deepEqual(codes, c.sourceCodes, 'vq_encode of the source image');
      const [y0, x0, y1, x1] = c.maskRect;
      const size = model.manifest.image.width;
      const mask = Array.from({ length: size * size }, (_, i) => {
        const y = Math.floor(i / size);
        const x = i % size;
        return y >= y0 && y < y1 && x >= x0 && x < x1;
      });
      const segments = maskToSegments(mask, size, model.grid);
      assert.deepEqual(segments, c.segments);
      const out = await infillCodes(model, {
        codes,
        segments,
        promptIds: model.promptIds(c.prompt, c.style),
        seed: c.seed,
        imageIndex: c.imageIndex,
        settings: c.settings,
      });
      assert.deepEqual(out, c.codes);
      assert.deepEqual(
        Buffer.from(await decodeCodes(model, out!)),
        Buffer.from(c.image.rgbBase64, 'base64'),
      );
    }
    const captions = golden.cases.filter((c) => c.task === 'caption') as unknown as {
      codes: number[];
      caption: string;
    }[];
    assert.ok(captions.length >= 3);
    for (const c of captions) assert.equal(await captionCodes(model, c.codes), c.caption);
  }
});

test('an empty mask is refused with what to do', () => {
  assert.throws(
    () => maskToSegments(new Array(32 * 32).fill(false), 32, 8),
    (err: Error) => {
      assert.ok(err instanceof InfillMaskError);
      assert.match(err.message, /mask is empty: paint the region/);
      return true;
    },
  );
  const tall = Array.from({ length: 32 * 32 }, (_, i) => i % 32 === 5);
  assert.equal(maskToSegments(tall, 32, 8).length, 8); // every grid row, one sentinel each
  const dot = Array.from({ length: 32 * 32 }, (_, i) => i === 32 * 9 + 13);
  assert.deepEqual(maskToSegments(dot, 32, 8), [[2, 3, 4]]);
});

test('a stop ends the loop after the current code, and resuming from it finishes identically', async () => {
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
    afterCode: (codes) => codes.length < 10,
  });
  assert.equal(full.length, model.grid ** 2);
  assert.deepEqual(partial, full.slice(0, 10));
  const resumed = await generateCodes(model, {
    promptIds: model.promptIds('red heart', null),
    seed: 3,
    imageIndex: 0,
    settings,
    resumeFrom: partial,
  });
  assert.deepEqual(resumed, full, 'a resumed run must equal the uninterrupted one');
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

test('sampled captions are reproducible from their seed', async () => {
  const model = models[0]!;
  const golden = JSON.parse(readFileSync(join(model.dir, 'golden.json'), 'utf8')) as {
    cases: { task: string; codes?: number[] }[];
  };
  const codes = golden.cases.find((c) => c.task === 'caption')!.codes!;
  const sampling = { temperature: 1.5, topP: 1, seed: 77 };
  const a = await captionCodes(model, codes, sampling);
  assert.equal(await captionCodes(model, codes, sampling), a);
  const variants = new Set<string>();
  for (let seed = 0; seed < 8; seed++)
    variants.add(await captionCodes(model, codes, { ...sampling, seed }));
  assert.ok(variants.size > 1, 'different seeds should give different captions at temperature 1.5');
});
