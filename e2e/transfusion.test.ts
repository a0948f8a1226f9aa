/**
 * A diffusion model in the studio, end to end in Chromium against web mode, with the shipped
 * transfusion model (an embedded default): the Generate screen shows Steps and
 * Sampler for it (from its manifest, with its defaults) and not for a token model; a generation
 * counts denoising steps with a live preview, pauses and resumes from its saved latent, and
 * lands in the library with the steps and sampler chosen; an infill of it takes Steps, Sampler
 * and Resample from the Infill screen and records them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_MODEL_ID, EMBEDDED_DIR } from '../app/models/installed.ts';
import { openStudio, type Studio } from './harness.ts';

const shippedDir = readdirSync(EMBEDDED_DIR).find((name) => name.startsWith('transfusion-'));
if (shippedDir === undefined) throw new Error(`no shipped transfusion model in ${EMBEDDED_DIR}`);
const manifest = JSON.parse(
  readFileSync(join(EMBEDDED_DIR, shippedDir, 'manifest.json'), 'utf8'),
) as {
  id: string;
  diffusion: { defaults: { steps: number; sampler: string }; samplers: string[] };
};
const MODEL = manifest.id;

let studio: Studio;
before(async () => {
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

test('Steps and Sampler for a diffusion model; progress in steps, pause and resume', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-generate').click();
  await byTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  await byTestId('prompt-input').waitFor();
  assert.equal(await byTestId('steps-input').count(), 0, 'a token model has no Steps');
  assert.equal(await byTestId('sampler-select').count(), 0, 'a token model has no Sampler');

  await byTestId('model-select').selectOption(MODEL);
  await byTestId('steps-input').waitFor();
  const { defaults, samplers } = manifest.diffusion;
  assert.equal(
    await byTestId('steps-input').inputValue(),
    String(defaults.steps),
    "the manifest's default",
  );
  assert.equal(await byTestId('sampler-select').inputValue(), defaults.sampler);
  assert.equal(
    await byTestId('sampler-select').locator('option').count(),
    samplers.length,
    "the manifest's samplers",
  );

  await byTestId('steps-input').fill('250');
  await byTestId('prompt-input').fill('red heart');
  await byTestId('generate-button').click();
  await byTestId('preview-canvas').waitFor({ state: 'visible', timeout: 60_000 });
  await page
    .getByText(/\d+ ?\/ ?250 steps/)
    .first()
    .waitFor({ timeout: 60_000 });
  await byTestId('queue-panel').getByTestId('job-pause').first().click();
  await byTestId('queue-panel').getByTestId('job-resume').first().waitFor({ timeout: 30_000 });
  await studio.shot('transfusion-generate-paused');
  const [job] = studio.web.gallery.jobs.list({ limit: 5 });
  assert.equal(job!.status, 'paused');
  assert.ok((job!.checkpoint as { partial: unknown } | null)?.partial, 'its latent is saved');

  await byTestId('queue-panel').getByTestId('job-resume').first().click();
  await byTestId('queue-panel').getByText('250/250 steps').first().waitFor({ timeout: 120_000 });
  // The last step's progress arrives before the image is stored: wait for the finished job.
  await byTestId('queue-panel').getByTestId('job-open').first().waitFor({ timeout: 60_000 });
  const made = studio.web.gallery.query({}).items;
  assert.equal(made.length, 1);
  const recipe = studio.web.gallery.getItem(made[0]!.id)!.generation!.recipe;
  assert.equal(recipe.modelId, MODEL);
  assert.equal(recipe.steps, 250);
  assert.deepEqual(recipe.sampling.diffusion, { steps: 250, sampler: defaults.sampler });
});

test('infill with a diffusion model: Steps, Sampler and Resample, recorded in the recipe', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-library').click();
  const parent = page.locator('[data-testid^="grid-item-"]').first();
  await parent.click();
  await byTestId('infill-button').click();
  await byTestId('steps-input').waitFor();
  assert.equal(await byTestId('steps-input').inputValue(), '250', "the source's steps");
  assert.equal(await byTestId('resample-input').inputValue(), '1');
  await byTestId('steps-input').fill('6');
  await byTestId('resample-input').fill('2');
  const canvas = byTestId('mask-canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 12 });
  await page.mouse.up();
  await byTestId('infill-prompt').fill('blue heart');
  await studio.shot('transfusion-infill');
  await byTestId('infill-submit').click();
  await byTestId('infill-staging').getByTestId('staging-accept').waitFor({ timeout: 60_000 });
  await studio.shot('transfusion-infill-result');
  const newest = studio.web.gallery.query({}).items[0]!;
  const recipe = studio.web.gallery.getItem(newest.id)!.generation!.recipe;
  assert.equal(recipe.task, 'infill');
  assert.deepEqual(recipe.sampling.diffusion, {
    steps: 6,
    sampler: manifest.diffusion.defaults.sampler,
    resample: 2,
  });
});
