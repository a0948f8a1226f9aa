import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../../app/common/contract.ts';
import {
  cellOf,
  commonProvider,
  comparableModels,
  compareRequest,
  compareSummary,
  formatSeconds,
  formatSelfScore,
  heldModels,
  parseCompareSession,
  parseMeasures,
  sharedBounds,
  sharedStart,
  unfinished,
  type CompareSession,
} from './compare.ts';

const model = (id: string, over: Partial<Record<string, unknown>> = {}) => ({
  id,
  name: `Model ${id}`,
  usable: true,
  capabilities: { generate: true } as Record<string, unknown>,
  sampling: {
    defaults: { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, bestOf: 1 },
    bounds: {
      cfgScale: [0, 20],
      temperature: [0, 3],
      topK: [0, 1000],
      topP: [0.05, 1],
    } as Record<string, [number, number]>,
  },
  ...over,
});

test('a comparison runs every usable model that can generate', () => {
  const models = [
    model('a'),
    model('b', { usable: false }),
    model('c', { capabilities: { generate: false, caption: true } }),
    model('d'),
  ];
  assert.deepEqual(
    comparableModels(models).map((m) => m.id),
    ['a', 'd'],
  );
});

test("shared settings span every model's range and start from the first model's defaults", () => {
  const small = model('b');
  small.sampling.bounds = { ...small.sampling.bounds, topK: [0, 320], cfgScale: [1, 30] };
  small.sampling.defaults = { ...small.sampling.defaults, cfgScale: 2, topK: 50 };
  const bounds = sharedBounds([model('a'), small]);
  assert.deepEqual(bounds.topK, [0, 1000]);
  assert.deepEqual(bounds.cfgScale, [0, 30]);
  assert.deepEqual(sharedStart([small, model('a')]), {
    cfgScale: 2,
    temperature: 1,
    topK: 50,
    topP: 0.9,
  });
  const shared = { cfgScale: 3, temperature: 1, topK: 500, topP: 0.9 };
  assert.deepEqual(heldModels([model('a'), small], shared), ['Model b']);
  assert.deepEqual(heldModels([model('a'), small], { ...shared, topK: 300 }), []);
});

test('the request carries shared settings only when the user chose to share them', () => {
  const form = {
    prompt: 'red heart',
    seed: 7,
    shared: { cfgScale: 4, temperature: 0.5, topK: 9, topP: 0.8 },
    provider: 'cpu' as const,
  };
  assert.deepEqual(compareRequest({ ...form, mode: 'own' }), {
    prompt: 'red heart',
    seed: 7,
    provider: 'cpu',
  });
  assert.deepEqual(compareRequest({ ...form, mode: 'shared' }).sampling, form.shared);
});

test('a stored comparison reads back; anything else is nothing', () => {
  const session: CompareSession = {
    prompt: 'red heart',
    seed: 4,
    shared: null,
    runs: [{ modelId: 'a', family: 'vq-ar', jobId: 'j1' }],
  };
  assert.deepEqual(parseCompareSession(JSON.stringify(session)), session);
  const shared = { ...session, shared: { cfgScale: 1, temperature: 1, topK: 0, topP: 1 } };
  assert.deepEqual(parseCompareSession(JSON.stringify(shared)), shared);
  assert.equal(parseCompareSession(null), null);
  assert.equal(parseCompareSession('{nope'), null);
  assert.equal(parseCompareSession(JSON.stringify({ ...session, runs: [{ modelId: 1 }] })), null);
  assert.equal(parseCompareSession(JSON.stringify({ ...session, shared: { cfgScale: 1 } })), null);
});

const job = (over: Partial<JobView>): JobView => ({
  id: 'j1',
  kind: 'generate',
  status: 'queued',
  title: 'red heart',
  modelId: 'a',
  done: 0,
  total: 0,
  error: null,
  assetIds: [],
  summary: null,
  createdAt: 0,
  finishedAt: null,
  ...over,
});

test("a cell follows its job from the queue to the finished image's library item", () => {
  const run = { modelId: 'a', family: 'vq-ar', jobId: 'j1' };
  const models = [model('a')];
  const waiting = cellOf(run, job({}), models);
  assert.deepEqual([waiting.state, waiting.name, waiting.itemId], ['waiting', 'Model a', null]);
  assert.ok(unfinished(waiting));
  assert.equal(cellOf(run, job({ status: 'running' }), models).status, 'Generating');
  const done = cellOf(run, job({ status: 'completed', assetIds: [12] }), models);
  assert.deepEqual([done.state, done.itemId, done.error], ['done', 12, null]);
  assert.ok(!unfinished(done));
  const failed = cellOf(
    run,
    job({
      status: 'failed',
      error: { code: 'inference-error', message: 'out of memory', retryable: true },
    }),
    models,
  );
  assert.deepEqual([failed.state, failed.error], ['failed', 'out of memory']);
  assert.equal(cellOf(run, job({ status: 'interrupted' }), models).state, 'paused');
  assert.equal(cellOf(run, job({ status: 'cancelled' }), models).state, 'stopped');
  const gone = cellOf({ ...run, modelId: 'removed' }, undefined, models);
  assert.deepEqual([gone.state, gone.name], ['gone', 'removed']);
  assert.equal(compareSummary([done, failed, waiting]), '1 of 3 models done, 1 failed');
  assert.equal(compareSummary([done]), '1 of 1 model done');
});

test('time and self-score read as a cell shows them', () => {
  assert.equal(formatSeconds(0.8412), '0.84 s per image');
  assert.equal(formatSeconds(12.34), '12.3 s per image');
  assert.equal(formatSeconds(null), 'not timed');
  assert.equal(formatSelfScore(-2.31456), '-2.315 log p per token');
  assert.equal(formatSelfScore(null), 'cannot score prompts');
});

test('a comparison runs on the provider every model shares, else the CPU', () => {
  assert.equal(commonProvider([{ provider: 'webgpu' }, { provider: 'webgpu' }]), 'webgpu');
  assert.equal(commonProvider([{ provider: 'webgpu' }, { provider: 'cpu' }]), 'cpu');
  assert.equal(commonProvider([]), 'cpu');
});

test('stored measures read back; what is not one is left out', () => {
  const stored = {
    12: { seconds: 1.5, logProbPerToken: -2.1 },
    13: { seconds: null, logProbPerToken: null },
  };
  assert.deepEqual(parseMeasures(JSON.stringify(stored)), stored);
  assert.deepEqual(
    parseMeasures(
      JSON.stringify({ ...stored, x: { seconds: 1 }, 14: { seconds: 'a', logProbPerToken: 1 } }),
    ),
    stored,
  );
  assert.deepEqual(parseMeasures('[1]'), {});
  assert.deepEqual(parseMeasures('nope'), {});
  assert.deepEqual(parseMeasures(null), {});
});
