/// <reference lib="dom" />
/**
 * The Compare view in Chromium against web mode with the shipped models: one prompt and seed
 * through every installed model that can generate, a cell per model filled in as its job
 * finishes, each labelled with the model's name and family, its time per image and its own
 * score of the prompt; the comparison survives a reload; a cell opens its item in the Library
 * with its recipe; the view keeps its cells on screen at 1440, 1024 and 800 px and axe-core
 * finds nothing serious on it.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStudio, ROOT, type Studio } from './harness.ts';
import { seriousViolations, uncovered } from './testing/page-checks.ts';

let studio: Studio;
before(async () => {
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

const SEED = 5;

test('every generating model runs the prompt; labelled cells stream in; a cell opens its item', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-compare').click();
  await page.waitForURL('**#/compare');
  const generating = (await studio.web.service.handlers['models:list']({}))
    .filter((m) => m.usable && m.capabilities.generate === true)
    .map((m) => ({ id: m.id, name: m.name, family: m.family }));
  assert.ok(generating.length >= 3, 'the shipped models: vq-ar, jpeg-lm and transfusion');

  await byTestId('compare-prompt').fill('red heart');
  await byTestId('compare-seed-input').fill(String(SEED));
  await byTestId('compare-run').click();
  const cells = page.locator('[data-testid^="compare-cell-"]');
  await cells.nth(generating.length - 1).waitFor();
  assert.equal(await cells.count(), generating.length, 'one cell per model');
  // The first finished cell shows its image while the others still wait or run.
  await page.locator('[data-testid^="compare-cell-"][data-state="done"]').first().waitFor({
    timeout: 180_000,
  });
  for (const m of generating) {
    const cell = byTestId(`compare-cell-${m.id}`);
    await page
      .locator(`[data-testid="compare-cell-${m.id}"][data-state="done"]`)
      .waitFor({ timeout: 240_000 });
    assert.equal(await cell.getByTestId('compare-model').textContent(), m.name);
    assert.equal(await cell.getByTestId('compare-family').textContent(), m.family);
    await cell
      .getByTestId('compare-score')
      .getByText(/log p per token/)
      .waitFor();
    assert.match(
      (await cell.getByTestId('compare-time').textContent()) ?? '',
      /^\d+\.\d+ s per image$/,
    );
    assert.match(
      (await cell.getByTestId('compare-score').textContent()) ?? '',
      /^-?\d+\.\d{3} log p per token$/,
    );
    // The cell is the model's own result, in the library with the shared prompt and seed.
    const itemId = Number(await cell.getAttribute('data-item'));
    const recipe = studio.web.gallery.getItem(itemId)!.generation!.recipe;
    assert.deepEqual([recipe.modelId, recipe.prompt, recipe.seed], [m.id, 'red heart', SEED]);
    assert.ok(await cell.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth > 0));
  }
  assert.match(
    (await byTestId('compare-summary').textContent()) ?? '',
    new RegExp(
      `seed ${SEED} · each model's own defaults · ${generating.length} of ${generating.length} models done`,
    ),
  );
  await studio.shot('compare');

  // A reload comes back to the comparison, its cells finished as they were, and its form.
  await page.reload();
  assert.equal(await byTestId('compare-prompt').inputValue(), 'red heart');
  assert.equal(await byTestId('compare-seed-input').inputValue(), String(SEED));
  // Its figures too, kept rather than measured again.
  for (const m of generating)
    assert.match(
      (await byTestId(`compare-cell-${m.id}`).getByTestId('compare-time').textContent()) ?? '',
      / s per image$/,
    );
  await page
    .locator('[data-testid^="compare-cell-"][data-state="done"]')
    .nth(generating.length - 1)
    .waitFor();

  const first = generating[0]!;
  const cell = byTestId(`compare-cell-${first.id}`);
  const itemId = await cell.getAttribute('data-item');
  await cell.getByTestId('compare-open').click();
  await page.waitForURL(`**#/library/${itemId}`);
  const recipe = byTestId('detail-panel').getByTestId('recipe-table');
  await recipe.getByText(first.id).waitFor();
  await recipe.getByText(String(SEED), { exact: true }).waitFor();
});

test('the Compare view keeps its cells on screen at 1440, 1024 and 800 px; axe-core finds nothing serious', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-compare').click();
  await page.locator('[data-testid^="compare-cell-"][data-state="done"]').first().waitFor();
  const shots = join(ROOT, 'test-results', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const problems: string[] = [];
  for (const width of [1440, 1024, 800]) {
    await page.setViewportSize({ width, height: 700 });
    for (const sel of [
      '[data-testid="compare-run"]',
      '[data-testid="compare-prompt"]',
      '.compare-cell:first-child .compare-open',
      '.compare-cell:first-child',
    ]) {
      const why = await uncovered(page, sel);
      if (why !== null) problems.push(`${width} px: ${why}`);
    }
    await page.screenshot({ path: join(shots, `layout-compare-${width}.png`) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  assert.deepEqual(problems, []);
  assert.deepEqual(await seriousViolations(page), []);
  // And with the shared settings showing.
  await byTestId('compare-mode-shared').check();
  await byTestId('compare-topK').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
});

test('shared settings: every model runs with the same values, and its recipe says so', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-compare').click();
  await byTestId('compare-mode-shared').check();
  await byTestId('compare-temperature').fill('0.5');
  await byTestId('compare-topK').fill('7');
  await byTestId('compare-run').click();
  await byTestId('compare-summary')
    .getByText(/shared settings: .*temperature 0\.5, top-k 7/)
    .waitFor();
  const cells = page.locator('[data-testid^="compare-cell-"]');
  const count = await cells.count();
  await page
    .locator('[data-testid^="compare-cell-"][data-state="done"]')
    .nth(count - 1)
    .waitFor({ timeout: 240_000 });
  // Each model runs the shared values pulled into its own bounds (a diffusion model's
  // temperature and top-k are fixed at 1 and 0), and its recipe records what ran.
  const models = await studio.web.service.handlers['models:list']({});
  const within = (v: number, b: readonly [number, number] | undefined) =>
    b === undefined ? v : Math.min(b[1], Math.max(b[0], v));
  for (let i = 0; i < count; i++) {
    const itemId = Number(await cells.nth(i).getAttribute('data-item'));
    const { modelId, sampling } = studio.web.gallery.getItem(itemId)!.generation!.recipe;
    const bounds = models.find((m) => m.id === modelId)!.sampling.bounds;
    assert.deepEqual(
      [sampling.temperature, sampling.topK],
      [within(0.5, bounds.temperature), within(7, bounds.topK)],
      `cell ${i} (${modelId})`,
    );
  }
  assert.ok(
    models.some((m) => m.capabilities.generate && (m.sampling.bounds.topK?.[1] ?? 7) >= 7),
    'at least one model takes the shared values unchanged',
  );
});
