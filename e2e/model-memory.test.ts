/**
 * Model memory (CM3Leon-style retrieval) in the studio, end to end in Chromium against web
 * mode: Generate offers the switch only for a model that declares retrieval, and what it is set
 * to reaches the queue's job (`retrieval: 'auto'` or `'off'`; nothing for other models); the
 * Library shows the reference a generation was given, and Reuse settings carries the switch.
 *
 * Two manifest-only copies of the shipped vq-ar model stand in, one declaring a retrieval block
 * and one without, so the test holds whether the shipped model has a memory or not: listing a
 * model reads only its manifest, and its jobs fail to load (no graphs), which leaves the
 * requests they carry to check.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Request } from 'playwright-core';
import type { Recipe } from '../app/common/recipe.ts';
import { addSampleGeneration } from '../app/gallery/testing/sample-generation.ts';
import { shippedVqArManifest } from '../app/models/testing/shipped-models.ts';
import { openStudio, type Studio } from './harness.ts';

const MEMORY_MODEL_ID = 'tessera/vq-ar-memory-test';
const PLAIN_MODEL_ID = 'tessera/vq-ar-plain-test';

let studio: Studio;
before(async () => {
  studio = await openStudio();
  const write = (folder: string, manifest: Record<string, unknown>) => {
    const dir = join(studio.home, 'models', folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  };
  const manifest = shippedVqArManifest();
  delete manifest.retrieval;
  write('vq-ar-plain-test', {
    ...manifest,
    id: PLAIN_MODEL_ID,
    name: 'vq-ar without memory (test)',
    capabilities: { ...(manifest.capabilities as object), retrieval: false },
  });
  write('vq-ar-memory-test', {
    ...manifest,
    id: MEMORY_MODEL_ID,
    name: 'vq-ar with memory (test)',
    capabilities: { ...(manifest.capabilities as object), retrieval: true },
    retrieval: {
      memory: { file: 'memory.json', sha256: 'c'.repeat(64) },
      codes: {
        file: 'memory-codes.bin',
        sha256: 'd'.repeat(64),
        dtype: 'uint16',
        shape: [2, 64],
      },
      documents: 2,
      query: 'caption-tfidf',
      topK: 1,
    },
  });
  await studio.page.reload();
});
after(async () => {
  await studio?.close();
});

const byTestId = (id: string) => studio.page.getByTestId(id);

/** Clicks Generate; returns the request the studio sent and the jobs the queue stored. */
async function generate(): Promise<{ sent: Record<string, unknown>; stored: unknown[] }> {
  const sending = studio.page.waitForRequest((r: Request) =>
    r.url().includes('/api/invoke/jobs:submitGenerate'),
  );
  const answered = studio.page.waitForResponse((r) =>
    r.url().includes('/api/invoke/jobs:submitGenerate'),
  );
  await byTestId('generate-button').click();
  const sent = (await sending).postDataJSON() as Record<string, unknown>;
  const answer = (await (await answered).json()) as
    { ok: true; value: { jobIds: string[] } } | { ok: false; error: { message: string } };
  assert.ok(answer.ok, JSON.stringify(answer));
  const stored = answer.value.jobIds.map((id) => studio.web.gallery.jobs.get(id)!.request);
  return { sent, stored };
}

