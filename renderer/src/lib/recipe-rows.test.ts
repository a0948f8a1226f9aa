import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemDetailView } from '../../../app/common/contract.ts';
import { recipeRows } from './recipe-rows.ts';

const recipe = {
  task: 'generate',
  modelId: 'vq-ar/x',
  modelSha256: 'm'.repeat(64),
  family: 'vq-ar',
  prompt: 'a red heart',
  negativePrompt: '',
  style: null,
  seed: 42,
  imageIndex: 0,
  sampling: { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null },
  steps: 64,
  width: 32,
  height: 32,
  provider: 'cpu',
  prngVersion: 1,
  pipelineVersion: 2,
  tokensSha256: 't'.repeat(64),
  parent: null,
  selfScore: null,
} as unknown as NonNullable<ItemDetailView['recipe']>;

const labels = (rows: ReturnType<typeof recipeRows>) => rows.map(([k]) => k);
const value = (rows: ReturnType<typeof recipeRows>, label: string) =>
  rows.find(([k]) => k === label)?.[1];

test('no recipe, no rows', () => {
  assert.deepEqual(recipeRows({ recipe: null, parents: [] }), []);
});

test('a plain generation lists every field in order, placeholders muted, hashes shortened later', () => {
  const rows = recipeRows({ recipe, parents: [] });
  assert.deepEqual(labels(rows), [
    'Task',
    'Model',
    'Model hash',
    'Family',
    'Prompt',
    'Negative prompt',
    'Style',
    'Seed',
    'Batch index',
    'Guidance (CFG)',
    'Temperature',
    'Top-k',
    'Top-p',
    'CD-K',
    'Steps',
    'Size',
    'Provider',
    'PRNG',
    'Pipeline',
    'Tokens hash',
  ]);
  assert.deepEqual(value(rows, 'Negative prompt'), { kind: 'muted', text: '(none)' });
  assert.deepEqual(value(rows, 'Style'), { kind: 'muted', text: '(any)' });
  assert.deepEqual(value(rows, 'Model hash'), { kind: 'hash', hash: 'm'.repeat(64) });
  assert.deepEqual(value(rows, 'Top-k'), { kind: 'text', text: '0 (off)' });
  assert.deepEqual(value(rows, 'CD-K'), { kind: 'text', text: 'off' });
  assert.deepEqual(value(rows, 'Size'), { kind: 'text', text: '32×32' });
});

test('a reference, an infill source, a replay and a score add their rows', () => {
  const rich = {
    ...recipe,
    style: 'noto',
    sampling: { ...recipe.sampling, topK: 40, cdk: { alpha: 0.5, k: 8, tau: 1 } },
    retrieval: { index: 12, caption: 'red heart', set: 'train' },
    parent: { sha256: 'p'.repeat(64), featherPx: 2 },
    replayOf: 'r'.repeat(64),
    selfScore: { logProbPerToken: -1.25, candidates: 4 },
  } as unknown as NonNullable<ItemDetailView['recipe']>;
  const outside = recipeRows({ recipe: rich, parents: [] });
  assert.deepEqual(value(outside, 'Reference'), {
    kind: 'reference',
    text: 'red heart (train)',
    title: 'Memory document #12',
  });
  assert.equal(labels(outside).indexOf('Reference'), labels(outside).indexOf('Style') + 1);
  assert.deepEqual(value(outside, 'Style'), { kind: 'text', text: 'noto' });
  assert.deepEqual(value(outside, 'Top-k'), { kind: 'text', text: '40' });
  assert.deepEqual(value(outside, 'CD-K'), { kind: 'text', text: 'α 0.5, k 8, τ 1' });
  assert.deepEqual(value(outside, 'Infill source'), {
    kind: 'source',
    hash: 'p'.repeat(64),
    outside: true,
  });
  assert.deepEqual(value(outside, 'Infill feather'), { kind: 'text', text: '2 px' });
  assert.deepEqual(value(outside, 'Replay of'), { kind: 'hash', hash: 'r'.repeat(64) });
  assert.match((value(outside, 'Self-caption score') as { text: string }).text, /\(best of 4\)$/);
  const inLibrary = recipeRows({
    recipe: rich,
    parents: [{ op: 'infill' }] as unknown as ItemDetailView['parents'],
  });
  assert.deepEqual(value(inLibrary, 'Infill source'), {
    kind: 'source',
    hash: 'p'.repeat(64),
    outside: false,
  });
});
