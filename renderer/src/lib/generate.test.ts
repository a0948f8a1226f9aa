import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parallelDecoding } from '../../../app/common/parallel-decoding.ts';
import {
  firstChoice,
  generateRequest,
  missedResults,
  parseSession,
  previewOf,
  resetToModelDefaults,
  samplingBound,
  settingsForModel,
  stageOf,
  toggleLock,
  withDecodingWindow,
  withSubmitted,
} from './generate.ts';
import { defaultSettings, type SamplingKey } from './settings.ts';

const model = {
  id: 'vq-ar/x',
  provider: 'cpu' as const,
  styles: ['twemoji', 'noto'],
  sampling: {
    defaults: { cfgScale: 4, temperature: 0.9, topK: 50, topP: 0.95, bestOf: 1 },
    bounds: { temperature: [0.1, 2] as const, topK: [0, 100] as const },
  },
};

test('a slider takes the model bound for its key, or the fallback', () => {
  assert.deepEqual(samplingBound(model, 'temperature', [0, 3]), [0.1, 2]);
  assert.deepEqual(samplingBound(model, 'topP', [0.05, 1]), [0.05, 1]);
  assert.deepEqual(samplingBound(undefined, 'topK', [0, 1000]), [0, 1000]);
});

test('choosing a model starts from its defaults and keeps only a style it has', () => {
  const cur = { ...defaultSettings(), temperature: 2.8, topK: 400.4, style: 'noto', bestOf: 3 };
  const next = settingsForModel(cur, model);
  assert.equal(next.modelId, 'vq-ar/x');
  assert.deepEqual(
    [next.cfgScale, next.temperature, next.topK, next.topP, next.bestOf],
    [4, 0.9, 50, 0.95, 1],
  );
  assert.equal(next.style, 'noto');
  assert.equal(settingsForModel({ ...cur, style: 'openmoji' }, model).style, null);
});

const other = {
  id: 'jpeg-lm/y',
  styles: [],
  sampling: {
    defaults: { cfgScale: 2, temperature: 1, topK: 50, topP: 0.9, bestOf: 1 },
    bounds: { topK: [0, 320] as const },
  },
};

test("switching back and forth gives each model its own defaults, not the last model's values", () => {
  const onFirst = settingsForModel(defaultSettings(), model);
  const onSecond = settingsForModel(onFirst, other);
  assert.deepEqual([onSecond.cfgScale, onSecond.temperature, onSecond.topP], [2, 1, 0.9]);
  const back = settingsForModel(onSecond, model);
  assert.deepEqual([back.cfgScale, back.temperature, back.topK, back.topP], [4, 0.9, 50, 0.95]);
});

test('a locked value survives a model switch, pulled into the new bounds only', () => {
  const cur = {
    ...settingsForModel(defaultSettings(), other),
    cfgScale: 7.5,
    temperature: 2.8,
    lockedSampling: ['cfgScale', 'temperature'] as SamplingKey[],
  };
  const next = settingsForModel(cur, model);
  assert.equal(next.cfgScale, 7.5, 'locked, within bounds: kept');
  assert.equal(next.temperature, 2, 'locked: kept but clamped to the new bound');
  assert.equal(next.topP, 0.95, 'unlocked: the new model default');
  assert.deepEqual(next.lockedSampling, ['cfgScale', 'temperature']);
});

test("reset takes the current model's defaults for every value, locked or not, and keeps the locks", () => {
  const cur = {
    ...defaultSettings(),
    modelId: other.id,
    cfgScale: 9,
    topP: 0.5,
    cdk: { alpha: 0.5, k: 8, tau: 1 },
    lockedSampling: ['cfgScale'] as SamplingKey[],
  };
  const reset = resetToModelDefaults(cur, other);
  assert.deepEqual([reset.cfgScale, reset.topP, reset.cdk], [2, 0.9, null]);
  assert.deepEqual(reset.lockedSampling, ['cfgScale']);
});

test('a lock toggles on and off', () => {
  assert.deepEqual(toggleLock([], 'topK'), ['topK']);
  assert.deepEqual(toggleLock(['topK', 'topP'], 'topK'), ['topP']);
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

test("a session job's images missed while the page reloaded are found, once", () => {
  const jobs = [
    { id: 'a', status: 'completed' as const, assetIds: [1, 2] },
    { id: 'b', status: 'running' as const, assetIds: [] },
    { id: 'c', status: 'completed' as const, assetIds: [3] },
    { id: 'x', status: 'completed' as const, assetIds: [9] },
  ];
  assert.deepEqual(missedResults(['a', 'b', 'c'], [{ id: 1 }, { id: 3 }], jobs), [
    { jobId: 'a', assetIds: [2] },
  ]);
  assert.deepEqual(missedResults(['a', 'c'], [{ id: 1 }, { id: 2 }, { id: 3 }], jobs), []);
});

test('the kept session reads back, and damaged storage reads as empty', () => {
  const session = {
    jobIds: ['a', 'b'],
    results: [{ id: 1, sha256: 'ab', title: 't', jobId: 'a' }],
  };
  assert.deepEqual(parseSession(JSON.stringify(session)), session);
  assert.deepEqual(parseSession(null), { jobIds: [], results: [] });
  assert.deepEqual(parseSession('{not json'), { jobIds: [], results: [] });
  assert.deepEqual(parseSession(JSON.stringify({ jobIds: [1, 'a'], results: [{ id: 'x' }] })), {
    jobIds: ['a'],
    results: [],
  });
});

test("a new draft window keeps the family's candidates per position and draft source", () => {
  const tuned = parallelDecoding('vq-ar');
  assert.ok(
    tuned.fanout!.some((n) => n > 1),
    'the vq-ar default drafts a tree',
  );
  const wider = withDecodingWindow(tuned, 7.6);
  assert.deepEqual(wider, { ...tuned, window: 8 });
});
