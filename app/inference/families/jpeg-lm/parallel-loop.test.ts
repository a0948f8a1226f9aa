/**
 * Parallel decoding on the shipped jpeg-lm model: every draft is checked against the MCU
 * grammar, so the body decodes without a corrupt MCU; a seed gives the same body every time;
 * a stop resumes from the accepted tokens to the same body; known MCUs are kept as given.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SamplingSettings } from '../../engine/logits/sample.ts';
import { decodeBodyTokens, imageMcuTokens } from './image-tokens.ts';
import { runMcus, type McuRun } from './loop.ts';
import { JpegLmModel } from './model.ts';
import { lookupGuess } from './parallel-loop.ts';
import { requireTestModel } from './testing/test-model.ts';

let model: JpegLmModel;
before(async () => {
  model = await JpegLmModel.load(requireTestModel());
});
after(async () => model?.release());

const settings: SamplingSettings = { cfgScale: 2, temperature: 1, topK: 50, topP: 0.9, cdk: null };
const run = (extra: Partial<McuRun> = {}): McuRun => ({
  captionIds: model.promptIds('red heart', null),
  known: new Array<null>(model.jpeg.mcus).fill(null),
  seed: 5,
  imageIndex: 0,
  settings,
  decoding: { mode: 'parallel', window: 4, fanout: [2] },
  ...extra,
});

test('prompt lookup guesses what followed the longest earlier repeat', () => {
  assert.equal(lookupGuess([1, 2, 3, 9, 2, 3]), 9);
  assert.equal(lookupGuess([5, 1, 7, 2, 1]), 7);
  assert.equal(lookupGuess([1, 2, 3]), null);
});

test('a parallel body keeps the MCU grammar, is reproducible and resumes identically', async () => {
  const stats = { runs: 0, drafted: 0, accepted: 0 };
  const mcus: number[] = [];
  const full = await runMcus(model, run({ stats, afterMcu: (m) => void mcus.push(m) }));
  assert.equal(full.mcusDone, model.jpeg.mcus);
  assert.deepEqual(
    mcus,
    Array.from({ length: model.jpeg.mcus }, (_, m) => m),
  );
  const decoded = decodeBodyTokens(model, full.body);
  assert.equal(decoded.mcusDecoded, model.jpeg.mcus);
  assert.deepEqual(decoded.corruptMcus, []);
  assert.ok(stats.runs < full.body.length, `${stats.runs} runs for ${full.body.length} tokens`);
  assert.deepEqual((await runMcus(model, run())).body, full.body);

  let calls = 0;
  const partial = await runMcus(model, run({ afterToken: () => ++calls < 20 }));
  assert.ok(partial.mcusDone < model.jpeg.mcus);
  assert.deepEqual(partial.body, full.body.slice(0, partial.body.length));
  const resumed = await runMcus(model, run({ resumeFrom: partial.body }));
  assert.deepEqual(resumed.body, full.body, 'a resumed run must equal the uninterrupted one');
  const forged = [...partial.body.slice(0, -1), model.manifest.specialTokens.eos];
  await assert.rejects(runMcus(model, run({ resumeFrom: forged })), /is not allowed there/);
});

test('known MCUs come through a parallel run as given', async () => {
  const { width, height } = model.manifest.image;
  const source = new Uint8Array(width * height * 3).fill(255);
  const tokens = imageMcuTokens(model, source);
  const known = tokens.map((t, m) => (m % 3 === 0 ? null : t));
  const out = await runMcus(model, run({ known }));
  let at = 0;
  for (const [m, t] of tokens.entries()) {
    const marker = model.grammar.marker(m);
    const end = out.body.indexOf(marker, at) + 1;
    if (known[m] !== null) assert.deepEqual(out.body.slice(at, end), t);
    at = end;
  }
  assert.equal(at, out.body.length);
});
