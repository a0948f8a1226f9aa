/**
 * Generate's Steps and Sampler: driven by the model list's `sampling.diffusion` (a diffusion
 * model's manifest), kept across models that take them, dropped for models that do not, sent
 * only to a model that declares them (an infill's too), reused from a recipe and shown in its
 * detail rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemDetailView } from '../../../app/common/contract.ts';
import type { Recipe } from '../../../app/common/recipe.ts';
import {
  denoisingFor,
  generateRequest,
  resetToModelDefaults,
  settingsForModel,
} from './generate.ts';
import { infillRequest, itemSource, newSession } from './infill.ts';
import { recipeRows } from './recipe-rows.ts';
import { defaultSettings, diffSettings, storedFromRecipe } from './settings.ts';

const sampling = {
  defaults: { cfgScale: 3, temperature: 1, topK: 0, topP: 1, bestOf: 1 },
  bounds: { cfgScale: [0, 20] as const },
};
const flow = {
  id: 'tessera/flow',
  provider: 'cpu' as const,
  styles: [],
  sampling: {
    ...sampling,
    diffusion: {
      samplers: ['euler' as const, 'heun' as const, 'midpoint' as const],
      defaults: { steps: 8, sampler: 'heun' as const },
      bounds: { steps: [1, 64] as [number, number] },
    },
  },
};
const ddpm = {
  ...flow,
  id: 'tessera/ddpm',
  sampling: {
    ...sampling,
    diffusion: {
      samplers: ['ddim' as const],
      defaults: { steps: 16, sampler: 'ddim' as const },
      bounds: { steps: [1, 250] as [number, number] },
    },
  },
};
const tokens = { id: 'tessera/vq-ar', provider: 'cpu' as const, styles: [], sampling };

test("a diffusion model starts from its manifest's steps and sampler; a token model has none", () => {
  assert.deepEqual(settingsForModel(defaultSettings(), flow).diffusion, {
    steps: 8,
    sampler: 'heun',
  });
  assert.equal(settingsForModel(defaultSettings(), tokens).diffusion, null);
});

test('the chosen settings are kept where the next model takes them, else its defaults', () => {
  const mine = { steps: 100, sampler: 'midpoint' as const };
  assert.deepEqual(denoisingFor(mine, flow), { steps: 64, sampler: 'midpoint' }, 'within bounds');
  assert.deepEqual(denoisingFor(mine, ddpm), { steps: 16, sampler: 'ddim' }, 'another objective');
  assert.equal(denoisingFor(mine, tokens), null);
  const s = { ...defaultSettings(), diffusion: mine };
  assert.deepEqual(resetToModelDefaults(s, flow).diffusion, { steps: 8, sampler: 'heun' });
});

test('steps and sampler are sent only to a model that declares them', () => {
  const s = {
    ...defaultSettings(),
    prompt: 'red heart',
    diffusion: { steps: 12, sampler: 'euler' as const },
  };
  assert.deepEqual(generateRequest(s, flow, 1, false).sampling.diffusion, {
    steps: 12,
    sampler: 'euler',
  });
  assert.equal(generateRequest(s, tokens, 1, false).sampling.diffusion, undefined);
});

test("a recipe's steps and sampler are offered for reuse", () => {
  const recipe = {
    modelId: 'tessera/flow',
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed: 4,
    task: 'generate',
    sampling: {
      cfgScale: 3,
      temperature: 1,
      topK: 0,
      topP: 1,
      cdk: null,
      diffusion: { steps: 12, sampler: 'midpoint' },
    },
  } as unknown as Recipe;
  const stored = storedFromRecipe(recipe);
  assert.deepEqual(stored.diffusion, { steps: 12, sampler: 'midpoint' });
  const row = diffSettings(defaultSettings(), stored).find((r) => r.field === 'diffusion')!;
  assert.deepEqual(
    [row.label, row.current, row.stored],
    ['Steps and sampler', '(none)', '12 steps, midpoint'],
  );
});

test("an infill keeps its source's steps and sampler only for a model that takes them", () => {
  const recipe = {
    modelId: 'tessera/ddpm',
    prompt: 'red heart',
    style: null,
    sampling: {
      cfgScale: 3,
      temperature: 1,
      topK: 0,
      topP: 1,
      cdk: null,
      diffusion: { steps: 12, sampler: 'ddim' },
    },
  };
  const source = itemSource({
    id: 1,
    sha256: 'a'.repeat(64),
    title: 'heart',
    width: 32,
    height: 32,
    recipe,
    foreign: null,
  } as unknown as ItemDetailView);
  const session = newSession(source, [], 1);
  const mask = Uint8Array.from([0, 255]);
  assert.deepEqual(infillRequest(session, source, ddpm, mask, 1).sampling.diffusion, {
    steps: 12,
    sampler: 'ddim',
  });
  assert.deepEqual(infillRequest(session, source, flow, mask, 1).sampling.diffusion, {
    steps: 8,
    sampler: 'heun',
  });
  assert.equal(infillRequest(session, source, tokens, mask, 1).sampling.diffusion, undefined);
});

test("the detail panel's recipe names a diffusion model's sampler beside its steps", () => {
  const recipe = {
    task: 'infill',
    modelId: 'tessera/ddpm',
    modelSha256: 'm'.repeat(64),
    family: 'transfusion',
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed: 1,
    imageIndex: 0,
    sampling: {
      cfgScale: 3,
      temperature: 1,
      topK: 0,
      topP: 1,
      cdk: null,
      diffusion: { steps: 12, sampler: 'ddim', resample: 2 },
    },
    steps: 12,
    width: 32,
    height: 32,
    provider: 'cpu',
    prngVersion: 'tessera-prng-v1',
    pipelineVersion: 1,
    tokensSha256: 't'.repeat(64),
    parent: null,
    selfScore: null,
  } as unknown as NonNullable<ItemDetailView['recipe']>;
  const rows = recipeRows({ recipe, parents: [] });
  const at = rows.findIndex(([k]) => k === 'Steps');
  assert.deepEqual(rows.slice(at, at + 3), [
    ['Steps', { kind: 'text', text: '12' }],
    ['Sampler', { kind: 'text', text: 'DDIM' }],
    ['Resample', { kind: 'text', text: '2' }],
  ]);
  const tokenSampling = { ...recipe.sampling, diffusion: undefined };
  const plain = recipeRows({ recipe: { ...recipe, sampling: tokenSampling }, parents: [] });
  assert.equal(
    plain.some(([k]) => k === 'Sampler'),
    false,
    'token models have no sampler row',
  );
});
