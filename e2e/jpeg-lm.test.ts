/**
 * The JPEG-LM model in the studio, end to end in Chromium against web mode with the real
 * embedded export: generate with it (progress in MCUs, a live preview), then continue the
 * result from its top rows on the Infill screen; both land in the library with their recipes
 * and the continuation records its parent.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_MODEL_ID } from '../app/models/installed.ts';
import { shippedModelDir } from '../app/models/testing/shipped-models.ts';
import { openStudio, type Studio } from './harness.ts';

let studio: Studio;
let JPEG_LM_ID: string;
before(async () => {
  const dir = shippedModelDir('jpeg-lm');
  JPEG_LM_ID = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { id: string }).id;
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

test('generate with jpeg-lm, then continue the picture from its top rows', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-generate').click();
  await byTestId('model-select').selectOption(JPEG_LM_ID);
  await byTestId('prompt-input').fill('red heart');
  await byTestId('generate-button').click();
  await byTestId('preview-canvas').waitFor({ state: 'visible', timeout: 60_000 });
  await page
    .getByText(/\d+ ?\/ ?16 MCUs/)
    .first()
    .waitFor({ timeout: 60_000 });
  await page
    .getByTestId('queue-panel')
    .getByText(/completed|done/i)
    .first()
    .waitFor({ timeout: 120_000 });
  // A finished job still counts in its family's unit once the live events are gone.
  await page.getByTestId('queue-panel').getByText('16/16 MCUs').first().waitFor();
  await studio.shot('jpeg-lm-generate');

  const made = studio.web.gallery.query({}).items;
  assert.equal(made.length, 1);
  const parent = studio.web.gallery.getItem(made[0]!.id)!;
  assert.equal(parent.generation!.recipe.modelId, JPEG_LM_ID);
  assert.equal(parent.width, 64);

  await byTestId('nav-library').click();
  await page.locator(`[data-testid="grid-item-${parent.id}"]`).click();
  await byTestId('infill-button').click();
  await byTestId('mask-canvas').waitFor();
  await byTestId('keep-rows-2').click();
  await page.getByText(/50% of the 64×64 model pixels/).waitFor();
  await studio.shot('jpeg-lm-continue');
  await byTestId('infill-submit').click();
  const staging = byTestId('infill-staging');
  await staging.getByTestId('staging-accept').waitFor({ timeout: 120_000 });
  await staging.getByTestId(`lineage-${parent.id}`).waitFor();

  const items = studio.web.gallery.query({}).items;
  const child = items.find((i) => i.id !== parent.id);
  assert.ok(child !== undefined, 'the continuation is in the library');
  const detail = studio.web.gallery.getItem(child.id)!;
  assert.equal(detail.generation!.recipe.modelId, JPEG_LM_ID);
  const ancestors = studio.web.gallery.lineage(child.id).filter((n) => n.depth < 0);
  assert.deepEqual(
    ancestors.map((n) => n.id),
    [parent.id],
  );
});

test('jpeg-lm is labelled experimental on the Models screen and in the Generate picker, its metrics in words', async () => {
  const { page } = studio;
  await page.getByTestId('nav-models').click();
  const card = page.getByTestId(`model-${JPEG_LM_ID}`);
  await card.getByTestId(`experimental-${JPEG_LM_ID}`).waitFor();
  await card.getByText('Draws 64×64 px images').waitFor();
  await card.getByText(/Draws what the prompt names \(top 5 guesses\)/).waitFor();
  assert.equal(await card.getByText('adherence.top5').count(), 0, 'no raw metric keys');
  await studio.shot('models-experimental');
  await page.getByTestId('nav-generate').click();
  await page.getByTestId('model-select').selectOption(JPEG_LM_ID);
  const option = page.locator(`[data-testid="model-select"] option[value="${JPEG_LM_ID}"]`);
  assert.match((await option.textContent()) ?? '', /\(experimental\)/);
  await page
    .getByTestId('model-experimental')
    .getByText(/does not yet follow prompts/)
    .waitFor();
});

test("switching model starts from the new model's defaults unless a value is locked; reset takes the current model's", async () => {
  const { page } = studio;
  const cfg = page.getByTestId('cfg-input');
  const topK = page.getByLabel('Top-k', { exact: true });
  await page.getByTestId('nav-generate').click();
  await page.getByTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  assert.deepEqual([await cfg.inputValue(), await topK.inputValue()], ['3', '0'], 'vq-ar defaults');
  await page.getByTestId('model-select').selectOption(JPEG_LM_ID);
  assert.deepEqual(
    [await cfg.inputValue(), await topK.inputValue()],
    ['2', '50'],
    'jpeg-lm defaults',
  );
  await cfg.fill('7');
  await page.getByTestId('lock-cfgScale').click();
  assert.equal(await page.getByTestId('lock-cfgScale').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  assert.equal(await cfg.inputValue(), '7', 'locked: kept');
  assert.equal(await topK.inputValue(), '0', "unlocked: vq-ar's default");
  await page.getByRole('button', { name: "Reset to the model's defaults" }).click();
  assert.equal(await cfg.inputValue(), '3', "reset: vq-ar's own default");
  await page.getByTestId('lock-cfgScale').click();
});
