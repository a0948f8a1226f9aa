/** The manifest's `diffusion` block: a real smoke export validates; a missing or damaged one is
 * refused with what to do. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseManifest } from '../../../common/model-manifest.ts';
import { SMOKE_DIR } from './testing/test-model.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const smoke = (): Json =>
  JSON.parse(readFileSync(join(SMOKE_DIR, 'manifest.json'), 'utf8')) as Json;

function problem(m: Json): string {
  const r = parseManifest(JSON.stringify(m), 'manifest.json');
  assert.equal(r.ok, false, 'the manifest should be refused');
  return r.ok ? '' : r.error.message;
}

test('the smoke export validates with its diffusion block', () => {
  const r = parseManifest(JSON.stringify(smoke()), 'manifest.json');
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const d = r.value.diffusion!;
  assert.equal(d.objective, 'ddpm');
  assert.equal(d.alphasBar!.length, d.timesteps);
  assert.deepEqual(d.defaults, { steps: 4, sampler: 'ddim', cfgScale: 3 });
});

test('a transfusion manifest without a diffusion block is refused, saying to re-export', () => {
  const m = smoke();
  delete m.diffusion;
  assert.match(
    problem(m),
    /diffusion: a transfusion model needs a "diffusion" block .*re-export the model .*transfusion\.export/,
  );
});

test('a missing, truncated or out-of-range noise schedule is refused by name', () => {
  for (const damage of [
    (d: Json) => delete d.alphasBar,
    (d: Json) => (d.alphasBar = d.alphasBar.slice(0, 10)),
    (d: Json) => (d.alphasBar[3] = 1.5),
    (d: Json) => (d.alphasBar[0] = 0),
  ]) {
    const m = smoke();
    damage(m.diffusion);
    assert.match(
      problem(m),
      /diffusion\.alphasBar: the noise schedule is missing or damaged .*re-export/,
    );
  }
  const m = smoke();
  m.diffusion.alphasBar[5] = null; // how JSON writes a NaN
  assert.match(problem(m), /diffusion\.alphasBar\.5/);
});

test('samplers must fit the objective, defaults the bounds, patches the image', () => {
  const flow = smoke();
  flow.diffusion.objective = 'flow';
  assert.match(problem(flow), /a flow model samples with euler or heun/);
  const steps = smoke();
  steps.diffusion.defaults.steps = 400;
  assert.match(problem(steps), /default steps 400 lie outside \[1, 250\]/);
  const patches = smoke();
  patches.diffusion.patchDim = 47;
  assert.match(problem(patches), /do not tile a 32×32 image/);
});

test('every graph the loop runs must be listed', () => {
  const m = smoke();
  delete m.graphs.lm_head;
  assert.match(problem(m), /graphs\.lm_head: a transfusion model needs a "lm_head" graph/);
});
