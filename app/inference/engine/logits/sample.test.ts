import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Prng, PRNG_VERSION, streamId } from '../rng.ts';
import { PIPELINE_VERSION, sampleToken, type SamplingSettings } from './sample.ts';

const goldenDir = join(import.meta.dirname, '..', '..', '..', '..', 'native-models', 'golden');
const load = (name: string) => JSON.parse(readFileSync(join(goldenDir, name), 'utf8'));

test('the PRNG reproduces the Python reference bit for bit', () => {
  const golden = load('prng.json') as {
    prngVersion: string;
    cases: {
      seed: number;
      imageIndex: number;
      purpose: number;
      counter: number;
      uniforms: number[];
      normals: number[];
    }[];
  };
  assert.equal(golden.prngVersion, PRNG_VERSION);
  for (const c of golden.cases) {
    const p = new Prng(c.seed, streamId(c.imageIndex, c.purpose), c.counter);
    assert.deepEqual(
      Array.from({ length: 4 }, () => p.uniform()),
      c.uniforms,
    );
    const normals = [...p.normalPair(), ...p.normalPair()];
    normals.forEach((z, i) => assert.ok(Math.abs(z - c.normals[i]!) < 1e-12, `normal ${i}`));
  }
});

test('the logits pipeline draws the same tokens as the Python reference', () => {
  const golden = load('sampling.json') as {
    pipelineVersion: number;
    cases: {
      seed: number;
      settings: SamplingSettings;
      steps: { cond: number[]; uncond: number[]; token: number }[];
    }[];
  };
  assert.equal(golden.pipelineVersion, PIPELINE_VERSION);
  assert.ok(golden.cases.length >= 8);
  for (const c of golden.cases) {
    const prng = new Prng(c.seed, streamId(0, 1));
    const tokens = c.steps.map((s) =>
      sampleToken(Float32Array.from(s.cond), Float32Array.from(s.uncond), c.settings, prng),
    );
    assert.deepEqual(
      tokens,
      c.steps.map((s) => s.token),
      JSON.stringify(c.settings),
    );
  }
});
