/**
 * The persistent queue with the real embedded model and a real library: results land in the
 * library once, a paused job resumes to the same bytes, and a job whose process is killed
 * mid-way is picked up as interrupted and finishes exactly as an uninterrupted run would.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { samplingOf } from '../common/inference-contract.ts';
import {
  imageCheckpointSchema,
  type GenerateJob,
  type QueueEvent,
} from '../common/queue-contract.ts';
import { openGallery, type JobRow } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { spawnNodeHost } from '../inference/transport-node.ts';
import type { HostSpawner } from '../inference/transport-types.ts';
import { DEFAULT_MODEL_ID, resolveModel } from '../models/installed.ts';
import { JobRunner } from './runner.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-jobs-'));
const client = new InferenceClient();
after(async () => {
  await client.close();
  rmSync(work, { recursive: true, force: true });
});

const model = await resolveModel(work, undefined);
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

/**
 * A real inference process that the test can freeze, and a hook that runs as each job is sent
 * to it. A pause sent while it is frozen is already waiting behind the job when it wakes, so
 * the job stops at its first safe point however fast the machine is.
 */
function heldInference(onRunSent: () => void) {
  const spawn: HostSpawner = () => {
    const host = spawnNodeHost();
    return {
      get pid() {
        return host.pid;
      },
      send: (message) => {
        host.send(message);
        if (message.type === 'run') onRunSent();
      },
      onMessage: (handler) => host.onMessage(handler),
      onError: (handler) => host.onError(handler),
      onExit: (handler) => host.onExit(handler),
      stderrTail: () => host.stderrTail(),
      close: () => host.close(),
    };
  };
  const held = new InferenceClient(spawn);
  return {
    client: held,
    freeze: () => process.kill(held.pid!, 'SIGSTOP'),
    thaw: () => process.kill(held.pid!, 'SIGCONT'),
  };
}

test('pausing mid-image and resuming gives the bytes of an uninterrupted run', async () => {
  const plain = runnerFor(join(work, 'plain'));
  const reference = plain.gallery.jobs.submit({
    kind: 'generate',
    modelId: DEFAULT_MODEL_ID,
    request: request({ seed: 11 }),
  });
  await plain.runner.drain();
  const expected = imageOf(plain.gallery, reference.id);
  const [referenceId] = (plain.gallery.jobs.get(reference.id)!.result as { assetIds: number[] })
    .assetIds;
  const steps = plain.gallery.getItem(referenceId!)!.generation!.codes.length;
  plain.gallery.close();

  let job = '';
  let paused = false;
  const inference = heldInference(() => {
    if (paused) return; // the resumed run goes on to the end
    paused = true;
    runner.request(job, 'pause');
    inference.thaw();
  });
  const gallery = openGallery(join(work, 'paused'));
  const runner = new JobRunner({
    gallery,
    client: inference.client,
    resolveModel: (id) => resolveModel(work, id),
  });
  try {
    await inference.client.providers(); // starts the process
    inference.freeze();
    job = gallery.jobs.submit({
      kind: 'generate',
      modelId: DEFAULT_MODEL_ID,
      request: request({ seed: 11 }),
    }).id;
    await runner.drain();
    const row = gallery.jobs.get(job)!;
    assert.equal(row.status, 'paused');
    const kept = imageCheckpointSchema.parse(row.checkpoint).partial?.state.codes.length ?? 0;
    assert.ok(kept > 0 && kept < steps, `the pause landed mid-image (${kept} of ${steps} codes)`);
    gallery.jobs.resume(job);
    await runner.drain();
    assert.deepEqual(imageOf(gallery, job), expected);
  } finally {
    gallery.close();
    await inference.client.close();
  }
});

/**
 * After every write to the library in `dir` (an fs.watch event on the database or its log),
 * freezes the process group `pid` and reads its first job: when `killAt` returns a value for
 * it, the group is killed (the CLI and its inference process, like a power cut) while still
 * frozen, so that value is exactly the state it died in; otherwise the group carries on.
 * Resolves with that value, or null if the group exited first.
 */
function killWhen<T>(
  dir: string,
  pid: number,
  exited: Promise<void>,
  killAt: (row: JobRow) => T | null,
): Promise<T | null> {
  return new Promise((resolve) => {
    const watcher = watch(dir);
    const finish = (value: T | null) => {
      watcher.close();
      resolve(value);
    };
    void exited.then(() => finish(null));
    watcher.on('change', () => {
      try {
        process.kill(-pid, 'SIGSTOP');
      } catch {
        return; // the group has exited
      }
      let value: T | null = null;
      try {
        const g = openGallery(dir);
        const row = g.jobs.list()[0];
        g.close();
        value = row === undefined ? null : killAt(row);
      } catch {
        // frozen while it was still creating the library: look again after its next write
      }
      if (value === null) {
        process.kill(-pid, 'SIGCONT');
        return;
      }
      process.kill(-pid, 'SIGKILL');
      finish(value);
    });
  });
}

test('a job whose process is killed resumes as interrupted and finishes identically', async () => {
  // Best of 6: long enough to kill the process after its first candidate is checkpointed.
  const args = ['--prompt', 'sun', '--seed', '5', '--best-of', '6', '--threads', '1', '--json'];
  const plainHome = join(work, 'home-plain');
  const plain = spawn(process.execPath, [TESSERA_CLI, 'generate', ...args, '--home', plainHome]);
  await new Promise((resolve) => plain.once('exit', resolve));
  const plainLib = openGallery(join(plainHome, 'library'));
  const expected = imageOf(plainLib, plainLib.jobs.list()[0]!.id);
  plainLib.close();

  const home = join(work, 'home-killed');
  const library = join(home, 'library');
  mkdirSync(library, { recursive: true });
  const child = spawn(process.execPath, [TESSERA_CLI, 'generate', ...args, '--home', home], {
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killedAt = await killWhen(library, child.pid!, exited, (row) => {
    const cp = imageCheckpointSchema.nullable().parse(row.checkpoint ?? null);
    return row.status === 'running' && (cp?.candidates.length ?? 0) >= 1 ? cp : null;
  });
  assert.ok(killedAt !== null, 'the job finished before a candidate was checkpointed mid-way');
  assert.ok(killedAt.candidates.length < 6, 'the job was killed before its last candidate');
  await exited;
  const { gallery, runner } = runnerFor(library);
  try {
    const row = gallery.jobs.list()[0]!;
    assert.equal(row.status, 'interrupted');
    assert.deepEqual(
      imageCheckpointSchema.parse(row.checkpoint),
      killedAt,
      'the library holds the state it was killed in',
    );
    await runner.drain();
    assert.deepEqual(imageOf(gallery, row.id), expected);
    assert.equal(gallery.query({}).items.length, 1, 'nothing stored twice');
    assert.equal(gallery.integrityCheck(), 'ok');
  } finally {
    gallery.close();
  }
});
