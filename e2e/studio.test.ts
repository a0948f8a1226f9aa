/**
 * The studio end to end in Chromium against web mode, with the real embedded model and a real
 * library: generate → live preview → the item is in the library → search finds it → infill it
 * → the lineage shows the parent → replay it to the same pixels; caption a folder → captions
 * are searchable and XMP sidecars written, and the per-file list survives a reload; infill a
 * file opened from disk without importing it; cancel a running job; choose a model's execution
 * provider and import a model folder; drag and drop (desktop files onto the Library, items onto
 * a board and onto Infill); a corrupt file gives a readable error; the token is required. Screenshots of each screen are kept in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { addSampleGeneration } from '../app/gallery/testing/sample-generation.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../app/models/installed.ts';
import type { JSHandle, Locator } from 'playwright-core';
import { openStudio, type Studio } from './harness.ts';

let studio: Studio;
before(async () => {
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

const byTestId = (id: string) => studio.page.getByTestId(id);

test('without the launch token nothing is served', async () => {
  const bare = studio.web.url.replace(/\?token=.*/, '');
  const context = await studio.browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(bare);
  assert.equal(response?.status(), 401);
  assert.match(await page.content(), /token/);
  await context.close();
});

test('generate with a live preview; the result lands in the library and search finds it', async () => {
  const { page } = studio;
  // Other pictures in the library first, so the search has to tell them apart.
  const others = await Promise.all(
    ['yellow face', 'blue star', 'green tree'].map((prompt, i) =>
      addSampleGeneration(studio.web.gallery, 40 + i, { prompt }),
    ),
  );
  await byTestId('nav-generate').click();
  await byTestId('prompt-input').fill('red heart');
  // Sampling starts at the default model's own defaults, best-of-N included.
  const manifest = JSON.parse(
    readFileSync(
      join((await resolveModel(studio.home, DEFAULT_MODEL_ID)).dir, 'manifest.json'),
      'utf8',
    ),
  ) as { sampling: { defaults: { topP: number; bestOf?: number } } };
  const { topP, bestOf = 1 } = manifest.sampling.defaults;
  assert.equal(await page.getByLabel('Best of N', { exact: true }).inputValue(), String(bestOf));
  assert.equal(await page.getByLabel('Top-p', { exact: true }).inputValue(), String(topP));
  await studio.shot('generate');
  await byTestId('generate-button').click();
  await byTestId('preview-canvas').waitFor({ state: 'visible', timeout: 30_000 });
  await page
    .getByTestId('queue-panel')
    .getByText(/completed|done/i)
    .first()
    .waitFor({ timeout: 60_000 });
  await studio.shot('generate-done');
  await byTestId('nav-library').click();
  const grid = page.locator('[data-testid^="grid-item-"]');
  const generated = studio.web.gallery.query({}).items.filter((i) => !others.includes(i.id));
  assert.equal(generated.length, 1, 'the library holds the generation and the three others');
  const heart = `grid-item-${generated[0]!.id}`;
  for (const id of others) await byTestId(`grid-item-${id}`).waitFor({ timeout: 15_000 });
  await byTestId('library-search').fill('heart');
  for (const id of others) await byTestId(`grid-item-${id}`).waitFor({ state: 'detached' });
  await byTestId(heart).waitFor();
  assert.deepEqual(
    await grid.evaluateAll((items) => items.map((e) => e.getAttribute('data-testid'))),
    [heart],
    'the search shows the red heart and nothing else',
  );
  const item = grid.first();
  await studio.shot('library');
  await item.click();
  await byTestId('detail-panel').getByText('red heart').first().waitFor();
  await studio.shot('library-detail');
});

test('infill a library item: the result records its parent', async () => {
  const { page } = studio;
  const parentTestId = await page
    .locator('[data-testid^="grid-item-"]')
    .first()
    .getAttribute('data-testid');
  const parentId = Number(parentTestId!.replace('grid-item-', ''));
  await byTestId('infill-button').click();
  const canvas = byTestId('mask-canvas');
  await canvas.waitFor();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 12 });
  await page.mouse.up();
  const prompt = page.getByLabel(/prompt/i).last();
  await prompt.fill('blue heart');
  await studio.shot('infill');
  await byTestId('infill-submit').click();
  // The staged result shows its lineage, with the image it came from as its parent.
  const staging = byTestId('infill-staging');
  await staging.getByTestId('staging-accept').waitFor({ timeout: 60_000 });
  await staging.getByTestId(`lineage-${parentId}`).waitFor();
  await studio.shot('infill-result');
  await staging.getByTestId('staging-lineage').click();
  await byTestId('detail-panel').getByTestId(`lineage-${parentId}`).waitFor();
  await studio.shot('lineage');
});

