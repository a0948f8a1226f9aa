import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foreignRows, foreignSources, readableJson, type Foreign } from './foreign-rows.ts';

const comfy: Foreign = {
  tool: 'comfyui',
  prompt: 'a lighthouse at dusk',
  negativePrompt: 'blurry',
  settings: {
    Model: 'sd_xl_base_1.0.safetensors',
    'CFG scale': '7',
    Steps: '25',
    Sampler: 'euler',
    'Schedule type': 'karras',
    Seed: '123456789',
    'Denoising strength': '1',
  },
  seed: 123456789,
  infotext: '',
  promptGraph: '{"3":{"class_type":"KSampler","inputs":{"seed":123456789}}}',
  workflow: '{"nodes":[{"id":3,"type":"KSampler"}]}',
};

test('an imported item shows its tool, prompt, then seed, sampler and steps before the rest', () => {
  assert.deepEqual(foreignRows(comfy), [
    ['Made with', 'ComfyUI'],
    ['Prompt', 'a lighthouse at dusk'],
    ['Negative prompt', 'blurry'],
    ['Seed', '123456789'],
    ['Sampler', 'euler'],
    ['Schedule type', 'karras'],
    ['Steps', '25'],
    ['CFG scale', '7'],
    ['Model', 'sd_xl_base_1.0.safetensors'],
    ['Denoising strength', '1'],
  ]);
  const a1111: Foreign = {
    ...comfy,
    tool: 'automatic1111',
    negativePrompt: '',
    settings: { Steps: '20', Size: '512x512' },
    seed: null,
    infotext: 'a lighthouse\nSteps: 20, Size: 512x512',
    promptGraph: null,
    workflow: null,
  };
  assert.deepEqual(foreignRows(a1111), [
    ['Made with', 'AUTOMATIC1111 (or a tool writing its parameters)'],
    ['Prompt', 'a lighthouse at dusk'],
    ['Steps', '20'],
    ['Size', '512x512'],
  ]);
  assert.deepEqual(foreignSources(a1111), [
    { label: 'Parameters, as the file has them', text: 'a lighthouse\nSteps: 20, Size: 512x512' },
  ]);
});

test("ComfyUI's workflow and prompt graph are laid out to read; other text is kept as it is", () => {
  const sources = foreignSources(comfy);
  assert.deepEqual(
    sources.map((s) => s.label),
    ['ComfyUI workflow', 'ComfyUI prompt graph'],
  );
  assert.equal(
    sources[0]!.text,
    '{\n  "nodes": [\n    {\n      "id": 3,\n      "type": "KSampler"\n    }\n  ]\n}',
  );
  assert.equal(readableJson('{not json'), '{not json');
});
