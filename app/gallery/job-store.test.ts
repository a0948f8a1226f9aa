import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GalleryError, openGallery, type Gallery, type JobKind } from './index.ts';
import { tempDir, tempGallery } from './testing/helpers.ts';
import { LATEST_SCHEMA_VERSION } from './migrations/index.ts';

const isCode = (code: string) => (err: unknown) => err instanceof GalleryError && err.code === code;
const submit = (gallery: Gallery, n: number, kind: JobKind = 'generate', front = false) =>
  gallery.jobs.submit({ kind, modelId: 'tessera/m', request: { n }, total: 64, front });
const order = (gallery: Gallery) => gallery.jobs.list().map((j) => (j.request as { n: number }).n);

test('a job runs, pauses with a checkpoint, resumes, is cancelled, retried and completed', () => {
  const { jobs } = tempGallery();
  const job = jobs.submit({
    kind: 'generate',
    modelId: 'tessera/m',
    request: { prompt: 'x' },
    batchId: 'b1',
    total: 64,
  });
  assert.equal(job.status, 'queued');
  assert.equal(job.batchId, 'b1');
  assert.deepEqual(job.request, { prompt: 'x' });

  const running = jobs.claimNext(111)!;
  assert.equal(running.id, job.id);
  assert.deepEqual([running.status, running.ownerPid, running.attempts], ['running', 111, 0]);
  assert.ok(running.startedAt !== null && running.heartbeatAt !== null);
  assert.equal(jobs.claimNext(222), null);
  assert.equal(jobs.claim(job.id, 222), null); // already running

  jobs.progress(job.id, 16, 64);
  jobs.checkpoint(job.id, { codes: [1, 2, 3] });
  assert.deepEqual(jobs.heartbeat(job.id, 111), { control: null });
  assert.throws(() => jobs.heartbeat(job.id, 222), isCode('invalid'));
  assert.equal(jobs.requestControl(job.id, 'pause').control, 'pause');
  assert.deepEqual(jobs.heartbeat(job.id, 111), { control: 'pause' });
  jobs.markPaused(job.id, null); // keeps the last checkpoint
  const paused = jobs.get(job.id)!;
  assert.deepEqual([paused.status, paused.ownerPid, paused.control], ['paused', null, null]);
  assert.deepEqual(paused.checkpoint, { codes: [1, 2, 3] });
  assert.equal(paused.done, 16);

  assert.equal(jobs.resume(job.id).status, 'queued');
  assert.equal(jobs.claim(job.id, 333)!.ownerPid, 333);
  jobs.requestControl(job.id, 'cancel');
  jobs.requestControl(job.id, 'pause'); // a pause never softens a pending cancel
  assert.deepEqual(jobs.heartbeat(job.id, 333), { control: 'cancel' });
  jobs.markCancelled(job.id);
  const cancelled = jobs.get(job.id)!;
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.finishedAt !== null);

  const retried = jobs.retry(job.id);
  assert.deepEqual(
    [retried.status, retried.attempts, retried.finishedAt, retried.checkpoint],
    ['queued', 1, null, { codes: [1, 2, 3] }],
  );
  jobs.claimNext(444);
  jobs.fail(job.id, { code: 'oom', message: 'out of memory: close other apps', retryable: true });
  assert.deepEqual(jobs.get(job.id)!.error, {
    code: 'oom',
    message: 'out of memory: close other apps',
    retryable: true,
  });
  assert.equal(jobs.retry(job.id).error, null);
  jobs.claimNext(444);
  jobs.complete(job.id, { assetIds: [7] });
  const done = jobs.get(job.id)!;
  assert.deepEqual(
    [done.status, done.result, done.ownerPid],
    ['completed', { assetIds: [7] }, null],
  );

  assert.throws(() => jobs.requestControl(job.id, 'cancel'), isCode('invalid'));
  assert.throws(() => jobs.retry(job.id), isCode('invalid'));
  assert.throws(() => jobs.resume(job.id), isCode('invalid'));
  assert.throws(() => jobs.complete(job.id, null), isCode('invalid'));
  assert.throws(() => jobs.get('nope') ?? jobs.progress('nope', 1, 2), isCode('not-found'));
});

test('queued jobs pause and cancel at once; kinds filter what a worker claims', () => {
  const gallery = tempGallery();
  const a = submit(gallery, 1);
  const b = submit(gallery, 2);
  const c = submit(gallery, 3, 'caption-folder');
  assert.equal(gallery.jobs.requestControl(a.id, 'pause').status, 'paused');
  assert.equal(gallery.jobs.requestControl(b.id, 'cancel').status, 'cancelled');
  assert.equal(gallery.jobs.requestControl(a.id, 'cancel').status, 'cancelled');
  assert.equal(gallery.jobs.claimNext(5, ['generate', 'infill']), null);
  assert.equal(gallery.jobs.claimNext(5, ['caption-folder'])!.id, c.id);
});