test('Model memory shows only for a model with one; unchecked, the job asks for none', async () => {
  const { page } = studio;
  await byTestId('nav-generate').click();
  await byTestId('prompt-input').fill('grinning cat');
  const select = byTestId('model-select');
  await select.locator(`option[value="${MEMORY_MODEL_ID}"]`).waitFor({ state: 'attached' });

  // A model without a memory: no switch, and nothing about retrieval in its request.
  await select.selectOption(PLAIN_MODEL_ID);
  assert.equal(await byTestId('memory-checkbox').count(), 0);
  const plain = await generate();
  assert.equal(Object.hasOwn(plain.sent, 'retrieval'), false);
  assert.equal(Object.hasOwn(plain.stored[0] as object, 'retrieval'), false);

  // A model with a memory: the switch, on by default, with what it does.
  await select.selectOption(MEMORY_MODEL_ID);
  const memory = page.getByRole('checkbox', { name: 'Model memory' });
  await memory.waitFor();
  assert.equal(await memory.isChecked(), true);
  await page.getByText('the training emoji closest to your prompt', { exact: false }).waitFor();
  await studio.shot('generate-model-memory');
  const on = await generate();
  assert.equal(on.sent.retrieval, 'auto');
  assert.deepEqual(
    on.stored.map((r) => (r as { retrieval?: unknown }).retrieval),
    ['auto'],
  );

  await memory.uncheck();
  const off = await generate();
  assert.equal(off.sent.retrieval, 'off');
  assert.equal((off.stored[0] as { retrieval?: unknown }).retrieval, 'off');

  // Kept like the other Generate settings.
  await page.waitForFunction((key) => {
    const { localStorage } = globalThis as unknown as {
      localStorage: { getItem(key: string): string | null };
    };
    return (JSON.parse(localStorage.getItem(key) ?? '{}') as { memory?: boolean }).memory === false;
  }, 'tessera.generate.v1');
  await page.reload();
  await byTestId('nav-generate').click();
  const reloaded = page.getByRole('checkbox', { name: 'Model memory' });
  await reloaded.waitFor();
  assert.equal(await reloaded.isChecked(), false);
});

const addGeneration = (salt: number, recipe: Partial<Recipe>) =>
  addSampleGeneration(studio.web.gallery, salt, recipe);

test('the library shows the reference a generation was given; Reuse settings carries Model memory', async () => {
  const { page } = studio;
  const given = await addGeneration(40, {
    modelId: MEMORY_MODEL_ID,
    prompt: 'smiling cat',
    retrieval: { index: 7, caption: 'grinning cat', set: 'noto' },
  });
  const without = await addGeneration(80, { modelId: MEMORY_MODEL_ID, prompt: 'plain star' });
  const shipped = await addGeneration(120, { modelId: PLAIN_MODEL_ID, prompt: 'blue star' });

  await byTestId('nav-library').click();
  const panel = byTestId('detail-panel');
  const open = async (id: number) => {
    await page.locator(`[data-testid="grid-item-${id}"]`).click();
    await page.locator(`[data-testid="detail-panel"][data-item-id="${id}"]`).waitFor();
    await panel.getByTestId('recipe-table').waitFor();
  };
  const reuseRow = async () => {
    await panel.getByTestId('reuse-button').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('reuse-diff').waitFor();
    return dialog;
  };

  await open(given);
  const reference = panel.getByTestId('recipe-reference');
  assert.equal(await reference.textContent(), 'grinning cat (noto)');
  assert.equal(
    await panel
      .locator('tr', { has: page.getByTestId('recipe-reference') })
      .locator('th')
      .textContent(),
    'Reference',
  );
  await studio.shot('library-detail-reference');
  // Generate has it off (the last test): the recipe turns it back on.
  let dialog = await reuseRow();
  const row = dialog.getByTestId('reuse-row-memory');
  assert.equal(await row.locator('.diff-current').textContent(), 'off');
  assert.equal(await row.locator('.diff-stored').textContent(), 'on');
  await row.getByRole('button', { name: 'Apply Model memory: on' }).click();
  await row.getByText('Same').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  // Made without a reference by a model with a memory: off.
  await open(without);
  assert.equal(await panel.getByTestId('recipe-reference').count(), 0);
  dialog = await reuseRow();
  assert.equal(
    await dialog.getByTestId('reuse-row-memory').locator('.diff-stored').textContent(),
    'off',
  );
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  // A model without a memory says nothing about it.
  await open(shipped);
  dialog = await reuseRow();
  assert.equal(await dialog.getByTestId('reuse-row-memory').count(), 0);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  await byTestId('nav-generate').click();
  await byTestId('model-select').selectOption(MEMORY_MODEL_ID);
  assert.equal(await page.getByRole('checkbox', { name: 'Model memory' }).isChecked(), true);
});
