import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBitsPerDim, likelihoodModels, likelihoodRow } from './likelihood.ts';

const models = [
  {
    id: 'tessera/jetformer-emoji32',
    name: 'JetFormer emoji 32',
    usable: true,
    capabilities: { likelihood: 'exact' },
  },
  {
    id: 'tessera/vq-ar-emoji32',
    name: 'VQ-AR emoji 32',
    usable: true,
    capabilities: { likelihood: 'tokens' },
  },
  { id: 'x/broken-flow', name: 'Broken', usable: false, capabilities: { likelihood: 'exact' } },
];

test('a measured item shows its bits per dimension, the model by name and what the number means', () => {
  const row = likelihoodRow(
    { likelihood: { bitsPerDim: 3.4167, modelId: 'tessera/jetformer-emoji32', measuredAt: 1 } },
    models,
  );
  assert.deepEqual(row, {
    value: '3.42 bits/dim',
    model: 'JetFormer emoji 32',
    explanation: 'How surprising this image is to the model: lower = more typical.',
  });
  // A model no longer installed is named by its id.
  assert.equal(
    likelihoodRow({ likelihood: { bitsPerDim: 5, modelId: 'gone/flow', measuredAt: 1 } }, models)!
      .model,
    'gone/flow',
  );
  assert.equal(likelihoodRow({ likelihood: null }, models), null);
  assert.equal(formatBitsPerDim(0.5), '0.50 bits/dim');
});

test('only usable models with exact likelihood can measure', () => {
  assert.deepEqual(
    likelihoodModels(models).map((m) => m.id),
    ['tessera/jetformer-emoji32'],
  );
});
