/**
 * Denoising settings against real manifests: the transfusion smoke export (ddpm), the same under
 * its flow block (the flow goldens'), and the shipped vq-ar model (no denoising settings).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMOKE_DIR, FLOW_GOLDEN } from '../inference/families/transfusion/testing/test-model.ts';
import { shippedModelDir } from '../models/testing/shipped-models.ts';
import {
  diffusionChoices,
  diffusionFor,
  DiffusionRequestError,
  resolveDiffusion,
} from './diffusion-settings.ts';
import type { Sampling } from './inference-contract.ts';
import { manifestSchema, type ModelManifest } from './model-manifest.ts';

const read = (dir: string) =>
  manifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
const ddpm = read(SMOKE_DIR);
const flow: ModelManifest = manifestSchema.parse({
  ...JSON.parse(readFileSync(join(SMOKE_DIR, 'manifest.json'), 'utf8')),
  diffusion: (JSON.parse(readFileSync(FLOW_GOLDEN, 'utf8')) as { diffusion: unknown }).diffusion,
});
const tokens = read(shippedModelDir('vq-ar'));
const SAMPLING: Sampling = { cfgScale: 3, temperature: 1, topK: 0, topP: 1, cdk: null };

test("a diffusion model's missing settings are its manifest's defaults", () => {
  assert.deepEqual(diffusionFor(ddpm, SAMPLING).diffusion, { steps: 4, sampler: 'ddim' });
  assert.deepEqual(resolveDiffusion(flow, { sampler: 'midpoint' }), {
    steps: 4,
    sampler: 'midpoint',
  });
  assert.deepEqual(resolveDiffusion(flow, { steps: 250, resample: 3 }), {
    steps: 250,
    sampler: 'heun',
    resample: 3,
  });
});

test('steps out of range, unknown samplers and the other objective’s samplers are refused', () => {
  const refused = (m: ModelManifest, asked: object, message: RegExp) =>
    assert.throws(
      () => resolveDiffusion(m, asked),
      (e: unknown) => e instanceof DiffusionRequestError && message.test(e.message),
      JSON.stringify(asked),
    );
  refused(ddpm, { steps: 0 }, /from 1 to 250 for tessera\/transfusion-emoji32-smoke, not 0/);
  refused(ddpm, { steps: 100_000 }, /from 1 to 250 .*not 100000 \(its default is 4\)/);
  refused(ddpm, { sampler: 'heun' }, /heun is a sampler of flow models; .* is a ddpm model/);
  refused(
    flow,
    { sampler: 'ddim' },
    /ddim is a sampler of ddpm models; .* samples with euler, heun, midpoint \(default heun\)/,
  );
  refused(flow, { sampler: 'dpm++' }, /"dpm\+\+" is not a sampler Tessera knows/);
  refused(flow, { resample: 0 }, /resample must be a whole number from 1 to 20, not 0/);
});

test('a token model passes through untouched, and refuses denoising settings', () => {
  assert.equal(diffusionFor(tokens, SAMPLING), SAMPLING);
  assert.equal(diffusionChoices(tokens), null);
  assert.throws(
    () => diffusionFor(tokens, { ...SAMPLING, diffusion: { steps: 8, sampler: 'ddim' } }),
    /token by token: steps and sampler are settings of diffusion models/,
  );
});

test('the choices a screen offers are the manifest’s', () => {
  assert.deepEqual(diffusionChoices(flow), {
    samplers: ['euler', 'heun', 'midpoint'],
    defaults: { steps: 4, sampler: 'heun' },
    bounds: { steps: [1, 250] },
  });
});
