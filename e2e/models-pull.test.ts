/**
 * "Add a model" in Chromium against web mode: the dialog pulls a model from a hub on 127.0.0.1
 * (HF_ENDPOINT, as the hub's own clients read it) that sends it slowly enough for the bar to
 * show bytes, speed and time left; the pulled model then shows in the list. The supported
 * public checkpoints are listed with their licence and sizes.
 *
 * The repository is the shipped model's folder, with no embedded models installed, so this
 * test needs no Python build; pulls of the tiny Janus-Pro model in the published layout are
 * tested in app/models/pull/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestHub, type TestHub } from '../app/models/pull/testing/hub-server.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../app/models/installed.ts';
import { openStudio, type Studio } from './harness.ts';

const REPO = 'tessera-test/vq-ar-emoji32';
const work = mkdtempSync(join(tmpdir(), 'tessera-e2e-pull-'));
const endpointBefore = process.env.HF_ENDPOINT;
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;
let modelId: string;
let hub: TestHub;
let opened: Studio | undefined;

before(async () => {
  const shipped = await resolveModel(join(work, 'home'), DEFAULT_MODEL_ID);
  modelId = shipped.manifest.id;
  hub = await startTestHub({ [REPO]: shipped.dir });
  hub.pace({ chunkBytes: 256 * 1024, pauseMs: 20 });
  process.env.HF_ENDPOINT = hub.url;
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
  opened = await openStudio();
});
after(async () => {
  await opened?.close();
  await hub.close();
  if (endpointBefore === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = endpointBefore;
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  rmSync(work, { recursive: true, force: true });
});

test('the Add a model dialog pulls a repository with progress, and the model is listed', async () => {
  const studio = opened!;
  const byTestId = (id: string) => studio.page.getByTestId(id);
  await byTestId('nav-models').click();
  await byTestId('add-model-open').click();
  const dialog = byTestId('add-model-dialog');
  await dialog.waitFor();
  await byTestId('checkpoint-Janus-Pro-1B').waitFor();
  assert.match(await byTestId('checkpoint-Janus-Pro-1B').innerText(), /MIT[\s\S]*fp32 [\d.]+ GB/);

  await byTestId('pull-repo').fill(REPO);
  await byTestId('pull-submit').click();
  const line = byTestId('pull-progress-text');
  await studio.page.waitForFunction(
    () =>
      /of [\d.]+ MB · [\d.]+ (KB|MB)\/s · ETA/.test(
        document.querySelector('[data-testid="pull-progress-text"]')?.textContent ?? '',
      ),
    undefined,
    { timeout: 60_000 },
  );
  assert.match(await line.innerText(), /^[\d.]+ (B|KB|MB) of [\d.]+ MB/);
  assert.ok(
    Number(await studio.page.getByRole('progressbar').first().getAttribute('aria-valuenow')) >= 0,
  );
  await studio.shot('models-add-pull');
  await byTestId('pull-done').waitFor({ timeout: 300_000 });
  assert.match(await byTestId('pull-done').innerText(), new RegExp(`Installed[\\s\\S]*${modelId}`));
  await studio.page.keyboard.press('Escape');
  await byTestId(`model-${modelId}`).waitFor({ timeout: 30_000 });
});
