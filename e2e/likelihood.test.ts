/// <reference lib="dom" />
/**
 * Exact likelihood in the Library, in Chromium against web mode with the smoke jetformer export
 * installed: "Most surprising first" puts the measured item with the most bits per dimension
 * first and the unmeasured ones after it; the detail panel shows the value with what it means,
 * and measures an item that has none through the model.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addSampleGeneration } from '../app/gallery/testing/sample-generation.ts';
import { smokeModelDir } from '../app/inference/families/jetformer/testing/smoke-model.ts';
import { importModelFolder } from '../app/models/import-model.ts';
import { openStudio, type Studio } from './harness.ts';

let studio: Studio;
before(async () => {
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

test('most surprising first, the bits-per-dimension row, and measuring an item from its panel', async () => {
  const { page, web } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const jetformer = await importModelFolder(studio.home, smokeModelDir());
  const calm = await addSampleGeneration(web.gallery, 71, { prompt: 'calm sample' });
  const odd = await addSampleGeneration(web.gallery, 72, { prompt: 'odd sample' });
  const unmeasured = await addSampleGeneration(web.gallery, 73, { prompt: 'unmeasured sample' });
  web.gallery.setLikelihood(calm, jetformer.id, 3.25);
  web.gallery.setLikelihood(odd, jetformer.id, 6.5);
  await page.reload(); // the studio lists the model and the items added behind its back

  await byTestId('nav-library').click();
  await byTestId('library-sort').selectOption('surprise');
  const order = async () =>
    (await page
      .locator('[data-testid^="grid-item-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')))) as string[];
  await page.waitForFunction(
    (first) =>
      document.querySelector('[data-testid^="grid-item-"]')?.getAttribute('data-testid') === first,
    `grid-item-${odd}`,
  );
  assert.deepEqual((await order()).slice(0, 3), [
    `grid-item-${odd}`,
    `grid-item-${calm}`,
    `grid-item-${unmeasured}`,
  ]);

  await page.locator(`[data-testid="grid-item-${odd}"]`).click();
  const row = byTestId('detail-bpd');
  await row.waitFor();
  assert.equal(await byTestId('detail-bpd-value').textContent(), '6.50 bits/dim');
  assert.match(
    (await row.textContent()) ?? '',
    /How surprising this image is to the model: lower = more typical\./,
  );
  await studio.shot('library-bits-per-dim');

  await page.locator(`[data-testid="grid-item-${unmeasured}"]`).click();
  await page.waitForURL(`**#/library/${unmeasured}`);
  await byTestId('detail-bpd-measure').click();
  await byTestId('detail-bpd-value').waitFor({ timeout: 60_000 });
  const stored = web.gallery.getItem(unmeasured)!.likelihood!;
  assert.equal(stored.modelId, jetformer.id);
  assert.equal(
    await byTestId('detail-bpd-value').textContent(),
    `${stored.bitsPerDim.toFixed(2)} bits/dim`,
  );
});
