/// <reference lib="dom" />
/**
 * What a new user notices first, in Chromium against web mode with the shipped models: the
 * prompt box says which words the model does not know and what falls past its word budget; at
 * 1440, 1024 and 800 px wide the work (preview, mask canvas, caption results, library grid) is
 * on screen and nothing covers it; a reload comes back to the open screen and item and re-attaches
 * the Generate stage to the jobs it started.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addSampleGeneration } from '../app/gallery/testing/sample-generation.ts';
import { photoLike } from '../app/jobs/testing/photo-like.ts';
import { encodePng } from '../app/media/png.ts';
import { DEFAULT_MODEL_ID } from '../app/models/installed.ts';
import { openStudio, type Studio } from './harness.ts';
import { seriousViolations, uncovered } from './testing/page-checks.ts';

let studio: Studio;
before(async () => {
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

test('the prompt box underlines unknown words and says what falls past the word budget', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-generate').click();
  await byTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  await byTestId('style-select').selectOption('');
  await byTestId('prompt-input').fill('xylophonic quasar zebrafish red heart');
  await byTestId('prompt-unknown').getByText('xylophonic, quasar, zebrafish').waitFor();
  assert.equal(await byTestId('prompt-budget').textContent(), '5 of 16 words');
  const underlined = page.locator('[data-testid="prompt-check"] .pw.unknown');
  assert.deepEqual(await underlined.allTextContents(), ['xylophonic', 'quasar', 'zebrafish']);
  assert.equal(
    await underlined.first().evaluate((el) => getComputedStyle(el).textDecorationLine),
    'underline',
  );
  assert.equal(await byTestId('prompt-dropped').count(), 0);

  const twenty = Array.from({ length: 20 }, (_, i) => (i < 16 ? 'apple' : 'heart')).join(' ');
  await byTestId('prompt-input').fill(twenty);
  await byTestId('prompt-dropped').getByText('heart heart heart heart').waitFor();
  assert.equal(await byTestId('prompt-budget').textContent(), 'Reads the first 16 of 20 words');
  await studio.shot('prompt-feedback');
});

test('at 1440, 1024 and 800 px the preview, the mask canvas, caption results and the library are on screen, uncovered', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await addSampleGeneration(studio.web.gallery, 90, { prompt: 'layout sample' });
  const problems: string[] = [];
  const check = async (width: number, screen: string, selectors: string[]) => {
    for (const sel of selectors) {
      const why = await uncovered(page, sel);
      if (why !== null) problems.push(`${width} px, ${screen}: ${why}`);
    }
    await studio.shot(`layout-${screen}-${width}`);
  };
  for (const width of [1440, 1024, 800]) {
    await page.setViewportSize({ width, height: 700 });
    await byTestId('nav-generate').click();
    await check(width, 'generate', [
      '.preview-frame',
      '[data-testid="prompt-input"]',
      '[data-testid="generate-button"]',
    ]);
    await byTestId('nav-caption').click();
    await check(width, 'caption', ['.caption-stage']);
    await byTestId('nav-library').click();
    await page.locator('[data-testid^="grid-item-"]').first().click();
    await check(width, 'library', ['[data-testid^="grid-item-"]']);
    await byTestId('infill-button').click();
    await byTestId('mask-canvas').waitFor();
    await check(width, 'infill', ['[data-testid="mask-canvas"]']);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  assert.deepEqual(problems, []);
});

test('a reload keeps the screen and item in the address, and the stage re-attaches to its running jobs', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const itemId = await addSampleGeneration(studio.web.gallery, 91, { prompt: 'route sample' });
  await page.reload(); // the Library lists items added behind its back after a reload
  await byTestId('nav-library').click();
  await page.locator(`[data-testid="grid-item-${itemId}"]`).click();
  await page.waitForURL(`**#/library/${itemId}`);
  await page.reload();
  await byTestId('detail-panel').getByText('route sample').first().waitFor();
  assert.equal(await byTestId('nav-library').getAttribute('aria-current'), 'page');

  await byTestId('nav-generate').click();
  await page.waitForURL('**#/generate');
  await byTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  await byTestId('prompt-input').fill('red heart');
  await byTestId('count-input').fill('24');
  await byTestId('generate-button').click();
  await byTestId('result-grid').waitFor({ timeout: 60_000 });
  await page.reload();
  assert.equal(await byTestId('nav-generate').getAttribute('aria-current'), 'page');
  // Still running after the reload: its live preview reaches the stage again.
  const running = () =>
    studio.web.gallery.jobs.list().some((j) => j.status === 'running' || j.status === 'queued');
  if (running()) await byTestId('preview-canvas').waitFor({ timeout: 60_000 });
  // Every image of the batch reaches the Results grid, those finished during the reload too.
  await page
    .locator('[data-testid="result-grid"] [data-testid^="result-"]')
    .nth(23)
    .waitFor({ timeout: 180_000 });
  assert.equal(
    await page.locator('[data-testid="result-grid"] [data-testid^="result-"]').count(),
    24,
  );
  await studio.shot('reload-reattached');
});

test('an infill waiting for Accept or Discard survives a reload, mask and all', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const itemId = await addSampleGeneration(studio.web.gallery, 92, { prompt: 'infill reload' });
  await page.reload(); // the Library lists items added behind its back after a reload
  await byTestId('nav-library').click();
  await page.locator(`[data-testid="grid-item-${itemId}"]`).click();
  await byTestId('infill-button').click();
  const canvas = byTestId('mask-canvas');
  await canvas.waitFor();
  await page.waitForURL(`**#/infill/${itemId}`);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 8 });
  await page.mouse.up();
  await byTestId('infill-submit').click();
  await byTestId('infill-staging').getByTestId('staging-accept').waitFor({ timeout: 120_000 });
  await page.reload();
  await byTestId('infill-staging').getByTestId('staging-accept').waitFor({ timeout: 30_000 });
  await studio.shot('infill-pending-after-reload');
  await byTestId('staging-accept').click();
  await page.reload();
  await byTestId('mask-canvas').waitFor();
  assert.equal(
    await byTestId('staging-accept').count(),
    0,
    'accepted: nothing pending after a reload',
  );
});

test('axe-core finds no serious or critical violations on any screen', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const itemId = await addSampleGeneration(studio.web.gallery, 93, { prompt: 'axe sample' });
  await page.reload(); // the Library lists items added behind its back after a reload
  const found: string[] = [];
  const audit = async (screen: string) => {
    for (const v of await seriousViolations(page)) found.push(`${screen}: ${v}`);
  };
  await byTestId('nav-generate').click();
  await audit('generate');
  await byTestId('nav-library').click();
  await page.locator(`[data-testid="grid-item-${itemId}"]`).click();
  await byTestId('detail-panel').waitFor();
  await audit('library');
  await byTestId('infill-button').click();
  await byTestId('mask-canvas').waitFor();
  await audit('infill');
  await byTestId('nav-caption').click();
  await audit('caption');
  await byTestId('nav-models').click();
  await page.getByTestId('metrics-table').first().waitFor();
  await audit('models');
  assert.deepEqual(found, []);
});

test('Escape closes the details panel, but not while typing in it', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await addSampleGeneration(studio.web.gallery, 94, { prompt: 'escape sample' });
  await byTestId('nav-library').click();
  const item = page.locator('[data-testid^="grid-item-"]').first();
  await item.click();
  await byTestId('detail-panel').waitFor();
  await page
    .getByPlaceholder(/search/i)
    .first()
    .focus();
  await page.keyboard.press('Escape');
  assert.equal(await byTestId('detail-panel').count(), 1, 'typing: kept open');
  await item.click();
  await page.keyboard.press('Escape');
  await byTestId('detail-panel').waitFor({ state: 'detached' });
  assert.equal(new URL(page.url()).hash, '#/library');
});

test('a batch is one row in the queue, expandable to its images', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-generate').click();
  await byTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  await byTestId('prompt-input').fill('green apple');
  await byTestId('count-input').fill('6');
  await byTestId('generate-button').click();
  const queue = byTestId('queue-panel');
  const batch = queue.getByTestId('queue-batch').filter({ hasText: 'green apple' });
  await batch.getByText('6 of 6 done').waitFor({ timeout: 120_000 });
  assert.equal(await batch.count(), 1, 'one row for the batch');
  assert.equal(await batch.locator('[data-testid^="job-"]').count(), 0, 'collapsed at first');
  await batch.getByTestId('batch-toggle').click();
  assert.equal(await batch.locator('li[data-testid^="job-"]').count(), 6);
  await studio.shot('queue-batch');
});

test('the infill canvas draws the region around the mask the model will work on, as the job records it', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const photo = await photoLike();
  const file = join(studio.home, 'region-photo.png');
  writeFileSync(file, photo.png);
  await byTestId('nav-infill').click();
  await byTestId('infill-file-input').setInputFiles(file);
  await byTestId('infill-source').getByText('region-photo.png').waitFor();
  const canvas = byTestId('mask-canvas');
  const box = (await canvas.boundingBox())!;
  const stroke = async (from: [number, number], to: [number, number]) => {
    await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
    await page.mouse.up();
  };
  const overlay = byTestId('working-region');
  const regionShown = async () =>
    ((await overlay.getAttribute('data-region')) ?? '').split(',').map(Number);
  assert.equal(await overlay.count(), 0, 'nothing painted: no region');
  await stroke([0.45, 0.5], [0.5, 0.5]);
  await overlay.waitFor();
  const small = await regionShown();
  // Painted further out, the region follows the mask as it grows.
  await stroke([0.5, 0.5], [0.7, 0.55]);
  await page.waitForFunction(
    (before) =>
      document.querySelector('[data-testid="working-region"]')?.getAttribute('data-region') !==
      before,
    small.join(','),
  );
  const [x, y, width, height] = await regionShown();
  assert.ok(width! > small[2]!, `${width} > ${small[2]}`);
  // Drawn where those photo pixels are on the canvas (the photo fitted inside it, centred).
  const side = Math.max(photo.width, photo.height);
  const scale = box.width / side;
  const drawn = (await overlay.boundingBox())!;
  const expected = {
    x: box.x + (x! + (side - photo.width) / 2) * scale,
    y: box.y + (y! + (side - photo.height) / 2) * scale,
    width: width! * scale,
    height: height! * scale,
  };
  for (const k of ['x', 'y', 'width', 'height'] as const)
    assert.ok(Math.abs(drawn[k] - expected[k]) < 1.5, `${k}: ${drawn[k]} vs ${expected[k]}`);
  await studio.shot('infill-working-region');

  await byTestId('infill-prompt').fill('red heart');
  await byTestId('infill-submit').click();
  await byTestId('infill-staging').getByTestId('staging-accept').waitFor({ timeout: 120_000 });
  const jobs = await studio.web.service.handlers['jobs:list']({});
  const job = jobs
    .filter((j) => j.kind === 'infill' && j.status === 'completed')
    .reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
  assert.deepEqual(job.details?.region, { x, y, width, height }, 'the region the job worked on');
  await byTestId('staging-accept').click();
});

test('caption results show each photo beside its caption, and axe-core finds nothing serious there', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const folder = join(studio.home, 'thumb-photos');
  mkdirSync(folder, { recursive: true });
  const photos: Record<string, string> = {};
  for (const [name, width, height] of [
    ['wide.png', 451, 300],
    ['tall.png', 200, 333],
    ['tiny.png', 24, 24],
  ] as const) {
    const { png } = await photoLike(width, height);
    writeFileSync(join(folder, name), png);
    photos[name] = createHash('sha256').update(png).digest('hex');
  }
  writeFileSync(join(folder, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2]));
  await byTestId('nav-caption').click();
  await byTestId('caption-folder-input').fill(folder);
  await byTestId('caption-start').click();
  await byTestId('caption-progress')
    .filter({ hasText: '4 / 4 files' })
    .waitFor({ timeout: 120_000 });
  const list = byTestId('caption-file-list');
  for (const [name, sha] of Object.entries(photos)) {
    const row = list.locator('.file-row').filter({ hasText: name });
    const img = row.getByTestId('file-thumb').locator('img');
    await img.waitFor();
    assert.match((await img.getAttribute('src')) ?? '', new RegExp(sha));
    await page.waitForFunction(
      (el) => el !== null && (el as HTMLImageElement).complete,
      await img.elementHandle(),
    );
    assert.ok(
      await img.evaluate((el: HTMLImageElement) => el.naturalWidth > 0),
      `${name}: its thumbnail loads`,
    );
  }
  const broken = list.locator('.file-row').filter({ hasText: 'broken.jpg' });
  assert.equal(await broken.getByTestId('file-thumb').locator('img').count(), 0, 'no photo');
  await studio.shot('caption-thumbnails');
  assert.deepEqual(await seriousViolations(page), []);
  // And the Library with those photos in it.
  await page.reload(); // the Library lists items added behind its back after a reload
  await byTestId('nav-library').click();
  await page.locator('[data-testid^="grid-item-"]').first().waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'the Library with photos');
});

test('an item imported from ComfyUI or AUTOMATIC1111 shows its tool, seed, sampler, steps and workflow in the details', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  const rgb = new Uint8Array(48 * 48 * 3).fill(180);
  const graph = {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 8675309,
        steps: 28,
        cfg: 6.5,
        sampler_name: 'dpmpp_2m',
        scheduler: 'karras',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
      },
    },
    '4': {
      class_type: 'CheckpointLoaderSimple',
      inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  };
  const workflow = { last_node_id: 7, nodes: [{ id: 3, type: 'KSampler' }] };
  const infotext =
    'a red fox in snow\nNegative prompt: ugly\nSteps: 30, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 48x48, Model: v1-5';
  const files = {
    'comfy.png': encodePng(rgb, 48, 48, {
      text: { prompt: JSON.stringify(graph), workflow: JSON.stringify(workflow) },
    }),
    'a1111.png': encodePng(
      rgb.map((v, i) => (i % 3 === 0 ? 90 : v)),
      48,
      48,
      {
        text: { parameters: infotext },
      },
    ),
  };
  const ids: Record<string, number> = {};
  for (const [name, png] of Object.entries(files)) {
    const r = await studio.web.service.handlers['gallery:importUpload']({
      name,
      dataBase64: png.toString('base64'),
    });
    assert.equal(r.status, 'imported', `${name}: ${r.message}`);
    ids[name] = r.assetId!;
  }
  const rowsOf = async () =>
    Object.fromEntries(
      await byTestId('foreign-settings')
        .locator('tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.querySelector('th')!.textContent,
            tr.querySelector('td')!.textContent,
          ]),
        ),
    ) as Record<string, string>;

  await page.reload(); // the Library lists items added behind its back after a reload
  await byTestId('nav-library').click();
  await page.locator(`[data-testid="grid-item-${ids['comfy.png']}"]`).click();
  await byTestId('foreign-settings').waitFor();
  const comfy = await rowsOf();
  assert.deepEqual(
    [
      comfy['Made with'],
      comfy.Prompt,
      comfy['Negative prompt'],
      comfy.Seed,
      comfy.Sampler,
      comfy.Steps,
    ],
    ['ComfyUI', 'a lighthouse at dusk', 'blurry', '8675309', 'dpmpp_2m', '28'],
  );
  assert.equal(comfy.Model, 'sd_xl_base_1.0.safetensors');
  const sources = byTestId('detail-panel').getByTestId('foreign-source');
  assert.deepEqual(
    await sources
      .locator('summary')
      .evaluateAll((s) => s.map((e) => e.firstChild!.textContent!.trim())),
    ['ComfyUI workflow', 'ComfyUI prompt graph'],
  );
  await sources.first().locator('summary').click();
  await sources.first().locator('pre').getByText('"last_node_id": 7').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await studio.shot('detail-imported-comfyui');

  await page.locator(`[data-testid="grid-item-${ids['a1111.png']}"]`).click();
  await byTestId('detail-panel').getByText('a red fox in snow').first().waitFor();
  const a1111 = await rowsOf();
  assert.deepEqual(
    [a1111['Made with'], a1111.Seed, a1111.Sampler, a1111.Steps, a1111['CFG scale']],
    ['AUTOMATIC1111 (or a tool writing its parameters)', '42', 'Euler a', '30', '7'],
  );
  await sources.first().locator('summary').click();
  assert.equal(await sources.first().locator('pre').textContent(), infotext);
});