test('replay from the library: the same pixels again, linked to the original as a replay', async () => {
  const panel = byTestId('detail-panel');
  const sourceId = Number(await panel.getAttribute('data-item-id'));
  await panel.getByTestId('replay-button').click();
  const result = panel.getByTestId('replay-result');
  await result.waitFor({ timeout: 60_000 });
  assert.match((await result.textContent()) ?? '', /byte for byte/);
  await studio.shot('replay');
  const link = result.locator('[data-testid^="item-link-"]');
  const replayId = Number((await link.getAttribute('data-testid'))!.replace('item-link-', ''));
  const source = studio.web.gallery.getItem(sourceId)!;
  const replay = studio.web.gallery.getItem(replayId)!;
  assert.notEqual(replayId, sourceId);
  assert.deepEqual(
    replay.parents.map((p) => [p.id, p.op]),
    [[sourceId, 'replay']],
  );
  const raw = (path: string) => sharp(path).raw().toBuffer();
  assert.deepEqual(await raw(replay.filePath!), await raw(source.filePath!));
  await link.click();
  await panel.getByTestId(`lineage-${replayId}`).getByText(`replay of #${sourceId}`).waitFor();
  await panel.getByTestId(`lineage-${sourceId}`).waitFor();
});

test('caption a folder: per-file status, searchable captions, XMP sidecars, readable errors', async () => {
  const { page } = studio;
  const folder = join(studio.home, 'photos');
  mkdirSync(folder, { recursive: true });
  for (const [name, color] of [
    ['sunny.png', '#ffcc00'],
    ['leaf.jpg', '#33aa33'],
    ['sky.png', '#3388ff'],
  ] as const)
    await sharp({ create: { width: 64, height: 64, channels: 3, background: color } }).toFile(
      join(folder, name),
    );
  writeFileSync(join(folder, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  await byTestId('nav-caption').click();
  await byTestId('caption-folder-input').fill(folder);
  await page.getByLabel(/xmp/i).check();
  await byTestId('caption-start').click();
  const list = byTestId('caption-file-list');
  // Files are captioned in name order, so wait for the whole folder rather than any one name.
  await byTestId('caption-progress')
    .filter({ hasText: '4 / 4 files' })
    .waitFor({ timeout: 90_000 });
  for (const name of ['sunny.png', 'leaf.jpg', 'sky.png']) await list.getByText(name).waitFor();
  await list.getByText(/broken\.jpg/).waitFor();
  await list
    .getByText(/not a readable image|damaged|truncated|premature/i)
    .first()
    .waitFor();
  await studio.shot('caption');
  for (const name of ['sunny.png', 'leaf.jpg', 'sky.png'])
    assert.ok(existsSync(join(folder, `${name}.xmp`)), `${name} has its XMP sidecar`);
  const item = studio.web.gallery.query({ kind: 'photo' }).items[0]!;
  const caption = studio.web.gallery.getItem(item.id)!.captions[0]!.text;
  await byTestId('nav-library').click();
  await byTestId('library-search').fill(caption.split(' ')[0]!);
  await page.locator(`[data-testid="grid-item-${item.id}"]`).waitFor({ timeout: 15_000 });
});

test("a caption job's per-file list is still there after a reload", async () => {
  const { page } = studio;
  await page.reload();
  await byTestId('nav-caption').click();
  const list = byTestId('caption-file-list');
  await page.locator('[data-testid="caption-file-list"][data-count="4"]').waitFor();
  for (const name of ['sunny.png', 'leaf.jpg', 'sky.png']) await list.getByText(name).waitFor();
  await list.getByText(/broken\.jpg/).waitFor();
  await list
    .getByText(/not a readable image|damaged|truncated|premature/i)
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Failed 1' }).click();
  await page.locator('[data-testid="caption-file-list"][data-count="1"]').waitFor();
  await list.getByText(/broken\.jpg/).waitFor();
  await studio.shot('caption-after-reload');
});

test('infill an image file opened from disk: only the result goes into the library', async () => {
  const { page } = studio;
  const file = join(studio.home, 'outside', 'tulip.png');
  mkdirSync(join(studio.home, 'outside'), { recursive: true });
  await sharp({ create: { width: 40, height: 40, channels: 3, background: '#ee3377' } })
    .png()
    .toFile(file);
  const fileSha = createHash('sha256').update(readFileSync(file)).digest('hex');
  const before = studio.web.gallery.count({});
  await byTestId('nav-infill').click();
  await byTestId('infill-file-input').setInputFiles(file);
  await byTestId('infill-source').getByText('tulip.png').waitFor();
  const canvas = byTestId('mask-canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 10 });
  await page.mouse.up();
  await byTestId('infill-prompt').fill('red heart');
  await studio.shot('infill-file');
  await byTestId('infill-submit').click();
  const staging = byTestId('infill-staging');
  await staging.getByTestId('staging-accept').waitFor({ timeout: 60_000 });
  assert.equal(studio.web.gallery.count({}), before + 1, 'only the result was added');
  assert.equal(studio.web.gallery.findBySha(fileSha), null, 'the file itself was not imported');
  const [newest] = studio.web.gallery.query({ task: 'infill' }).items;
  const result = studio.web.gallery.getItem(newest!.id)!;
  assert.equal(result.generation!.recipe.parent!.sha256, fileSha);
  await staging.getByTestId('staging-lineage').click();
  await byTestId('detail-panel').getByTestId('lineage-external').waitFor();
});

test('a running job can be cancelled from the queue', async () => {
  const { page } = studio;
  await byTestId('nav-generate').click();
  await byTestId('prompt-input').fill('glowing star');
  const count = page.getByLabel(/count/i).first();
  await count.fill('12');
  await byTestId('generate-button').click();
  // The 12 images are one batch: one row, whose Cancel stops what is left of it.
  const cancel = page.getByTestId('queue-panel').getByTestId('batch-cancel').first();
  await cancel.waitFor({ timeout: 30_000 });
  await cancel.click();
  await page
    .getByTestId('queue-panel')
    .getByText(/cancelled/i)
    .first()
    .waitFor({ timeout: 30_000 });
  await studio.shot('queue');
});

test('the models screen shows the embedded default and its metrics', async () => {
  await byTestId('nav-models').click();
  await studio.page.getByText(DEFAULT_MODEL_ID).first().waitFor();
  await studio.shot('models');
});

test("a model's execution provider is chosen on the Models screen, kept, and asked for by new jobs", async () => {
  const { page } = studio;
  const listed = await studio.web.service.handlers['models:providers']({});
  // One the build lists but may not be able to start here (CUDA without its libraries), else
  // any other than the CPU.
  const choice =
    listed.providers.find((p) => !p.bundled) ?? listed.providers.find((p) => p.name !== 'cpu')!;
  const id = DEFAULT_MODEL_ID;
  await byTestId('nav-models').click();
  const select = byTestId(`provider-${id}`);
  await page.locator(`[data-testid="provider-${id}"]:not([disabled])`).waitFor();
  await select.selectOption(choice.name);
  if (!choice.bundled)
    await byTestId(`provider-notice-${id}`)
      .getByText(/loads its libraries/)
      .waitFor();
  await studio.shot('models-provider');
  await page.reload();
  await byTestId('nav-models').click();
  assert.equal(await byTestId(`provider-${id}`).inputValue(), choice.name, 'kept');

  await byTestId('nav-generate').click();
  await byTestId('prompt-input').fill('green apple');
  await page.getByLabel(/count/i).first().fill('1');
  await byTestId('generate-button').click();
  const mine = () =>
    studio.web.gallery.jobs
      .list()
      .find((j) => (j.request as { prompt?: string }).prompt === 'green apple');
  const deadline = Date.now() + 120_000;
  while (mine()?.status !== 'completed' && Date.now() < deadline) await sleep(250);
  const job = mine()!;
  assert.equal(job.status, 'completed');
  assert.equal((job.request as { provider: string }).provider, choice.name);
  const [assetId] = (job.result as { assetIds: number[] }).assetIds;
  const ranOn = studio.web.gallery.getItem(assetId!)!.generation!.recipe.provider;
  // Where the provider could not start, the job ran on the CPU and the Generate screen says so.
  if (ranOn === 'cpu')
    await byTestId('generate-notice')
      .getByText(/running on the CPU instead/)
      .first()
      .waitFor();
  else assert.equal(ranOn, choice.name);
  await studio.web.service.handlers['models:setProvider']({ modelId: id, provider: 'cpu' });
});

test('import a model folder: a valid one is listed, a broken one is refused saying why', async () => {
  // The shipped model under another id, its decoder given a doc string (protobuf field 6 of
  // ModelProto), so it is a different, still valid, model.
  const folder = join(studio.home, 'downloads', 'emoji-copy');
  cpSync((await resolveModel(studio.home, DEFAULT_MODEL_ID)).dir, folder, { recursive: true });
  const note = Buffer.from('copy for the import test');
  const decoder = Buffer.concat([
    readFileSync(join(folder, 'decoder.onnx')),
    Buffer.from([0x32, note.length]),
    note,
  ]);
  writeFileSync(join(folder, 'decoder.onnx'), decoder);
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
  manifest.id = 'tessera/emoji-copy';
  manifest.name = 'Emoji copy';
  manifest.graphs.decoder.sha256 = createHash('sha256').update(decoder).digest('hex');
  manifest.graphs.decoder.bytes = decoder.length;
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2));

  await byTestId('nav-models').click();
  await byTestId('model-import-path').fill(folder);
  await byTestId('model-import-submit').click();
  const card = byTestId('model-tessera/emoji-copy');
  await card.getByText('Imported').waitFor({ timeout: 30_000 });
  await card.getByText('Ready').waitFor();
  await studio.shot('models-imported');

  const stray = join(studio.home, 'downloads', 'holiday');
  mkdirSync(stray, { recursive: true });
  await byTestId('model-import-path').fill(stray);
  await byTestId('model-import-submit').click();
  await byTestId('error-banner')
    .getByText(/has no manifest\.json/)
    .waitFor();
  assert.deepEqual(
    readdirSync(join(studio.home, 'models')),
    [`tessera--emoji-copy-${manifest.graphs.decoder.sha256.slice(0, 10)}`],
    'only the valid model was copied in',
  );
});

/** The page's DataTransfer (this file compiles without the DOM library). */
interface PageDataTransfer {
  items: { add(file: File): void };
}
declare const DataTransfer: new () => PageDataTransfer;

/** Drags `source` (a grid item: the page's own dragstart fills the transfer) onto `target`. */
async function dragItem(source: Locator, target: Locator): Promise<JSHandle<PageDataTransfer>> {
  const dataTransfer = await studio.page.evaluateHandle(() => new DataTransfer());
  await source.dispatchEvent('dragstart', { dataTransfer });
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  return dataTransfer;
}

test('drag and drop: desktop files onto the Library import them; items onto a board and onto Infill', async () => {
  const { page } = studio;
  const gallery = studio.web.gallery;
  // Two files from the desktop, one of them not an image.
  const png = await sharp({ create: { width: 24, height: 24, channels: 3, background: '#2255ee' } })
    .png()
    .toBuffer();
  const pngSha = createHash('sha256').update(png).digest('hex');
  await byTestId('nav-library').click();
  await byTestId('library-search').fill('');
  const files = await page.evaluateHandle(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list)
        dt.items.add(
          new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, {
            type: f.type,
          }),
        );
      return dt;
    },
    [
      { name: 'blue-square.png', type: 'image/png', b64: png.toString('base64') },
      { name: 'notes.txt', type: 'text/plain', b64: Buffer.from('milk, eggs').toString('base64') },
    ],
  );
  const drop = byTestId('library-drop');
  await drop.dispatchEvent('dragenter', { dataTransfer: files });
  await drop.dispatchEvent('dragover', { dataTransfer: files });
  await drop.dispatchEvent('drop', { dataTransfer: files });
  await page.getByText('Imported 1 file, 1 failed').waitFor({ timeout: 30_000 });
  await byTestId('error-banner')
    .getByText(/notes\.txt is not an image Tessera can read/)
    .waitFor();
  const droppedId = gallery.findBySha(pngSha);
  assert.ok(droppedId !== null, 'the dropped image is in the library');
  await byTestId(`grid-item-${droppedId}`).waitFor({ timeout: 15_000 });

  // An item dropped on a board in the sidebar joins it.
  const { id: boardId } = studio.web.service.handlers['boards:create']({ name: 'Blues' }) as {
    id: number;
  };
  await page.reload();
  await byTestId('nav-library').click();
  const item = byTestId(`grid-item-${droppedId}`);
  await item.waitFor({ timeout: 15_000 });
  const board = byTestId(`sidebar-board-${boardId}`);
  await board.dispatchEvent('drop', { dataTransfer: await dragItem(item, board) });
  await board.getByText('1', { exact: true }).waitFor();
  assert.deepEqual(
    gallery.getItem(droppedId)!.boards.map((b) => b.name),
    ['Blues'],
  );

  // An item dragged onto Infill: resting on its entry opens the screen, the drop lands on the
  // canvas of the image open there and opens the dragged one instead.
  const [first] = gallery.query({ kind: 'generation' }).items;
  await item.click();
  await byTestId('infill-button').click();
  await byTestId('mask-canvas').waitFor();
  await byTestId('nav-library').click();
  const other = byTestId(`grid-item-${first!.id}`);
  await other.waitFor();
  const carried = await dragItem(other, byTestId('nav-infill'));
  await byTestId('mask-canvas').waitFor({ timeout: 5_000 });
  await byTestId('mask-canvas').dispatchEvent('dragover', { dataTransfer: carried });
  await byTestId('mask-canvas').dispatchEvent('drop', { dataTransfer: carried });
  await byTestId('infill-source').getByText(`#${first!.id}`).waitFor();
  await studio.shot('infill-dropped');
});
