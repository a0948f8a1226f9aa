/**
 * A janus-pro folder that cannot run is refused at load with what is wrong and what to do: a
 * graph that is not the one its role needs (by its inputs and outputs), a manifest without
 * Janus's prompt layouts, and one whose image grid disagrees with its layout and decoder.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { ModelLoadError } from '../types.ts';
import { JanusModel } from './model.ts';
import { tinyJanusDir } from './testing/tiny-model.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-janus-load-'));
after(() => rmSync(work, { recursive: true, force: true }));

function copyWith(name: string, change: (m: ModelManifest) => void): string {
  const dir = join(work, name);
  cpSync(tinyJanusDir(), dir, { recursive: true });
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
  change(manifest);
  writeFileSync(path, JSON.stringify(manifest));
  return dir;
}

async function refused(dir: string, message: RegExp): Promise<void> {
  await assert.rejects(JanusModel.load(dir), (err: unknown) => {
    assert.ok(err instanceof ModelLoadError, String(err));
    assert.match(err.message, message);
    assert.match(err.message, /tessera_models\.janus\.export/);
    return true;
  });
}

test('a graph in the wrong role is named with the inputs it lacks', async () => {
  const dir = copyWith('swapped', (m) => {
    m.graphs.gen_img_embeds = { ...m.graphs.prepare_inputs_embeds! };
  });
  await refused(
    dir,
    /onnx\/prepare_inputs_embeds\.onnx .* not the gen_img_embeds graph .* lacks image_ids/,
  );
});

test('a manifest without the Janus prompt layouts is refused', async () => {
  const dir = copyWith('no-layouts', (m) => {
    delete m.layouts.generate;
  });
  await refused(dir, /no usable Janus layouts \(layouts\.generate/);
});

test('an image grid that disagrees with the layout and image_decode is refused', async () => {
  const dir = copyWith('grid', (m) => {
    m.vq!.grid = 5;
  });
  await refused(dir, /disagrees on the image grid \(vq\.grid 5, 36 codes/);
});
