import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInfotext, recipeSchema, toInfotext, type Recipe } from './recipe.ts';
import { sampleRecipe } from './testing/sample-recipe.ts';

const recipe: Recipe = sampleRecipe({ prompt: 'red heart, big: shiny', negativePrompt: 'blue' });

test('infotext round trip keeps prompt and settings', () => {
  const text = toInfotext(recipe);
  const parsed = parseInfotext(text);
  assert.equal(parsed.prompt, 'red heart, big: shiny');
  assert.equal(parsed.negative, 'blue');
  assert.equal(parsed.settings.Seed, '42');
  assert.equal(parsed.settings['CFG scale'], '3');
  assert.equal(parsed.settings.Model, recipe.modelId);
  assert.equal(parsed.settings['Model hash'], 'aaaaaaaaaa');
  assert.equal(parsed.settings.Style, 'twemoji');
});

test('AUTOMATIC1111 infotext with a negative prompt parses', () => {
  const a1111 =
    'a cat wearing a hat\nNegative prompt: blurry, low quality\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly';
  const parsed = parseInfotext(a1111);
  assert.equal(parsed.prompt, 'a cat wearing a hat');
  assert.equal(parsed.negative, 'blurry, low quality');
  assert.equal(parsed.settings.Sampler, 'Euler a');
  assert.equal(parsed.settings.Size, '512x512');
});

test('a plain caption is all prompt', () => {
  const parsed = parseInfotext('just a photo of a dog');
  assert.equal(parsed.prompt, 'just a photo of a dog');
  assert.deepEqual(parsed.settings, {});
});

test('a recipe names the memory document it was given; one without it stays as it was', () => {
  const withDoc = recipeSchema.parse({
    ...recipe,
    retrieval: { index: 812, caption: 'red apple', set: 'noto' },
  });
  const parsed = parseInfotext(toInfotext(withDoc));
  assert.equal(parsed.settings.Reference, 'red apple (noto #812)');
  // Recipes made before retrieval (or given no document) parse unchanged and say nothing.
  const plain = recipeSchema.parse(recipe);
  assert.equal('retrieval' in plain, false);
  assert.equal(parseInfotext(toInfotext(plain)).settings.Reference, undefined);
  assert.throws(() =>
    recipeSchema.parse({ ...recipe, retrieval: { index: -1, caption: 'x', set: 'y' } }),
  );
});

test('a recipe records its decoding mode and window, and plain recipes keep their bytes', () => {
  const parallel = recipeSchema.parse({
    ...recipe,
    sampling: { ...recipe.sampling, decoding: { mode: 'parallel', window: 8 } },
  });
  assert.deepEqual(parallel.sampling.decoding, { mode: 'parallel', window: 8 });
  assert.equal(parseInfotext(toInfotext(parallel)).settings.Decoding, 'parallel window 8');
  const tree = { ...parallel.sampling.decoding!, fanout: [3, 2] };
  const withFanout = { ...parallel, sampling: { ...parallel.sampling, decoding: tree } };
  assert.equal(
    parseInfotext(toInfotext(withFanout)).settings.Decoding,
    'parallel window 8 fanout 3/2',
  );
  const sourced = recipeSchema.parse({
    ...parallel,
    sampling: { ...parallel.sampling, decoding: { ...tree, drafts: 'lines-previous' } },
  });
  assert.equal(sourced.sampling.decoding?.drafts, 'lines-previous');
  assert.equal(
    parseInfotext(toInfotext(sourced)).settings.Decoding,
    'parallel window 8 fanout 3/2 drafts lines-previous',
  );
  assert.throws(() =>
    recipeSchema.parse({
      ...parallel,
      sampling: { ...parallel.sampling, decoding: { ...tree, drafts: 'neighbours' } },
    }),
  );
  assert.equal(parseInfotext(toInfotext(recipe)).settings.Decoding, undefined);
  assert.ok(!JSON.stringify(recipeSchema.parse(recipe)).includes('decoding'));
  const wide = {
    ...recipe,
    sampling: { ...recipe.sampling, decoding: { mode: 'parallel', window: 17 } },
  };
  assert.match(
    JSON.stringify(recipeSchema.safeParse(wide).error?.issues),
    /the decoding window must be 1 to 16 tokens/,
  );
});
