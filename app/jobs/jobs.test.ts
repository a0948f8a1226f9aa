/**
 * The persistent queue with the real embedded model and a real library: results land in the
 * library once, a paused job resumes to the same bytes, and a job whose process is killed
 * mid-way is picked up as interrupted and finishes exactly as an uninterrupted run would.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { samplingOf } from '../common/inference-contract.ts';
import type { GenerateJob, QueueEvent } from '../common/queue-contract.ts';
import { openGallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../models/installed.ts';
import { JobRunner } from './runner.ts';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'tessera-jobs-'));
const client = new InferenceClient();
after(async () => {
  await client.close();
  rmSync(work, { recursive: true, force: true });
});

const model = resolveModel(work, undefined);
const request = (over: Partial<GenerateJob> = {}): GenerateJob => ({
  kind: 'generate',
  modelId: DEFAULT_MODEL_ID,
  provider: 'cpu',
  threads: 1,
  prompt: 'red heart',
  negativePrompt: '',
  style: 'twemoji',
  seed: 7,
  imageIndex: 0,
  bestOf: 1,
  sampling: {
    ...samplingOf(model.manifest.sampling.defaults),
    cdk: model.manifest.sampling.defaults.cdk,
  },
  boardId: null,
  ...over,
});

function runnerFor(dir: string, onEvent?: (e: QueueEvent) => void) {
  const gallery = openGallery(dir);
  const runner = new JobRunner({
    gallery,
    client,
    resolveModel: (id) => resolveModel(work, id),
    onEvent,
  });
  return { gallery, runner };
}

function imageOf(gallery: ReturnType<typeof openGallery>, jobId: string): Buffer {
  const job = gallery.jobs.get(jobId)!;
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const [assetId] = (job.result as { assetIds: number[] }).assetIds;
  return readFileSync(gallery.getItem(assetId!)!.filePath!);
}

test('a generation lands in the library once, with its recipe and token record', async () => {
  const { gallery, runner } = runnerFor(join(work, 'once'));
  try {
    const first = gallery.jobs.submit({
      kind: 'generate',
      modelId: DEFAULT_MODEL_ID,
      request: request(),
    });
    const second = gallery.jobs.submit({
      kind: 'generate',
      modelId: DEFAULT_MODEL_ID,
      request: request(),
    });
    const ran = await runner.drain();
    assert.deepEqual(
      ran.map((j) => j.status),
      ['completed', 'completed'],
    );
    const ids = ran.map((j) => (j.result as { assetIds: number[] }).assetIds[0]);
    assert.equal(ids[0], ids[1], 'the same recipe gives the same bytes: stored once');
    const item = gallery.getItem(ids[0]!)!;
    assert.equal(item.generation!.recipe.prompt, 'red heart');
    assert.equal(item.generation!.recipe.seed, 7);
    assert.equal(item.generation!.codes.length, item.generation!.recipe.steps);
    assert.equal(gallery.query({}).items.length, 1);
    assert.equal(gallery.jobs.get(first.id)!.done, gallery.jobs.get(first.id)!.total);
    assert.ok(gallery.jobs.get(second.id)!.finishedAt !== null);
  } finally {
    gallery.close();
  }
});

test('pausing mid-image and resuming gives the bytes of an uninterrupted run', async () => {
  const plain = runnerFor(join(work, 'plain'));
  const reference = plain.gallery.jobs.submit({
    kind: 'generate',
    modelId: DEFAULT_MODEL_ID,
    request: request({ seed: 11 }),
  });
  await plain.runner.drain();
  const expected = imageOf(plain.gallery, reference.id);
  plain.gallery.close();

  let job = '';
  let paused = false;
  const { gallery, runner } = runnerFor(join(work, 'paused'), (e) => {
    // Progress events are throttled, so on a fast machine the first one may be the only one
    // before the end: ask at the first, which leaves most of the image for the pause to land.
    if (e.type === 'progress' && !paused && e.done > 0 && e.done < e.total) {
      paused = true;
      runner.request(job, 'pause');
    }
  });
  try {
    job = gallery.jobs.submit({
      kind: 'generate',
      modelId: DEFAULT_MODEL_ID,
      request: request({ seed: 11 }),
    }).id;
    await runner.drain();
    const row = gallery.jobs.get(job)!;
    assert.equal(row.status, 'paused');
    assert.ok(row.checkpoint !== null, 'a paused job keeps its tokens');
    gallery.jobs.resume(job);
    await runner.drain();
    assert.deepEqual(imageOf(gallery, job), expected);
  } finally {
    gallery.close();
  }
});

test('a job whose process is killed resumes as interrupted and finishes identically', async () => {
  // Best of 6: long enough to kill the process after its first candidate is checkpointed.
  const args = ['--prompt', 'sun', '--seed', '5', '--best-of', '6', '--threads', '1', '--json'];
  const plainHome = join(work, 'home-plain');
  const plain = spawn(process.execPath, [
    join(root, 'bin', 'tessera.mjs'),
    'generate',
    ...args,
    '--home',
    plainHome,
  ]);
  await new Promise((resolve) => plain.once('exit', resolve));
  const plainLib = openGallery(join(plainHome, 'library'));
  const expected = imageOf(plainLib, plainLib.jobs.list()[0]!.id);
  plainLib.close();

  const home = join(work, 'home-killed');
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'tessera.mjs'), 'generate', ...args, '--home', home],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  const library = join(home, 'library');
  let killed = false;
  for (let i = 0; i < 600 && !killed; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const g = openGallery(library);
      const row = g.jobs.list()[0];
      g.close();
      const cp = row?.checkpoint as { candidates?: unknown[] } | null | undefined;
      if (row?.status === 'running' && (cp?.candidates?.length ?? 0) >= 1) {
        process.kill(-child.pid!, 'SIGKILL'); // the CLI and its inference process, like a power cut
        killed = true;
      }
    } catch {
      // the library is still being created by the child
    }
  }
  assert.ok(killed, 'the job was killed mid-way');
  await new Promise((r) => setTimeout(r, 200));
  const { gallery, runner } = runnerFor(library);
  try {
    const row = gallery.jobs.list()[0]!;
    assert.equal(row.status, 'interrupted');
    await runner.drain();
    assert.deepEqual(imageOf(gallery, row.id), expected);
    assert.equal(gallery.query({}).items.length, 1, 'nothing stored twice');
    assert.equal(gallery.integrityCheck(), 'ok');
  } finally {
    gallery.close();
  }
});
