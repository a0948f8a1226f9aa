/**
 * The queue as the UI sees it: each queue event's effect on the live job state, the announcement
 * read out, the refresh of `jobs:list` it schedules, and the results Generate collects; and the
 * per-file results read back from the library merged with the events that raced the read.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { JobView } from '../../../app/common/contract.ts';
import { setTransport } from '../bridge/index.ts';
import { fakeTransport, type FakeTransport } from '../bridge/testing/fake-transport.ts';
import { problemsStore, sessionStore } from './app.ts';
import { handleQueueEvent, jobsStore, loadJobFiles } from './jobs.ts';

function job(id: string, title = `job ${id}`): JobView {
  return {
    id,
    kind: 'generate',
    status: 'running',
    title,
    modelId: 'vq-ar/x',
    done: 0,
    total: 0,
    error: null,
    assetIds: [],
    summary: null,
    createdAt: 1,
    finishedAt: null,
  };
}

/** Lets the fake transport's answers (promises) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let transport: FakeTransport;
let listed: JobView[];

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
  listed = [];
  transport = fakeTransport({
    'jobs:list': () => listed,
    'gallery:get': ({ id }) => ({ id, sha256: `sha-${id}`, title: `image ${id}` }) as never,
  });
  setTransport(transport);
  jobsStore.set({ jobs: [], loaded: false, live: {}, announcement: '' });
  sessionStore.set({ jobIds: [], results: [] });
  problemsStore.set([]);
});

afterEach(async () => {
  // Let a refresh a test scheduled run, so the next test starts with none pending.
  mock.timers.tick(1000);
  await settle();
  mock.timers.reset();
});

const listCalls = () => transport.calls.filter((c) => c.channel === 'jobs:list').length;

test('started records the provider, announces the job by title, and refreshes the queue', async () => {
  jobsStore.set((s) => ({ ...s, jobs: [job('a', 'a red heart')] }));
  listed = [{ ...job('a', 'a red heart'), status: 'running' }];
  handleQueueEvent({ type: 'started', jobId: 'a', provider: 'cpu' });
  assert.equal(jobsStore.get().live.a?.provider, 'cpu');
  assert.equal(jobsStore.get().announcement, '“a red heart” started');
  assert.equal(listCalls(), 0, 'the refresh waits a moment, to batch events');
  mock.timers.tick(50);
  await settle();
  assert.equal(listCalls(), 1);
  assert.equal(jobsStore.get().loaded, true);
  assert.deepEqual(jobsStore.get().jobs, listed);
});

test('progress of a known job needs no refresh; of an unknown job it asks for the queue', async () => {
  jobsStore.set((s) => ({ ...s, jobs: [job('a')] }));
  const progress = {
    type: 'progress' as const,
    done: 3,
    total: 64,
    unit: 'token' as const,
    ratePerSecond: 12.5,
    etaSeconds: 4.9,
  };
  handleQueueEvent({ ...progress, jobId: 'a' });
  assert.deepEqual(jobsStore.get().live.a?.progress, {
    done: 3,
    total: 64,
    unit: 'token',
    ratePerSecond: 12.5,
    etaSeconds: 4.9,
  });
  mock.timers.tick(100);
  await settle();
  assert.equal(listCalls(), 0);
  handleQueueEvent({ ...progress, jobId: 'new' });
  mock.timers.tick(50);
  await settle();
  assert.equal(listCalls(), 1);
});

test('a preview replaces the last; notices are kept once each', () => {
  handleQueueEvent({ type: 'preview', jobId: 'a', imageRgb: 'AAAA', width: 2, height: 1 });
  handleQueueEvent({ type: 'preview', jobId: 'a', imageRgb: 'BBBB', width: 2, height: 1 });
  assert.deepEqual(jobsStore.get().live.a?.preview, { rgb: 'BBBB', width: 2, height: 1 });
  handleQueueEvent({ type: 'notice', jobId: 'a', message: 'fell back to the CPU' });
  handleQueueEvent({ type: 'notice', jobId: 'a', message: 'fell back to the CPU' });
  handleQueueEvent({ type: 'notice', jobId: 'a', message: 'emoji only' });
  assert.deepEqual(jobsStore.get().live.a?.notices, ['fell back to the CPU', 'emoji only']);
});

test('file results are one row per path, counted by status; a resumed skip never hides a caption', () => {
  const file = (path: string, status: 'captioned' | 'skipped' | 'failed', caption: string | null) =>
    handleQueueEvent({ type: 'file', jobId: 'c', path, status, caption, message: null });
  file('/p/a.png', 'failed', null);
  file('/p/b.png', 'captioned', 'a cat');
  file('/p/a.png', 'captioned', 'a dog');
  file('/p/b.png', 'skipped', null);
  const l = jobsStore.get().live.c!;
  assert.deepEqual(
    l.files.map((f) => [f.path, f.status, f.caption, f.arrived]),
    [
      ['/p/a.png', 'captioned', 'a dog', 3],
      ['/p/b.png', 'captioned', 'a cat', 2],
    ],
  );
  assert.deepEqual(l.counts, { captioned: 2, suggestion: 0, skipped: 0, failed: 0, problem: 0 });
  assert.equal(l.arrivals, 4);
  assert.equal(l.filesVersion, 4);
});

test('completed announces the summary, sets the ETA to 0 and collects this session results', async () => {
  jobsStore.set((s) => ({ ...s, jobs: [job('g', 'x'.repeat(70))] }));
  sessionStore.set({ jobIds: ['g'], results: [] });
  handleQueueEvent({
    type: 'progress',
    jobId: 'g',
    done: 64,
    total: 64,
    unit: 'token',
    ratePerSecond: 10,
    etaSeconds: 1,
  });
  const asked = transport.nextCall('gallery:get');
  handleQueueEvent({ type: 'completed', jobId: 'g', assetIds: [7], summary: '1 image' });
  assert.equal(jobsStore.get().live.g?.progress?.etaSeconds, 0);
  // Long titles are cut to 57 characters and an ellipsis.
  assert.equal(jobsStore.get().announcement, `“${'x'.repeat(57)}…” completed: 1 image`);
  assert.deepEqual(await asked, { id: 7 });
  await settle();
  assert.deepEqual(sessionStore.get().results, [
    { id: 7, sha256: 'sha-7', title: 'image 7', jobId: 'g' },
  ]);
  // The same image again is not added twice.
  handleQueueEvent({ type: 'completed', jobId: 'g', assetIds: [7], summary: '1 image' });
  await settle();
  assert.equal(sessionStore.get().results.length, 1);
});

test("another session's completed job is not collected", async () => {
  handleQueueEvent({ type: 'completed', jobId: 'other', assetIds: [9], summary: '' });
  await settle();
  assert.equal(transport.calls.filter((c) => c.channel === 'gallery:get').length, 0);
  assert.deepEqual(sessionStore.get().results, []);
  assert.equal(jobsStore.get().announcement, 'A job completed');
});

test('paused, cancelled and failed are announced and refresh the queue', async () => {
  jobsStore.set((s) => ({ ...s, jobs: [job('a', 'heart')] }));
  handleQueueEvent({ type: 'paused', jobId: 'a' });
  assert.equal(jobsStore.get().announcement, '“heart” paused');
  handleQueueEvent({ type: 'cancelled', jobId: 'a' });
  assert.equal(jobsStore.get().announcement, '“heart” cancelled');
  handleQueueEvent({
    type: 'failed',
    jobId: 'a',
    code: 'model-load',
    message: 'the model file is missing',
    retryable: false,
  });
  assert.equal(jobsStore.get().announcement, '“heart” failed: the model file is missing');
  mock.timers.tick(50);
  await settle();
  assert.equal(listCalls(), 1, 'one refresh for the three events');
});

test('per-file results read back keep the library order; events after the read began win', async () => {
  handleQueueEvent({
    type: 'file',
    jobId: 'r',
    path: '/early.png',
    status: 'failed',
    caption: null,
    message: 'x',
  });
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  setTransport(
    fakeTransport({
      'jobs:files': async () => {
        await gate;
        return {
          files: [
            { path: '/a.png', status: 'captioned', caption: 'from the library', message: null },
            { path: '/early.png', status: 'captioned', caption: 'read back', message: null },
          ],
          next: null,
        } as never;
      },
    }),
  );
  const reading = loadJobFiles('r');
  assert.equal(jobsStore.get().live.r?.history, 'loading');
  // This event raced the read: it is newer than what the library answers for /a.png.
  handleQueueEvent({
    type: 'file',
    jobId: 'r',
    path: '/a.png',
    status: 'failed',
    caption: null,
    message: 'y',
  });
  handleQueueEvent({
    type: 'file',
    jobId: 'r',
    path: '/late.png',
    status: 'skipped',
    caption: null,
    message: null,
  });
  release();
  await reading;
  const l = jobsStore.get().live.r!;
  assert.equal(l.history, 'loaded');
  assert.deepEqual(
    l.files.map((f) => [f.path, f.status]),
    [
      ['/a.png', 'failed'],
      ['/early.png', 'captioned'],
      ['/late.png', 'skipped'],
    ],
  );
  assert.deepEqual(l.counts, { captioned: 1, suggestion: 0, skipped: 1, failed: 1, problem: 0 });
  await loadJobFiles('r');
  assert.equal(jobsStore.get().live.r?.files.length, 3, 'read once per job');
});

test('a failed read of the per-file results is reported and can be tried again', async () => {
  setTransport(fakeTransport({}));
  await loadJobFiles('z');
  assert.equal(jobsStore.get().live.z?.history, 'none');
  assert.equal(problemsStore.get().at(-1)?.title, 'Could not read the per-file results');
});
