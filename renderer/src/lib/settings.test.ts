import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Recipe } from '../../../app/common/recipe.ts';
import {
  applyFields,
  clampToBounds,
  defaultSettings,
  diffSettings,
  randomSeed,
  remixSettings,
  storedFromForeign,
  storedFromRecipe,
} from './settings.ts';

const recipe: Recipe = {
  tessera: 1,
  task: 'generate',
  modelId: 'tessera/vq-ar-emoji32-test',
  modelSha256: 'a'.repeat(64),
  family: 'vq-ar',
  prompt: 'red heart',
  negativePrompt: '',
  style: 'noto',
  seed: 42,
  imageIndex: 0,
  sampling: { cfgScale: 5, temperature: 0.8, topK: 0, topP: 0.9, cdk: null },
  prngVersion: 'tessera-prng-v1',
  pipelineVersion: 1,
  steps: 64,
  width: 32,
  height: 32,
  provider: 'cpu',
  tokensSha256: 'b'.repeat(64),
  parent: null,
  selfScore: null,
};

const current = {
  ...defaultSettings(),
  modelId: 'tessera/vq-ar-emoji32-test',
  prompt: 'blue star',
  seed: 7,
  cfgScale: 3,
  topP: 0.9,
  count: 4,
};

test('the diff lists every stored field and marks the equal ones', () => {
  const rows = diffSettings(current, storedFromRecipe(recipe));
  const byField = Object.fromEntries(rows.map((r) => [r.field, r]));
  assert.equal(byField.prompt?.same, false);
  assert.equal(byField.prompt?.current, 'blue star');
  assert.equal(byField.prompt?.stored, 'red heart');
  assert.equal(byField.modelId?.same, true);
  assert.equal(byField.topP?.same, true);
  assert.equal(byField.cdk?.stored, 'off');
  assert.equal(byField.style?.current, '(none)');
  assert.equal(byField.decoding?.stored, 'off');
  assert.equal(rows.length, 11);
});

test('a recipe decoded in parallel brings its window back, field by field', () => {
  const parallel = {
    ...recipe,
    sampling: { ...recipe.sampling, decoding: { mode: 'parallel' as const, window: 6 } },
  };
  const stored = storedFromRecipe(parallel);
  const row = diffSettings(current, stored).find((r) => r.field === 'decoding');
  assert.deepEqual([row?.current, row?.stored, row?.same], ['off', 'window 6', false]);
  assert.deepEqual(applyFields(current, stored, ['decoding']).decoding, {
    mode: 'parallel',
    window: 6,
  });
});

test('applying one field leaves the others alone', () => {
  const next = applyFields(current, storedFromRecipe(recipe), ['cfgScale']);
  assert.equal(next.cfgScale, 5);
  assert.equal(next.prompt, 'blue star');
  assert.equal(next.seed, 7);
  assert.equal(next.count, 4);
});

test('applying the seed locks it, so the next run replays it', () => {
  const next = applyFields(current, storedFromRecipe(recipe), ['seed']);
  assert.equal(next.seed, 42);
  assert.equal(next.seedLocked, true);
});

test('remix takes everything but the seed', () => {
  const next = remixSettings(current, storedFromRecipe(recipe), 99);
  assert.equal(next.prompt, 'red heart');
  assert.equal(next.style, 'noto');
  assert.equal(next.cfgScale, 5);
  assert.equal(next.seed, 99);
  assert.equal(next.seedLocked, false);
  assert.equal(next.count, 4);
});

test('Model memory: on for a recipe that names its reference, off for one without by a model with a memory', () => {
  const withReference: Recipe = {
    ...recipe,
    retrieval: { index: 7, caption: 'grinning cat', set: 'noto' },
  };
  assert.equal(storedFromRecipe(withReference).memory, true);
  assert.equal(storedFromRecipe(withReference, true).memory, true);
  assert.equal(storedFromRecipe(recipe, true).memory, false);
  // A model without a memory, or one not installed, and an infill say nothing about it.
  assert.equal(Object.hasOwn(storedFromRecipe(recipe), 'memory'), false);
  const infill: Recipe = {
    ...recipe,
    task: 'infill',
    parent: { sha256: 'c'.repeat(64), maskSha256: 'd'.repeat(64), featherPx: 2 },
  };
  assert.equal(Object.hasOwn(storedFromRecipe(infill, true), 'memory'), false);

  const off = { ...current, memory: false };
  const [row] = diffSettings(off, storedFromRecipe(withReference)).filter(
    (r) => r.field === 'memory',
  );
  assert.deepEqual(row, {
    field: 'memory',
    label: 'Model memory',
    current: 'off',
    stored: 'on',
    same: false,
  });
  assert.equal(applyFields(off, storedFromRecipe(withReference), ['memory']).memory, true);
  assert.equal(remixSettings(current, storedFromRecipe(recipe, true), 5).memory, false);
  assert.equal(defaultSettings().memory, true, 'on by default');
});

test('foreign infotext settings parse where they can', () => {
  const s = storedFromForeign({
    prompt: 'a cat',
    negativePrompt: 'blurry',
    settings: { Seed: '123', 'CFG scale': '7.5', Steps: '20', 'Top k': 'x' },
  });
  assert.deepEqual(s, { prompt: 'a cat', negativePrompt: 'blurry', seed: 123, cfgScale: 7.5 });
});

test('sampling is clamped to the model bounds', () => {
  const s = clampToBounds(
    { ...current, cfgScale: 40, topP: 0, topK: 12.4 },
    {
      cfgScale: [0, 20],
      topP: [0.05, 1],
      topK: [0, 1000],
    },
  );
  assert.equal(s.cfgScale, 20);
  assert.equal(s.topP, 0.05);
  assert.equal(s.topK, 12);
});

test('random seeds are u32', () => {
  for (let i = 0; i < 100; i++) {
    const s = randomSeed();
    assert.ok(Number.isInteger(s) && s >= 0 && s <= 0xffffffff);
  }
});
