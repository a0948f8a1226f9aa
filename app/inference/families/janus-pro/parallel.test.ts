/**
 * Parallel (speculative Jacobi) decoding on the tiny Janus-Pro model: its language model takes
 * a chain of draft codes per run after its KV cache and keeps only the accepted ones, so greedy
 * parallel decoding gives transformers' own greedy codes; sampled, a grid takes fewer runs than
 * codes, the same way every time, and a job paused mid-image resumes to the same picture.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GenerateRequest, JobEvent } from '../../../common/inference-contract.ts';
import { parallelDecoding } from '../../../common/parallel-decoding.ts';
import type { SamplingSettings } from '../../engine/logits/sample.ts';
import type { JobControl } from '../types.ts';
import { generateCodes, type JanusGenerateRequest } from './generate.ts';
import { runGenerate } from './jobs.ts';
import { JanusModel } from './model.ts';
import { tinyJanusDir, tinyJanusReference } from './testing/tiny-model.ts';

let model: JanusModel;
before(async () => {
  model = await JanusModel.load(tinyJanusDir(), { provider: 'cpu', threads: 1 });
});
after(() => model?.release());

const sampled: SamplingSettings = { cfgScale: 5, temperature: 1, topK: 0, topP: 1, cdk: null };
const request = (extra: Partial<JanusGenerateRequest> = {}): JanusGenerateRequest => ({
  promptIds: model.promptIds('a red heart'),
  seed: 3,
  imageIndex: 0,
  settings: sampled,
  decoding: parallelDecoding('janus-pro'),
  ...extra,
});

test("greedy parallel decoding gives transformers' greedy codes", async () => {
  for (const image of tinyJanusReference(model.dir).images) {
    const settings = { cfgScale: image.guidance, temperature: 0, topK: 0, topP: 1, cdk: null };
    for (const window of [1, 3, 8]) {
      const stats = { runs: 0, drafted: 0, accepted: 0 };
      const codes = await generateCodes(
        model,
        request({
          promptIds: image.ids,
          settings,
          stats,
          decoding: { ...parallelDecoding('janus-pro'), window },
        }),
      );
      assert.deepEqual(codes, image.codes, `${image.prompt}, window ${window}`);
      assert.ok(
        stats.drafted > 0 && stats.runs <= codes.length,
        `${stats.runs} runs, ${stats.drafted} drafts`,
      );
    }
  }
});

test('a sampled grid takes fewer runs than codes, the same way every time', async () => {
  const stats = { runs: 0, drafted: 0, accepted: 0 };
  const a = await generateCodes(model, request({ stats }));
  assert.equal(a.length, model.grid ** 2);
  assert.ok(a.every((c) => Number.isInteger(c) && c >= 0 && c < model.codebook));
  assert.ok(stats.runs < a.length, `${stats.runs} runs for ${a.length} codes`);
  assert.ok(stats.accepted > 0 && stats.accepted < stats.drafted);
  assert.deepEqual(await generateCodes(model, request()), a);
  let calls = 0;
  const partial = await generateCodes(model, request({ afterCode: () => ++calls < 4 }));
  assert.ok(partial.length >= 4 && partial.length < a.length, `${partial.length} codes`);
  assert.deepEqual(partial, a.slice(0, partial.length));
  assert.deepEqual(await generateCodes(model, request({ resumeFrom: partial })), a);
});

test('extra candidates per position are refused: the graph checks one chain per run', async () => {
  await assert.rejects(
    generateCodes(model, request({ decoding: { mode: 'parallel', window: 4, fanout: [2] } })),
    /checks one chain of draft codes per run: .*leave fanout at 1/,
  );
});

test('a parallel job paused mid-image resumes from its codes to the same picture', async () => {
  const job: GenerateRequest = {
    task: 'generate',
    modelDir: model.dir,
    provider: 'cpu',
    threads: 1,
    prompt: 'a red heart',
    negativePrompt: '',
    style: null,
    seed: 9,
    imageIndex: 0,
    sampling: { ...sampled, decoding: parallelDecoding('janus-pro') },
    resumeFrom: null,
  };
  const whole = await runGenerate(model, job, { stop: null }, () => {});
  assert.ok(whole !== 'stopped' && whole.task === 'generate');
  const control: JobControl = { stop: null };
  const events: JobEvent[] = [];
  const stopped = await runGenerate(model, job, control, (e) => {
    events.push(e);
    if (e.type === 'checkpoint') control.stop = 'pause';
  });
  assert.equal(stopped, 'stopped');
  const paused = events.find((e) => e.type === 'paused');
  assert.ok(paused?.type === 'paused' && paused.state.codes.length >= model.grid);
  assert.ok(paused.state.codes.length < model.grid ** 2);
  const again = await runGenerate(
    model,
    { ...job, resumeFrom: paused.state },
    { stop: null },
    () => {},
  );
  assert.ok(again !== 'stopped' && again.task === 'generate');
  assert.deepEqual(again.codes, whole.codes);
  assert.equal(again.imageRgb, whole.imageRgb);
});
