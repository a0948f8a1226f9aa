/**
 * janus-pro jobs through the family registry, as the inference host runs them: a generation
 * reports progress and checkpoints and ends with grid² codes and the decoded picture; paused
 * part-way and resumed from its saved codes it ends with the same bytes; a caption job answers
 * with the text of transformers' greedy caption; an infill job gives the codes transformers'
 * own modules give when driven the same way, and leaves the picture outside the mask as it was.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GenerateRequest, JobEvent } from '../../../common/inference-contract.ts';
import { loadFamilyModel } from '../registry.ts';
import type { FamilyModel, JobControl } from '../types.ts';
import { JanusModel } from './model.ts';
import { resizeRgb } from './resize.ts';
import { boxMask, patternImage, tinyJanusDir, tinyJanusReference } from './testing/tiny-model.ts';

let dir: string;
let family: FamilyModel;

before(async () => {
  dir = tinyJanusDir();
  family = await loadFamilyModel(dir, { provider: 'cpu', threads: 2 });
});
after(() => family.release());

const request = (): GenerateRequest => ({
  task: 'generate',
  modelDir: dir,
  provider: 'cpu',
  threads: 2,
  prompt: 'a red heart',
  negativePrompt: '',
  style: null,
  seed: 3,
  imageIndex: 0,
  sampling: { cfgScale: 5, temperature: 1, topK: 0, topP: 0.95, cdk: null },
  resumeFrom: null,
});

test('a generation paused part-way and resumed ends with the same picture', async () => {
  const events: JobEvent[] = [];
  const full = await family.generate(request(), { stop: null }, (e) => events.push(e));
  assert.ok(full !== 'stopped' && full.task === 'generate');
  assert.equal(full.codes.length, 36);
  assert.equal(Buffer.from(full.imageRgb, 'base64').length, 48 * 48 * 3);
  assert.ok(events.some((e) => e.type === 'checkpoint'));
  assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'progress', done: 36, total: 36 });

  const control: JobControl = { stop: null };
  let paused: number[] | null = null;
  const stopped = await family.generate(request(), control, (e) => {
    if (e.type === 'checkpoint' && e.state.codes.length >= 12) control.stop = 'pause';
    if (e.type === 'paused') paused = e.state.codes;
  });
  assert.equal(stopped, 'stopped');
  assert.ok(paused !== null && (paused as number[]).length < 36);
  const resumed = await family.generate(
    { ...request(), resumeFrom: { codes: paused } },
    { stop: null },
    () => {},
  );
  assert.ok(resumed !== 'stopped' && resumed.task === 'generate');
  assert.deepEqual(resumed.codes, full.codes);
  assert.equal(resumed.imageRgb, full.imageRgb);
});

test("a caption job answers with transformers' greedy caption", async () => {
  const model = await JanusModel.load(dir);
  const ref = tinyJanusReference(dir).caption;
  const expected = model.decode(ref.tokens);
  await model.release();
  const picture = patternImage(384);
  const result = await family.caption({
    task: 'caption',
    modelDir: dir,
    provider: 'cpu',
    threads: 2,
    imageRgb: Buffer.from(picture).toString('base64'),
    sampling: null,
  });
  assert.ok(result.task === 'caption');
  assert.ok(expected.trim().length > 0);
  assert.ok(result.caption.startsWith(expected.trim()), `${result.caption} / ${expected}`);
});

test("an infill job regenerates the masked cells as transformers' driven loop does", async () => {
  const ref = tinyJanusReference(dir).infill;
  const { width } = family.manifest.image;
  const events: JobEvent[] = [];
  const result = await family.infill(
    {
      task: 'infill',
      modelDir: dir,
      provider: 'cpu',
      threads: 2,
      prompt: ref.prompt,
      style: null,
      seed: 0,
      imageIndex: 0,
      sampling: { cfgScale: ref.guidance, temperature: 0, topK: 0, topP: 1, cdk: null },
      imageRgb: ref.pictureRgb,
      mask: Buffer.from(boxMask(ref.box, width)).toString('base64'),
      featherPx: 0,
    },
    { stop: null },
    (e) => events.push(e),
  );
  assert.ok(result !== 'stopped' && result.task === 'infill');
  assert.deepEqual(result.codes, ref.codes);
  const masked = ref.cells.filter((c) => c === 1).length;
  assert.deepEqual(events.at(-1), {
    ...events.at(-1),
    type: 'progress',
    done: masked,
    total: masked,
  });
  // Outside the mask the picture is the source's, byte for byte.
  const source = Buffer.from(ref.pictureRgb, 'base64');
  const out = Buffer.from(result.imageRgb, 'base64');
  const mask = boxMask(ref.box, width);
  for (let p = 0; p < mask.length; p++)
    if (mask[p] === 0) assert.equal(out[p * 3], source[p * 3], `pixel ${p}`);
});

test('a caption job takes a picture at the manifest size, resized for the vision tower', async () => {
  const { width } = family.manifest.image;
  const small = resizeRgb(patternImage(384), 384, width);
  const request = { task: 'caption', modelDir: dir, provider: 'cpu', threads: 2 } as const;
  const imageRgb = Buffer.from(small).toString('base64');
  const result = await family.caption({ ...request, imageRgb, sampling: null });
  assert.ok(result.task === 'caption' && result.caption.length > 0);
  await assert.rejects(
    family.caption({ ...request, imageRgb: 'AAAA', sampling: null }),
    /the picture must be 48×48 RGB/,
  );
});

test('resizing keeps a flat picture flat and maps corners to corners', () => {
  const flat = new Uint8Array(4 * 4 * 3).fill(77);
  assert.ok(resizeRgb(flat, 4, 10).every((v) => v === 77));
  const ramp = patternImage(8);
  const big = resizeRgb(ramp, 8, 16);
  assert.deepEqual([...big.subarray(0, 3)], [...ramp.subarray(0, 3)]);
  assert.deepEqual([...big.subarray(big.length - 3)], [...ramp.subarray(ramp.length - 3)]);
});
