import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  firstChoice,
  generateRequest,
  previewOf,
  samplingBound,
  settingsForModel,
  stageOf,
  withSubmitted,
} from './generate.ts';
import { defaultSettings } from './settings.ts';

const model = {
  id: 'vq-ar/x',
  provider: 'cpu' as const,
  styles: ['twemoji', 'noto'],
  sampling: {
    defaults: { cfgScale: 4, temperature: 0.9, topK: 50, topP: 0.95 },
    bounds: { temperature: [0.1, 2] as const, topK: [0, 100] as const },
  },
};

test('a slider takes the model bound for its key, or the fallback', () => {
  assert.deepEqual(samplingBound(model, 'temperature', [0, 3]), [0.1, 2]);
  assert.deepEqual(samplingBound(model, 'topP', [0.05, 1]), [0.05, 1]);
  assert.deepEqual(samplingBound(undefined, 'topK', [0, 1000]), [0, 1000]);
});

test('choosing a model clamps sampling to it and keeps only a style it has', () => {
  const cur = { ...defaultSettings(), temperature: 2.8, topK: 400.4, style: 'noto' };
  const kept = settingsForModel(cur, model, false);
  assert.equal(kept.modelId, 'vq-ar/x');
  assert.equal(kept.temperature, 2);
  assert.equal(kept.topK, 100);
  assert.equal(kept.cfgScale, cur.cfgScale);
  assert.equal(kept.style, 'noto');
  assert.equal(settingsForModel({ ...cur, style: 'openmoji' }, model, false).style, null);
  const fresh = settingsForModel(cur, model, true);
  assert.deepEqual([fresh.cfgScale, fresh.temperature, fresh.topK, fresh.topP], [4, 0.9, 50, 0.95]);
});

test('the first choice is the first usable model, else the first', () => {
  assert.equal(
    firstChoice([
      { usable: false, n: 1 },
      { usable: true, n: 2 },
    ])?.n,
    2,
  );
  assert.equal(firstChoice([{ usable: false, n: 1 }])?.n, 1);
  assert.equal(firstChoice([]), undefined);
});

test('the request carries the trimmed prompt, a whole top-k, and memory only when the model has one', () => {
  const s = { ...defaultSettings(), prompt: ' a red heart ', topK: 7.6, memory: false, boardId: 3 };
  const r = generateRequest(s, model, 42, false);
  assert.deepEqual(r, {
    modelId: 'vq-ar/x',
    provider: 'cpu',
    prompt: 'a red heart',
    negativePrompt: '',
    style: null,
    seed: 42,
    bestOf: 1,
    count: 1,
    sampling: { cfgScale: 3, temperature: 1, topK: 8, topP: 0.9, cdk: null },
    boardId: 3,
  });
  assert.equal(generateRequest(s, model, 42, true).retrieval, 'off');
  assert.equal(generateRequest({ ...s, memory: true }, model, 42, true).retrieval, 'auto');
  const decoding = { mode: 'parallel' as const, window: 8 };
  assert.deepEqual(
    generateRequest({ ...s, decoding }, model, 42, false).sampling.decoding,
    decoding,
  );
});

test('submitted jobs go first, in submission order reversed, capped', () => {
  assert.deepEqual(withSubmitted(['old'], ['a', 'b']), ['b', 'a', 'old']);
  assert.deepEqual(withSubmitted(['x', 'y'], ['a'], 2), ['a', 'x']);
});

test('the stage shows the running job, else the oldest waiting, else the newest', () => {
  const jobs = [
    { id: 'j1', status: 'completed' as const },
    { id: 'j2', status: 'queued' as const },
    { id: 'j3', status: 'queued' as const },
    { id: 'j4', status: 'running' as const },
  ];
  // Session ids are newest first.
  let st = stageOf(['j3', 'j2', 'j4', 'j1', 'gone'], jobs);
  assert.equal(st.staged?.id, 'j4');
  assert.equal(st.moreWaiting, 2);
  assert.equal(st.sessionJobs.length, 4);
  st = stageOf(['j3', 'j2', 'j1'], jobs);
  assert.equal(st.staged?.id, 'j2');
  assert.equal(st.moreWaiting, 1);
  st = stageOf(['j1'], jobs);
  assert.equal(st.staged?.id, 'j1');
  assert.equal(st.moreWaiting, 0);
  assert.equal(stageOf([], jobs).staged, undefined);
});

test('the preview is the staged job own, else the newest any session job drew', () => {
  const live = { a: { preview: null }, b: { preview: 'pb' }, c: { preview: 'pc' } };
  assert.equal(previewOf('c', ['a', 'b', 'c'], live), 'pc');
  assert.equal(previewOf('a', ['a', 'b', 'c'], live), 'pb');
  assert.equal(previewOf(undefined, ['x'], live), null);
});