test('the queue keeps its order through submit-to-front, moves and listing', async () => {
  const gallery = tempGallery();
  const jobs = [1, 2, 3, 4].map((n) => submit(gallery, n));
  submit(gallery, 0, 'generate', true);
  assert.deepEqual(order(gallery), [0, 1, 2, 3, 4]);
  gallery.jobs.move(jobs[3]!.id, 'front');
  gallery.jobs.move(jobs[0]!.id, 'back');
  assert.deepEqual(order(gallery), [4, 0, 2, 3, 1]);
  gallery.jobs.move(jobs[0]!.id, { before: jobs[2]!.id });
  assert.deepEqual(order(gallery), [4, 0, 2, 1, 3]);
  // Finished jobs list after the unfinished ones, newest first.
  for (const n of [4, 0]) {
    const job = gallery.jobs.claimNext(9)!;
    assert.equal((job.request as { n: number }).n, n);
    await sleep(3);
    gallery.jobs.complete(job.id, null);
  }
  const listed = order(gallery);
  assert.deepEqual(listed.slice(-2), [0, 4]);
  assert.deepEqual(gallery.jobs.list({ statuses: ['completed'], limit: 1 }).length, 1);
  assert.throws(() => gallery.jobs.move(jobs[3]!.id, 'front'), isCode('invalid'));
  assert.equal(gallery.jobs.prune(60_000), 0);
  assert.equal(gallery.jobs.prune(), 2);
  assert.equal(gallery.jobs.list().length, 3);
});

test('moves keep working after halving a gap runs out of floating-point room', () => {
  const gallery = tempGallery();
  const jobs = [1, 2, 3, 4].map((n) => submit(gallery, n));
  // Each move lands halfway between position 2 and the next job: after about 50 moves there is
  // no number left between them and the queue must renumber itself.
  for (let i = 0; i < 80; i++) {
    gallery.jobs.move(jobs[3]!.id, { before: jobs[2]!.id });
    assert.deepEqual(order(gallery), [1, 2, 4, 3]);
    gallery.jobs.move(jobs[2]!.id, { before: jobs[3]!.id });
    assert.deepEqual(order(gallery), [1, 2, 3, 4]);
  }
});

test('orphaned running jobs are recovered: dead or silent owners, pending pause or cancel', async () => {
  const gallery = tempGallery();
  const [dead, silent, alive, cancelling, pausing] = [1, 2, 3, 4, 5].map((n) => submit(gallery, n));
  const owners = [101, 102, 103, 104, 105];
  for (const owner of owners) gallery.jobs.claimNext(owner);
  gallery.jobs.requestControl(cancelling!.id, 'cancel');
  gallery.jobs.requestControl(pausing!.id, 'pause');
  const isAlive = (pid: number) => pid !== 101 && pid !== 104 && pid !== 105;
  // With a generous stale limit only the dead owners' jobs are taken back.
  assert.equal(gallery.jobs.recoverOrphans(isAlive, 60_000), 3);
  assert.deepEqual(
    [dead, silent, alive, cancelling, pausing].map((j) => gallery.jobs.get(j!.id)!.status),
    ['interrupted', 'running', 'running', 'cancelled', 'paused'],
  );
  assert.equal(gallery.jobs.get(dead!.id)!.ownerPid, null);
  // A silent owner (no heartbeat within the limit) counts as gone, even if its pid lives.
  await sleep(30);
  gallery.jobs.heartbeat(alive!.id, 103);
  assert.equal(
    gallery.jobs.recoverOrphans(() => true, 20),
    1,
  );
  assert.equal(gallery.jobs.get(silent!.id)!.status, 'interrupted');
  assert.equal(gallery.jobs.get(alive!.id)!.status, 'running');
  // An interrupted job is picked up again, first in line.
  assert.equal(gallery.jobs.claimNext(200)!.id, dead!.id);
});

test('two connections never claim the same job', () => {
  const dir = join(tempDir(), 'library');
  const a = openGallery(dir);
  const b = openGallery(dir);
  try {
    for (let n = 0; n < 20; n++) submit(a, n);
    const claimed: string[] = [];
    for (let i = 0; i < 25; i++) {
      const job = (i % 2 === 0 ? a : b).jobs.claimNext(i % 2 === 0 ? 1 : 2);
      if (job !== null) claimed.push(job.id);
    }
    assert.equal(claimed.length, 20);
    assert.equal(new Set(claimed).size, 20);
  } finally {
    a.close();
    b.close();
  }
});

/** Two claim workers (testing/claim-worker.ts) started together on the library in `dir`. */
async function raceTwoWorkers(dir: string): Promise<[string[], string[]]> {
  const worker = join(import.meta.dirname, 'testing', 'claim-worker.ts');
  const startAt = Date.now() + 4000; // time for both to load before the race begins
  const run = () =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', worker, dir, String(startAt)], {
      cwd: join(import.meta.dirname, '..', '..'),
    });
  const [one, two] = await Promise.all([run(), run()]);
  return [JSON.parse(one.stdout) as string[], JSON.parse(two.stdout) as string[]];
}

test(
  'two processes creating the same new library at once both open it',
  { timeout: 60_000 },
  async () => {
    const dir = join(tempDir(), 'library');
    assert.deepEqual(await raceTwoWorkers(dir), [[], []]);
    const gallery = openGallery(dir);
    try {
      assert.equal(gallery.schemaVersion(), LATEST_SCHEMA_VERSION);
      assert.equal(gallery.integrityCheck(), 'ok');
    } finally {
      gallery.close();
    }
  },
);

test(
  'two processes racing for the queue never claim the same job',
  { timeout: 60_000 },
  async () => {
    const dir = join(tempDir(), 'library');
    const gallery = openGallery(dir);
    const total = 600;
    try {
      for (let n = 0; n < total; n++) submit(gallery, n);
    } finally {
      gallery.close();
    }
    const [a, b] = await raceTwoWorkers(dir);
    const all = [...a, ...b];
    assert.equal(all.length, total, `claimed ${a.length} + ${b.length}`);
    assert.equal(new Set(all).size, total);
    const check = openGallery(dir);
    try {
      assert.equal(check.jobs.list({ statuses: ['completed'], limit: total }).length, total);
    } finally {
      check.close();
    }
  },
);
