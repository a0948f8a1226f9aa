/** A valid recipe for tests and benchmarks: the embedded default's settings, fake hashes. */
import { recipeSchema, type Recipe } from '../recipe.ts';
import { DEFAULT_MODEL_ID } from '../default-model.ts';

export function sampleRecipe(overrides: Partial<Recipe> = {}): Recipe {
  return recipeSchema.parse({
    tessera: 1,
    task: 'generate',
    modelId: DEFAULT_MODEL_ID,
    modelSha256: 'a'.repeat(64),
    family: 'vq-ar',
    prompt: 'red heart',
    negativePrompt: '',
    style: 'twemoji',
    seed: 42,
    imageIndex: 0,
    sampling: { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null },
    prngVersion: 'tessera-prng-v1',
    pipelineVersion: 1,
    steps: 64,
    width: 32,
    height: 32,
    provider: 'cpu',
    tokensSha256: 'b'.repeat(64),
    parent: null,
    selfScore: null,
    ...overrides,
  });
}
