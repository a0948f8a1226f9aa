/**
 * A transfusion folder that cannot be used is named with what to do: a graph missing or swapped
 * for another (its hash updated, so only the I/O check can tell), a manifest without its
 * schedule, and weights that turn NaN mid-sampling. The original folder is never touched.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { transfusion } from './index.ts';
import { SMOKE_DIR } from './testing/test-model.ts';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of the smoke export with `change` applied; the manifest's hashes follow the files. */
function copyWith(change: (dir: string, manifest: Json) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-transfusion-'));
  made.push(dir);
  cpSync(SMOKE_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Json;
  change(dir, manifest);
  for (const g of Object.values(manifest.graphs as Record<string, Json>)) {
    try {
      const bytes = readFileSync(join(dir, g.file as string));
      g.sha256 = createHash('sha256').update(bytes).digest('hex');
      g.bytes = bytes.length;
    } catch {
      // a deleted file keeps its old entry
    }
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const load = (dir: string) => transfusion.load(dir, { provider: 'cpu', threads: 1 });

test('a missing graph file is named', async () => {
  const dir = copyWith((d) => rmSync(join(d, 'patch_in.onnx')));
  await assert.rejects(
    load(dir),
    /patch_in\.onnx is missing from .*: re-copy or re-export the model/,
  );
});

test('a graph swapped for another role is named by what it lacks', async () => {
  const dir = copyWith((d) => cpSync(join(d, 'lm_head.onnx'), join(d, 'patch_out.onnx')));
  await assert.rejects(
    load(dir),
    /patch_out\.onnx in .* is not a transfusion patch_out graph \(it lacks prediction\): re-export/,
  );
});

test('a manifest without its noise schedule is refused before any graph loads', async () => {
  const dir = copyWith((_, m) => delete m.diffusion.alphasBar);
  await assert.rejects(load(dir), /the noise schedule is missing or damaged.*re-export/);
});

test('NaN outputs while sampling stop the job with a clear error', async () => {
  // fp16 0xFFFF is NaN: the middle of patch_out's weights, overwritten.
  const dir = copyWith((d) => {
    const path = join(d, 'patch_out.onnx');
    const bytes = readFileSync(path);
    bytes.fill(0xff, 1500, 1700);
    writeFileSync(path, bytes);
  });
  const model = await load(dir);
  try {
    const control = { stop: null };
    await assert.rejects(
      model.generate(
        {
          task: 'generate',
          modelDir: dir,
          provider: 'cpu',
          threads: 1,
          prompt: 'red heart',
          negativePrompt: '',
          style: null,
          seed: 1,
          imageIndex: 0,
          sampling: { cfgScale: 3, temperature: 1, topK: 0, topP: 1, cdk: null },
          resumeFrom: null,
        },
        control,
        () => {},
      ),
      /NaN or infinite values at network call 1: .*re-export or re-download the model/,
    );
  } finally {
    await model.release();
  }
});
