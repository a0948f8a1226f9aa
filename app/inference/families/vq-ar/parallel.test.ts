/**
 * Parallel (speculative Jacobi) decoding on the shipped vq-ar model: a whole grid in fewer
 * decoder runs than codes, the same codes from the same seed and window, and a stopped run
 * resumed from its accepted codes to the uninterrupted run's codes, as a paused job is.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SamplingSettings } from '../../engine/logits/sample.ts';
import { shippedModelDir } from '../../../models/testing/shipped-models.ts';
import type { JobEvent } from '../../../common/inference-contract.ts';
import type { JobControl } from '../types.ts';
import { parallelDecoding } from '../../../common/parallel-decoding.ts';
import { generateCodes, type GenerateRequest } from './generate.ts';
import { runGenerate } from './jobs.ts';
import { VqArModel } from './model.ts';

let model: VqArModel;
before(async () => {
  model = await VqArModel.load(shippedModelDir('vq-ar'), { provider: 'cpu', threads: 1 });
});
after(async () => model?.release());

const settings: SamplingSettings = { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null };
const request = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  promptIds: model.promptIds('red heart', null),
  seed: 3,
  imageIndex: 0,
  settings,
  decoding: { mode: 'parallel', window: 6, fanout: [2] },
  ...extra,
});

test('a parallel run fills the grid in fewer decoder runs, the same way every time', async () => {
  const stats = { runs: 0, drafted: 0, accepted: 0 };
  const a = await generateCodes(model, request({ stats }));
  assert.equal(a.length, model.grid ** 2);
  assert.ok(a.every((c) => Number.isInteger(c) && c >= 0 && c < model.manifest.vq!.codebook));
  assert.ok(stats.runs < model.grid ** 2, `${stats.runs} runs for ${a.length} codes`);
  assert.ok(stats.accepted > 0 && stats.accepted < stats.drafted);
  assert.deepEqual(await generateCodes(model, request()), a);
  const plain = await generateCodes(model, request({ decoding: undefined }));
  assert.notDeepEqual(plain, a, 'the mode changes which codes a seed gives');
});

test('a stopped parallel run resumes from its accepted codes to the uninterrupted codes', async () => {
  const full = await generateCodes(model, request());
  let calls = 0;
  const partial = await generateCodes(model, request({ afterCode: () => ++calls < 5 }));
  assert.ok(partial.length >= 5 && partial.length < full.length, `${partial.length} codes`);
  assert.deepEqual(partial, full.slice(0, partial.length));
  assert.deepEqual(await generateCodes(model, request({ resumeFrom: partial })), full);
  await assert.rejects(
    generateCodes(model, request({ resumeFrom: [...partial.slice(0, -1), 100000] })),
    /saved code 100000 is outside this model's codebook/,
  );
});

test('the default draft sources replay a seed byte for byte and resume from accepted codes', async () => {
  const decoding = parallelDecoding('vq-ar');
  assert.equal(decoding.drafts, 'lines-previous');
  const stats = { runs: 0, drafted: 0, accepted: 0 };
  const full = await generateCodes(model, request({ decoding, stats }));
  assert.equal(full.length, model.grid ** 2);
  assert.ok(stats.runs < model.grid ** 2 / 1.5, `${stats.runs} runs for ${full.length} codes`);
  assert.deepEqual(await generateCodes(model, request({ decoding })), full);
  const old = await generateCodes(model, request({ decoding: { ...decoding, drafts: 'jacobi' } }));
  assert.notDeepEqual(old, full, 'the recorded draft sources decide which codes a seed gives');
  let calls = 0;
  const partial = await generateCodes(model, request({ decoding, afterCode: () => ++calls < 4 }));
  assert.ok(partial.length < full.length, `${partial.length} codes`);
  assert.deepEqual(partial, full.slice(0, partial.length));
  assert.deepEqual(await generateCodes(model, request({ decoding, resumeFrom: partial })), full);
});

test('a parallel job paused mid-image resumes from its state to the same image', async () => {
  const request = {
    task: 'generate' as const,
    modelDir: model.dir,
    provider: 'cpu' as const,
    threads: 1,
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed: 9,
    imageIndex: 0,
    sampling: { ...settings, decoding: { mode: 'parallel' as const, window: 6, fanout: [2] } },
    resumeFrom: null,
  };
  const events: JobEvent[] = [];
  const whole = await runGenerate(model, request, { stop: null }, (e) => events.push(e));
  assert.ok(whole !== 'stopped' && whole.task === 'generate');
  const control: JobControl = { stop: null };
  const paused: JobEvent[] = [];
  const stopped = await runGenerate(model, request, control, (e) => {
    paused.push(e);
    if (e.type === 'checkpoint') control.stop = 'pause';
  });
  assert.equal(stopped, 'stopped');
  const state = paused.find((e) => e.type === 'paused');
  assert.ok(state?.type === 'paused' && state.state.codes.length >= 8);
  assert.ok(paused.some((e) => e.type === 'preview'));
  const resumed = await runGenerate(
    model,
    { ...request, resumeFrom: state.state },
    { stop: null },
    () => {},
  );
  assert.ok(resumed !== 'stopped' && resumed.task === 'generate');
  assert.deepEqual(resumed.codes, whole.codes);
  assert.equal(resumed.imageRgb, whole.imageRgb);
});
